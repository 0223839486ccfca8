/**
 * Stratified split: every class is divided on its own so that each class, not
 * just the whole set, approximates the requested ratios.
 */
import { deriveSeed, mulberry32, shuffleInPlace } from './prng.js';
import { largestRemainder, summarise } from './summary.js';
import {
  SPLITS,
  emptyCounts,
  normaliseRatios,
  type Split,
  type SplitCounts,
  type SplitItem,
  type SplitOptions,
  type SplitRatios,
  type SplitResult,
} from './types.js';

/** Splits whose ratio is above zero: the ones a class should have an image in. */
export function activeSplits(ratios: SplitRatios): Split[] {
  return SPLITS.filter((split) => ratios[split] > 0);
}

/**
 * Per-class target counts. Largest remainder alone can leave a small class
 * without a test image (3 images at 70/15/15 → 2/1/0); an evaluation split
 * without the class cannot measure it, so when the class has at least one
 * image per active split, each active split gets one, taken from the split
 * furthest above its exact quota. Classes with fewer images than that stay
 * wholly in train: splitting 2 images 1/1/0 would only hide the shortage.
 */
export function classTargets(total: number, ratios: SplitRatios): SplitCounts {
  const active = activeSplits(ratios);
  if (total < active.length) return { ...emptyCounts(), train: total };
  const targets = largestRemainder(total, ratios);
  for (const split of active) {
    if (targets[split] > 0) continue;
    let donor: Split | null = null;
    for (const candidate of active) {
      if (targets[candidate] <= 1) continue;
      const surplus = targets[candidate] - total * ratios[candidate];
      if (donor === null || surplus > targets[donor] - total * ratios[donor]) donor = candidate;
    }
    if (donor === null) break; // cannot happen when total ≥ active.length
    targets[donor]--;
    targets[split]++;
  }
  return targets;
}

/**
 * How many unlocked items of a class go to each split, given the locked ones.
 * A split whose locked items already exceed its target keeps just those, and
 * the rest are shared by the other splits in proportion to *their* ratios
 * (20 images at 70/15/15 with 5 locked in test → 12/3 for train/validation,
 * not 13/2), repeating until no split is over its target.
 */
export function allocateUnlocked(total: number, locked: SplitCounts, ratios: SplitRatios): SplitCounts {
  const open = new Set(activeSplits(ratios));
  for (;;) {
    let pool = total;
    let ratioSum = 0;
    for (const split of SPLITS) {
      if (open.has(split)) ratioSum += ratios[split];
      else pool -= locked[split];
    }
    const openRatios = emptyCounts();
    for (const split of open) openRatios[split] = ratios[split] / ratioSum;
    // Locks can leave fewer images than open splits; then plain rounding, no coverage step.
    const targets = pool >= open.size ? classTargets(pool, openRatios) : largestRemainder(pool, openRatios);
    const over = [...open].filter((split) => locked[split] > targets[split]);
    if (over.length === 0) {
      const unlocked = emptyCounts();
      for (const split of open) unlocked[split] = targets[split] - locked[split];
      return unlocked;
    }
    for (const split of over) open.delete(split);
  }
}

/**
 * Splits every labelled item, class by class. Each class is shuffled with its
 * own stream derived from (seed, class key), so the result does not depend on
 * the order of `items`, and adding a class leaves the others where they were.
 */
export function stratifiedSplit(items: readonly SplitItem[], options: SplitOptions): SplitResult {
  const ratios = normaliseRatios(options.ratios);
  const active = activeSplits(ratios);
  const byClass = new Map<string, SplitItem[]>();
  const labelled: SplitItem[] = [];
  let ignored = 0;
  for (const item of items) {
    if (item.classKey === null) {
      ignored++;
      continue;
    }
    labelled.push(item);
    const members = byClass.get(item.classKey);
    if (members) members.push(item);
    else byClass.set(item.classKey, [item]);
  }

  const assignments = new Map<number, Split>();
  for (const [classKey, members] of byClass) {
    const lockedCounts = emptyCounts();
    const free: SplitItem[] = [];
    for (const item of members) {
      if (item.locked) {
        assignments.set(item.id, item.locked);
        lockedCounts[item.locked]++;
      } else {
        free.push(item);
      }
    }
    free.sort((a, b) => a.id - b.id);
    shuffleInPlace(free, mulberry32(deriveSeed(options.seed, `class:${classKey}`)));
    // Too few images for one per split: all unlocked ones train (see classTargets).
    const rare = members.length < active.length;
    const added = rare
      ? { ...emptyCounts(), train: free.length }
      : allocateUnlocked(members.length, lockedCounts, ratios);
    let at = 0;
    for (const split of SPLITS) {
      for (let i = 0; i < added[split]; i++) assignments.set(free[at++]!.id, split);
    }
  }
  return summarise({ items: labelled, assignments, ratios, ignored });
}
