/**
 * Splits images imported after a split was made, without touching the
 * images already placed. New images go to train and validation only, unless
 * the caller allows test: a test set that grows after results were reported
 * makes old and new scores incomparable.
 */
import { collectGroups, placeGroups } from './group-aware.js';
import { activeSplits } from './stratified.js';
import { summarise } from './summary.js';
import {
  SPLITS,
  emptyCounts,
  normaliseRatios,
  type Split,
  type SplitCounts,
  type SplitItem,
  type SplitOptions,
  type SplitResult,
  type SplitWarning,
} from './types.js';

export interface AssignNewItemsOptions extends SplitOptions {
  /** Let new images go to test as well (default false). */
  allowTest?: boolean;
  /**
   * Splits of groups that already have images. A new image of such a group
   * follows it — into test too, since splitting a group would leak it.
   */
  existingGroups?: ReadonlyMap<string, Split>;
}

/**
 * Assigns `items` (the new images) so that each class, existing images
 * included, moves toward the ratios. `existingCounts` holds the images
 * already in each split, per class key. The result's counts include them.
 */
export function assignNewItems(
  items: readonly SplitItem[],
  existingCounts: ReadonlyMap<string, SplitCounts>,
  options: AssignNewItemsOptions,
): SplitResult {
  const ratios = normaliseRatios(options.ratios);
  const allowTest = options.allowTest ?? false;
  const allowed = activeSplits(ratios).filter((split) => allowTest || split !== 'test');
  const labelled = items.filter((item) => item.classKey !== null);

  const newPerClass = new Map<string, number>();
  for (const item of labelled) newPerClass.set(item.classKey!, (newPerClass.get(item.classKey!) ?? 0) + 1);
  const targets = new Map<string, SplitCounts>();
  const base = new Map<string, SplitCounts>();
  for (const [classKey, added] of newPerClass) {
    const existing = existingCounts.get(classKey) ?? emptyCounts();
    base.set(classKey, existing);
    targets.set(classKey, targetsAfterAdding(existing, added, ratios, allowed));
  }

  const warnings: SplitWarning[] = [];
  if (!allowTest && ratios.test > 0 && labelled.length > 0) {
    warnings.push({
      kind: 'test-excluded',
      message: 'New images went to train and validation only, so the test set stays comparable',
    });
  }
  const groups = collectGroups(labelled, warnings, options.existingGroups);
  const assignments = placeGroups({ groups, targets, base, allowed, seed: options.seed });

  // Report whole classes (existing + new) for the classes the new items touch.
  return summarise({
    items: labelled,
    assignments,
    ratios,
    ignored: items.length - labelled.length,
    warnings,
    baseCounts: base,
  });
}

/**
 * Where a class should end up once `added` images join it. Splits new images
 * may not enter keep their existing count as target; the allowed ones share
 * the rest in proportion to their ratios.
 */
export function targetsAfterAdding(
  existing: SplitCounts,
  added: number,
  ratios: SplitCounts,
  allowed: readonly Split[],
): SplitCounts {
  const targets = emptyCounts();
  let pool = added;
  let ratioSum = 0;
  for (const split of SPLITS) {
    if (allowed.includes(split)) {
      pool += existing[split];
      ratioSum += ratios[split];
    } else {
      targets[split] = existing[split];
    }
  }
  for (const split of allowed) targets[split] = ratioSum > 0 ? (pool * ratios[split]) / ratioSum : 0;
  return targets;
}
