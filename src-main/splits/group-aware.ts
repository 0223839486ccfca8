/**
 * Group-aware split: items that share a group key (crops from one photograph,
 * one manuscript page) never straddle splits, because near-identical lighting
 * and scale would otherwise leak from train into test and flatter the model.
 * How groups are placed is explained in balancer.ts.
 */
import { balanceGroups, SplitBalancer, type BalanceGroup } from './balancer.js';
import { deriveSeed, mulberry32, shuffleInPlace } from './prng.js';
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

export interface GroupPlacement {
  groupKey: string;
  split: Split;
  size: number;
}

export interface GroupAwareResult extends SplitResult {
  /** Every named group and the split it went to (ungrouped items are left out). */
  groups: GroupPlacement[];
}

/** A set of items that must share a split. */
export interface ItemGroup {
  key: string;
  /** False for the one-item groups made for items without a group key. */
  named: boolean;
  members: SplitItem[];
  /** Where the group must go, if its items (or its key) decide that. */
  pinned: Split | null;
}

/**
 * Collects items into groups; an item without a group key is a group of its
 * own. A group with locked items is pinned to their split; if they disagree,
 * the locked items still stay put (locks win), the rest follow the majority,
 * and a warning says so.
 */
export function collectGroups(
  items: readonly SplitItem[],
  warnings: SplitWarning[],
  knownGroups?: ReadonlyMap<string, Split>,
): ItemGroup[] {
  const byKey = new Map<string, ItemGroup>();
  const groups: ItemGroup[] = [];
  for (const item of items) {
    const key = item.groupKey ?? null;
    if (key === null) {
      groups.push({ key: `item:${item.id}`, named: false, members: [item], pinned: item.locked ?? null });
      continue;
    }
    let group = byKey.get(key);
    if (!group) {
      group = { key, named: true, members: [], pinned: knownGroups?.get(key) ?? null };
      byKey.set(key, group);
      groups.push(group);
    }
    group.members.push(item);
  }
  const conflicts: string[] = [];
  for (const group of byKey.values()) {
    const locked = emptyCounts();
    for (const item of group.members) if (item.locked) locked[item.locked]++;
    const lockedSplits = SPLITS.filter((split) => locked[split] > 0);
    if (lockedSplits.length === 0) continue;
    if (lockedSplits.length > 1) conflicts.push(group.key);
    group.pinned = lockedSplits.reduce((a, b) => (locked[b] > locked[a] ? b : a));
  }
  if (conflicts.length > 0) {
    warnings.push({
      kind: 'locked-group-conflict',
      message: `${conflicts.length} group(s) have items locked to different splits; they straddle splits: ${conflicts.slice(0, 5).join(', ')}`,
    });
  }
  return groups;
}

export interface PlaceGroupsInput {
  groups: readonly ItemGroup[];
  /** Per class key: target count per split (fractions allowed). */
  targets: ReadonlyMap<string, SplitCounts>;
  /** Per class key: counts already in place. */
  base?: ReadonlyMap<string, SplitCounts>;
  allowed: readonly Split[];
  seed: SplitOptions['seed'];
}

/** Places the groups and returns item id → split (locked items keep their lock). */
export function placeGroups(input: PlaceGroupsInput): Map<number, Split> {
  const classKeys = [...input.targets.keys()].sort();
  const classIndex = new Map(classKeys.map((key, i) => [key, i]));
  const balanceGroupsInput: BalanceGroup[] = input.groups.map((group) => {
    const perClass = new Map<number, number>();
    for (const item of group.members) {
      const c = classIndex.get(item.classKey!)!;
      perClass.set(c, (perClass.get(c) ?? 0) + 1);
    }
    return {
      classes: [...perClass.keys()],
      counts: [...perClass.values()],
      size: group.members.length,
      pinned: group.pinned,
    };
  });
  const balancer = new SplitBalancer(
    classKeys.map((key) => input.targets.get(key)!),
    classKeys.map((key) => input.base?.get(key) ?? emptyCounts()),
  );
  // Group keys sorted first so the seeded order does not depend on the order of the items.
  const order = input.groups.map((_, i) => i).sort((a, b) => compare(input.groups[a]!.key, input.groups[b]!.key));
  const random = mulberry32(deriveSeed(input.seed, 'groups'));
  shuffleInPlace(order, random);
  const placement = balanceGroups(balanceGroupsInput, balancer, input.allowed, order, random);

  const assignments = new Map<number, Split>();
  input.groups.forEach((group, g) => {
    for (const item of group.members) assignments.set(item.id, item.locked ?? placement[g]!);
  });
  return assignments;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keeps every group in one split while approximating the ratios per class. */
export function groupAwareSplit(items: readonly SplitItem[], options: SplitOptions): GroupAwareResult {
  const ratios = normaliseRatios(options.ratios);
  const labelled = items.filter((item) => item.classKey !== null);
  const classTotals = new Map<string, number>();
  for (const item of labelled) classTotals.set(item.classKey!, (classTotals.get(item.classKey!) ?? 0) + 1);
  const targets = new Map<string, SplitCounts>();
  for (const [classKey, total] of classTotals) {
    targets.set(classKey, {
      train: total * ratios.train,
      validation: total * ratios.validation,
      test: total * ratios.test,
    });
  }
  const warnings: SplitWarning[] = [];
  const groups = collectGroups(labelled, warnings);
  const assignments = placeGroups({ groups, targets, allowed: activeSplits(ratios), seed: options.seed });
  const result = summarise({
    items: labelled,
    assignments,
    ratios,
    ignored: items.length - labelled.length,
    warnings,
  });
  const placements: GroupPlacement[] = groups
    .filter((group) => group.named)
    .map((group) => ({
      groupKey: group.key,
      // A conflicting group's unlocked items follow its pin; report that split.
      split: group.pinned ?? assignments.get(group.members[0]!.id)!,
      size: group.members.length,
    }))
    .sort((a, b) => compare(a.groupKey, b.groupKey));
  return { ...result, groups: placements };
}
