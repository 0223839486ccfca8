/**
 * Turns an assignment into the report every split algorithm returns: counts
 * per class, classes missing a split, distance from the requested ratios, and
 * warnings. Kept apart from the algorithms so all of them report alike.
 */
import {
  SPLITS,
  emptyCounts,
  type ClassDeviation,
  type ClassSplitSummary,
  type NoCoverage,
  type Split,
  type SplitAssignment,
  type SplitCounts,
  type SplitDeviation,
  type SplitItem,
  type SplitRatios,
  type SplitResult,
  type SplitWarning,
} from './types.js';

/** A class with more than this many times the images of another is flagged. */
export const IMBALANCE_FACTOR = 10;

/**
 * Hamilton's largest-remainder method: integer counts summing to `total` that
 * are each within one of `total × ratio`. Ties go to the larger ratio, then to
 * train, validation, test, so the result never depends on anything random.
 */
export function largestRemainder(total: number, ratios: SplitRatios): SplitCounts {
  const counts = emptyCounts();
  const remainders: Array<{ split: Split; rest: number }> = [];
  let assigned = 0;
  for (const split of SPLITS) {
    // The epsilon keeps 20 × 0.15 = 3.0000000000000004 from becoming 3 with a tiny remainder
    // and 0.7 × 10 = 6.999… from losing an image to rounding.
    const quota = total * ratios[split];
    const whole = Math.floor(quota + 1e-9);
    counts[split] = whole;
    assigned += whole;
    // A split whose ratio is 0 never gets an image, not even a remainder.
    if (ratios[split] > 0) remainders.push({ split, rest: quota - whole });
  }
  remainders.sort((a, b) => b.rest - a.rest || ratios[b.split] - ratios[a.split]);
  for (let i = 0; assigned < total && remainders.length > 0; i++, assigned++) {
    counts[remainders[i % remainders.length]!.split]++;
  }
  return counts;
}

export interface SummaryInput {
  /** Labelled items only. */
  items: readonly SplitItem[];
  assignments: ReadonlyMap<number, Split>;
  ratios: SplitRatios;
  ignored: number;
  warnings?: SplitWarning[];
  /** Counts already in the project that the items add to (assignNewItems). */
  baseCounts?: ReadonlyMap<string, SplitCounts>;
}

export function summarise(input: SummaryInput): SplitResult {
  const { items, assignments, ratios } = input;
  const byClass = new Map<string, ClassSplitSummary>();
  const summaryFor = (classKey: string): ClassSplitSummary => {
    let summary = byClass.get(classKey);
    if (!summary) {
      summary = { classKey, total: 0, counts: emptyCounts(), locked: emptyCounts() };
      byClass.set(classKey, summary);
    }
    return summary;
  };
  for (const [classKey, counts] of input.baseCounts ?? []) {
    const summary = summaryFor(classKey);
    for (const split of SPLITS) summary.counts[split] += counts[split];
  }
  const list: SplitAssignment[] = [];
  let moved = 0;
  for (const item of items) {
    const split = assignments.get(item.id);
    if (item.classKey === null || split === undefined) continue;
    const summary = summaryFor(item.classKey);
    summary.counts[split]++;
    if (item.locked) summary.locked[item.locked]++;
    if (item.current && item.current !== split) moved++;
    list.push({ id: item.id, split });
  }
  list.sort((a, b) => a.id - b.id);
  const perClass = [...byClass.values()].sort((a, b) =>
    a.classKey < b.classKey ? -1 : a.classKey > b.classKey ? 1 : 0,
  );
  const totals = emptyCounts();
  for (const summary of perClass) {
    summary.total = summary.counts.train + summary.counts.validation + summary.counts.test;
    for (const split of SPLITS) totals[split] += summary.counts[split];
  }

  const noCoverage: NoCoverage[] = [];
  for (const summary of perClass) {
    const missing = SPLITS.filter((split) => ratios[split] > 0 && summary.counts[split] === 0);
    if (missing.length > 0) noCoverage.push({ classKey: summary.classKey, total: summary.total, missing });
  }

  const warnings: SplitWarning[] = [...(input.warnings ?? [])];
  if (noCoverage.length > 0) {
    warnings.push({
      kind: 'no-coverage',
      message: `${noCoverage.length} class(es) have no image in some split; they cannot be evaluated there`,
      classKeys: noCoverage.map((entry) => entry.classKey),
    });
  }
  const imbalance = imbalanceWarning(perClass);
  if (imbalance) warnings.push(imbalance);
  if (input.ignored > 0) {
    warnings.push({ kind: 'unlabeled-ignored', message: `${input.ignored} unlabeled image(s) were left out` });
  }

  return {
    assignments: list,
    perClass,
    totals,
    noCoverage,
    deviation: deviationOf(perClass, totals, ratios),
    warnings,
    moved,
    ignored: input.ignored,
    ratios,
  };
}

function imbalanceWarning(perClass: readonly ClassSplitSummary[]): SplitWarning | null {
  if (perClass.length < 2) return null;
  let largest = perClass[0]!;
  let smallest = perClass[0]!;
  for (const summary of perClass) {
    if (summary.total > largest.total) largest = summary;
    if (summary.total < smallest.total) smallest = summary;
  }
  if (largest.total <= IMBALANCE_FACTOR * smallest.total) return null;
  const small = perClass.filter((summary) => largest.total > IMBALANCE_FACTOR * summary.total);
  return {
    kind: 'imbalance',
    message:
      `Classes are strongly imbalanced: ${largest.classKey} has ${largest.total} images, ` +
      `${smallest.classKey} only ${smallest.total}; ${small.length} class(es) have under a tenth of the largest`,
    classKeys: [largest.classKey, ...small.map((summary) => summary.classKey)],
  };
}

export function deviationOf(
  perClass: readonly ClassSplitSummary[],
  totals: SplitCounts,
  ratios: SplitRatios,
): SplitDeviation {
  const all = totals.train + totals.validation + totals.test;
  const overall = emptyCounts();
  let overallMaxAbs = 0;
  for (const split of SPLITS) {
    overall[split] = all === 0 ? 0 : totals[split] / all - ratios[split];
    overallMaxAbs = Math.max(overallMaxAbs, Math.abs(overall[split]));
  }
  const classes: ClassDeviation[] = perClass.map((summary) => {
    let maxAbs = 0;
    let maxAbsImages = 0;
    for (const split of SPLITS) {
      const expected = summary.total * ratios[split];
      const images = Math.abs(summary.counts[split] - expected);
      maxAbsImages = Math.max(maxAbsImages, images);
      maxAbs = Math.max(maxAbs, summary.total === 0 ? 0 : images / summary.total);
    }
    return { classKey: summary.classKey, maxAbs, maxAbsImages };
  });
  return {
    overall,
    overallMaxAbs,
    perClass: classes,
    perClassMaxAbs: classes.reduce((max, entry) => Math.max(max, entry.maxAbs), 0),
    perClassMaxAbsImages: classes.reduce((max, entry) => Math.max(max, entry.maxAbsImages), 0),
  };
}
