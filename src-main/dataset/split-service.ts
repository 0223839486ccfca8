/**
 * Splitting the project's labelled images: plan (preview, nothing written), apply
 * (one transaction), the current overview with its warnings, and placing newly
 * imported images into train/validation without touching a locked test set.
 */
import type { Catalog } from '../catalog/catalog.js';
import { readDatasetRows, writeSplits, type DatasetRow } from '../catalog/dataset-rows.js';
import {
  assignNewItems,
  compileGroupKey,
  DEFAULT_RATIOS,
  emptyCounts,
  findCrossSplitDuplicates,
  groupAwareSplit,
  IMBALANCE_FACTOR,
  SPLITS,
  stratifiedSplit,
  type GroupKeyMode,
  type SplitCounts,
  type SplitItem,
  type SplitRatios,
  type SplitResult,
  type SplitSeed,
} from '../splits/index.js';

export interface SplitRequest {
  /** Relative sizes (70/15/15 or 0.7/0.15/0.15). */
  ratios?: SplitRatios;
  seed?: SplitSeed;
  /** Keep groups whole (by folder or a regex on the path); none = plain stratified split. */
  group?: GroupKeyMode | null;
}

export interface SplitPlan extends Omit<SplitResult, 'assignments'> {
  grouped: boolean;
  groups: Array<{ groupKey: string; split: string; size: number }>;
}

export interface SplitOverview {
  classes: Array<{ className: string; total: number; counts: SplitCounts & { none: number }; noCoverage: boolean }>;
  totals: SplitCounts & { none: number };
  lockedTest: number;
  warnings: Array<{ kind: string; message: string; classNames?: string[] }>;
  crossSplitDuplicates: number;
}

export const DEFAULT_SEED = 42;

function toItems(rows: DatasetRow[], group: GroupKeyMode | null | undefined): SplitItem[] {
  const keyOf = group ? compileGroupKey(group) : null;
  return rows.map((row) => ({
    id: row.id,
    classKey: row.className,
    groupKey: keyOf ? keyOf(row.relPath) : null,
    locked: row.locked ? row.split : null,
    current: row.split,
  }));
}

function compute(catalog: Catalog, request: SplitRequest): { result: SplitResult; plan: SplitPlan } {
  const rows = readDatasetRows(catalog.db, { labelledOnly: true });
  // A locked test set is frozen as a whole: nothing leaves it (locked) and nothing
  // joins it, so the rest is split between train and validation only.
  const testLocked = rows.some((row) => row.locked && row.split === 'test');
  const requested = request.ratios ?? DEFAULT_RATIOS;
  const ratios = testLocked ? { ...requested, test: 0 } : requested;
  const options = { ratios, seed: request.seed ?? DEFAULT_SEED };
  const items = toItems(rows, request.group);
  if (request.group) {
    const { assignments, groups, ...rest } = groupAwareSplit(items, options);
    return { result: { assignments, ...rest }, plan: { ...rest, grouped: true, groups } };
  }
  const { assignments, ...rest } = stratifiedSplit(items, options);
  return { result: { assignments, ...rest }, plan: { ...rest, grouped: false, groups: [] } };
}

/** What a split would do, without writing anything. */
export function planSplit(catalog: Catalog, request: SplitRequest): SplitPlan {
  return compute(catalog, request).plan;
}

/** Splits the labelled images and writes the result in one transaction; locked images stay. */
export function applySplit(catalog: Catalog, request: SplitRequest): SplitPlan {
  const { result, plan } = compute(catalog, request);
  catalog.transaction(() => writeSplits(catalog.db, result.assignments));
  return plan;
}

/**
 * Places labelled images that have no split yet (e.g. a new import) into train or
 * validation, keeping each class near the ratios; test is left alone unless allowed.
 * Does nothing for a project that was never split.
 */
export function assignUnsplitImages(catalog: Catalog, request: SplitRequest & { allowTest?: boolean } = {}): number {
  const rows = readDatasetRows(catalog.db, { labelledOnly: true });
  if (!rows.some((row) => row.split !== null)) return 0;
  const existing = new Map<string, SplitCounts>();
  const keyOf = request.group ? compileGroupKey(request.group) : null;
  const existingGroups = new Map<string, (typeof SPLITS)[number]>();
  for (const row of rows) {
    if (!row.split || !row.className) continue;
    const counts = existing.get(row.className) ?? emptyCounts();
    counts[row.split]++;
    existing.set(row.className, counts);
    const key = keyOf?.(row.relPath);
    if (key) existingGroups.set(key, row.split);
  }
  const fresh = toItems(rows.filter((row) => row.split === null), request.group);
  if (fresh.length === 0) return 0;
  const result = assignNewItems(fresh, existing, {
    ratios: request.ratios,
    seed: request.seed ?? DEFAULT_SEED,
    allowTest: request.allowTest ?? false,
    existingGroups,
  });
  return catalog.transaction(() => writeSplits(catalog.db, result.assignments));
}

/** Per-class counts per split as they are now, with what deserves a warning. */
export function splitOverview(catalog: Catalog): SplitOverview {
  const rows = readDatasetRows(catalog.db, { labelledOnly: true });
  const byClass = new Map<string, SplitCounts & { none: number }>();
  const totals = { ...emptyCounts(), none: 0 };
  let lockedTest = 0;
  for (const row of rows) {
    const counts = byClass.get(row.className!) ?? { ...emptyCounts(), none: 0 };
    counts[row.split ?? 'none']++;
    totals[row.split ?? 'none']++;
    if (row.split === 'test' && row.locked) lockedTest++;
    byClass.set(row.className!, counts);
  }
  const anySplit = totals.train + totals.validation + totals.test > 0;
  const classes = [...byClass].map(([className, counts]) => {
    const total = counts.train + counts.validation + counts.test + counts.none;
    return { className, total, counts, noCoverage: anySplit && (counts.validation === 0 || counts.test === 0) };
  });
  classes.sort((a, b) => b.total - a.total);
  const warnings: SplitOverview['warnings'] = [];
  const uncovered = classes.filter((c) => c.noCoverage).map((c) => c.className);
  if (uncovered.length) {
    warnings.push({ kind: 'no-coverage', message: `${uncovered.length} classes have no validation or test images: their accuracy cannot be measured`, classNames: uncovered });
  }
  if (classes.length > 1) {
    const largest = classes[0]!;
    const smallest = classes[classes.length - 1]!;
    if (largest.total > IMBALANCE_FACTOR * smallest.total) {
      warnings.push({ kind: 'imbalance', message: `Strong imbalance: ${largest.className} has ${largest.total} images, ${smallest.className} only ${smallest.total}` });
    }
  }
  if (totals.none > 0 && anySplit) warnings.push({ kind: 'unsplit', message: `${totals.none} labelled images have no split yet` });
  const duplicates = findCrossSplitDuplicates(rows.map((row) => ({ id: row.id, hash: row.hash, split: row.split })));
  if (duplicates.length) {
    warnings.push({ kind: 'duplicates', message: `${duplicates.length} images have an identical copy in another split: test results are inflated` });
  }
  return { classes, totals, lockedTest, warnings, crossSplitDuplicates: duplicates.length };
}
