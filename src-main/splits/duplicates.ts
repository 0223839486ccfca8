/**
 * Finds the same image (by content hash) in more than one split: a copy in
 * train and another in test makes the test score meaningless.
 */
import { SPLITS, type Split } from './types.js';

export interface HashedSplitItem {
  id: number;
  /** Content hash; null or empty when not computed yet (ignored). */
  hash: string | null;
  split: Split | null;
}

export interface CrossSplitDuplicate {
  hash: string;
  /** The splits the copies are in, in train, validation, test order. */
  splits: Split[];
  items: Array<{ id: number; split: Split }>;
}

export function findCrossSplitDuplicates(items: readonly HashedSplitItem[]): CrossSplitDuplicate[] {
  const byHash = new Map<string, Array<{ id: number; split: Split }>>();
  for (const item of items) {
    if (!item.hash || !item.split) continue;
    const copies = byHash.get(item.hash);
    if (copies) copies.push({ id: item.id, split: item.split });
    else byHash.set(item.hash, [{ id: item.id, split: item.split }]);
  }
  const duplicates: CrossSplitDuplicate[] = [];
  for (const [hash, copies] of byHash) {
    const splits = SPLITS.filter((split) => copies.some((copy) => copy.split === split));
    if (splits.length < 2) continue;
    copies.sort((a, b) => a.id - b.id);
    duplicates.push({ hash, splits, items: copies });
  }
  // Stable output order: by the smallest id in each set.
  return duplicates.sort((a, b) => a.items[0]!.id - b.items[0]!.id);
}

/**
 * Group keys that keep identical images together: feed these as `groupKey`
 * (for items without one) and the next split cannot separate the copies.
 */
export function duplicateGroupKeys(items: readonly HashedSplitItem[]): Map<number, string> {
  const counts = new Map<string, number>();
  for (const item of items) if (item.hash) counts.set(item.hash, (counts.get(item.hash) ?? 0) + 1);
  const keys = new Map<number, string>();
  for (const item of items) {
    if (item.hash && (counts.get(item.hash) ?? 0) > 1) keys.set(item.id, `hash:${item.hash}`);
  }
  return keys;
}
