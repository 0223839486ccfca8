/**
 * Places whole groups of items into splits so that per-class counts come as
 * close as the groups allow to per-class targets.
 *
 * Objective (lower is better), over classes c and splits s:
 *   Σ_c Σ_s (count[c][s] − target[c][s])² / total[c]  +  Σ_s (count[s] − target[s])² / N
 * Dividing by the class total makes every class matter by its *share* being
 * right, so one big class cannot drown the rest; the second term keeps the
 * overall split sizes near the ratios too.
 *
 * Search: with few movable groups (≤ EXHAUSTIVE_MAX_GROUPS, e.g. the ten
 * pictures of a book) every assignment is tried, which gives the true optimum
 * — greedy placement of a handful of big groups often paints itself into a
 * corner. With more groups: greedy, largest group first (big groups are the
 * hard ones to fit; small ones fill the gaps), then local search that moves
 * single groups and swaps pairs while that lowers the objective, which undoes
 * the greedy pass's early mistakes.
 */
import type { Split, SplitCounts } from './types.js';
import { SPLITS } from './types.js';

export const EXHAUSTIVE_MAX_GROUPS = 9;
const SWAP_MAX_GROUPS = 300;
const MAX_PASSES = 50;
const EPSILON = 1e-9;
const MAX_TIES = 64;

export interface BalanceGroup {
  /** Parallel arrays: class indices and how many items of each the group has. */
  classes: number[];
  counts: number[];
  size: number;
  /** Set for groups that must stay in one split (locked items, known groups). */
  pinned: Split | null;
}

const SPLIT_INDEX: Record<Split, number> = { train: 0, validation: 1, test: 2 };

export class SplitBalancer {
  private readonly counts: Float64Array;
  private readonly targets: Float64Array;
  private readonly weights: Float64Array;
  private readonly totals = new Float64Array(3);
  private readonly totalTargets = new Float64Array(3);
  private readonly totalWeight: number;

  /** `targets[c]` per class; `base[c]` counts already in place (existing images). */
  constructor(targets: readonly SplitCounts[], base: readonly SplitCounts[] = []) {
    const classCount = targets.length;
    this.counts = new Float64Array(classCount * 3);
    this.targets = new Float64Array(classCount * 3);
    this.weights = new Float64Array(classCount);
    let all = 0;
    for (let c = 0; c < classCount; c++) {
      const target = targets[c]!;
      const total = target.train + target.validation + target.test;
      this.weights[c] = total > 0 ? 1 / total : 0;
      all += total;
      for (const split of SPLITS) {
        const s = SPLIT_INDEX[split];
        this.targets[c * 3 + s] = target[split];
        this.totalTargets[s] = this.totalTargets[s]! + target[split];
        const already = base[c]?.[split] ?? 0;
        this.counts[c * 3 + s] = already;
        this.totals[s] = this.totals[s]! + already;
      }
    }
    this.totalWeight = all > 0 ? 1 / all : 0;
  }

  /** Change in the objective if `group` were added to (sign 1) or removed from (sign −1) `split`. */
  delta(group: BalanceGroup, split: Split, sign: 1 | -1): number {
    const s = SPLIT_INDEX[split];
    let change = 0;
    for (let i = 0; i < group.classes.length; i++) {
      const c = group.classes[i]!;
      const g = group.counts[i]!;
      const gap = this.counts[c * 3 + s]! - this.targets[c * 3 + s]!;
      change += this.weights[c]! * g * (2 * sign * gap + g);
    }
    const totalGap = this.totals[s]! - this.totalTargets[s]!;
    return change + this.totalWeight * group.size * (2 * sign * totalGap + group.size);
  }

  apply(group: BalanceGroup, split: Split, sign: 1 | -1): void {
    const s = SPLIT_INDEX[split];
    for (let i = 0; i < group.classes.length; i++) {
      const at = group.classes[i]! * 3 + s;
      this.counts[at] = this.counts[at]! + sign * group.counts[i]!;
    }
    this.totals[s] = this.totals[s]! + sign * group.size;
  }

  /** Cost of moving `group` from one split to another, computed without changing anything. */
  moveDelta(group: BalanceGroup, from: Split, to: Split): number {
    const out = this.delta(group, from, -1);
    this.apply(group, from, -1);
    const result = out + this.delta(group, to, 1);
    this.apply(group, from, 1);
    return result;
  }
}

/**
 * Assigns every group a split from `allowed` (pinned groups keep theirs).
 * `order` lists the group indices in the order greedy should consider groups
 * of equal size (a seeded shuffle), so ties are broken reproducibly.
 */
export function balanceGroups(
  groups: readonly BalanceGroup[],
  balancer: SplitBalancer,
  allowed: readonly Split[],
  order: readonly number[],
  random: () => number,
): Split[] {
  const placement: Split[] = groups.map((group) => group.pinned ?? allowed[0]!);
  for (let g = 0; g < groups.length; g++) {
    if (groups[g]!.pinned) balancer.apply(groups[g]!, groups[g]!.pinned!, 1);
  }
  const movable = order.filter((g) => !groups[g]!.pinned);
  // Stable sort: equal sizes keep their seeded order.
  movable.sort((a, b) => groups[b]!.size - groups[a]!.size);

  if (movable.length <= EXHAUSTIVE_MAX_GROUPS && allowed.length > 1) {
    exhaustive(groups, movable, balancer, allowed, placement, random);
    return placement;
  }
  for (const g of movable) {
    const group = groups[g]!;
    // Equally good splits (validation and test at equal ratios) are chosen between with the seed.
    let best = allowed[0]!;
    let bestDelta = Number.POSITIVE_INFINITY;
    let tied = 0;
    for (const split of allowed) {
      const change = balancer.delta(group, split, 1);
      if (change < bestDelta - EPSILON) {
        best = split;
        bestDelta = change;
        tied = 1;
      } else if (change <= bestDelta + EPSILON && random() * ++tied < 1) {
        best = split; // reservoir sampling: each tied split equally likely
      }
    }
    balancer.apply(group, best, 1);
    placement[g] = best;
  }
  improveLocally(groups, movable, balancer, allowed, placement);
  return placement;
}

/**
 * Tries every assignment of the movable groups. Equally good optima (swapping
 * validation and test when their ratios are equal) are chosen between with
 * the seed, so a new seed can still give a different split.
 */
function exhaustive(
  groups: readonly BalanceGroup[],
  movable: readonly number[],
  balancer: SplitBalancer,
  allowed: readonly Split[],
  placement: Split[],
  random: () => number,
): void {
  let bestCost = Number.POSITIVE_INFINITY;
  let ties: Split[][] = [];
  const current: Split[] = [];
  const visit = (depth: number, cost: number): void => {
    if (depth === movable.length) {
      const tolerance = Number.isFinite(bestCost) ? EPSILON * Math.max(1, Math.abs(bestCost)) : 0;
      if (cost < bestCost - tolerance) {
        bestCost = cost;
        ties = [[...current]];
      } else if (cost <= bestCost + tolerance && ties.length < MAX_TIES) {
        ties.push([...current]);
      }
      return;
    }
    const group = groups[movable[depth]!]!;
    for (const split of allowed) {
      const change = balancer.delta(group, split, 1);
      balancer.apply(group, split, 1);
      current.push(split);
      visit(depth + 1, cost + change);
      current.pop();
      balancer.apply(group, split, -1);
    }
  };
  visit(0, 0);
  const best = ties[Math.floor(random() * ties.length)] ?? ties[0]!;
  movable.forEach((g, i) => {
    placement[g] = best[i]!;
    balancer.apply(groups[g]!, best[i]!, 1);
  });
}

function improveLocally(
  groups: readonly BalanceGroup[],
  movable: readonly number[],
  balancer: SplitBalancer,
  allowed: readonly Split[],
  placement: Split[],
): void {
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let improved = false;
    for (const g of movable) {
      const from = placement[g]!;
      for (const to of allowed) {
        if (to === from || balancer.moveDelta(groups[g]!, from, to) >= -EPSILON) continue;
        balancer.apply(groups[g]!, from, -1);
        balancer.apply(groups[g]!, to, 1);
        placement[g] = to;
        improved = true;
        break;
      }
    }
    if (movable.length <= SWAP_MAX_GROUPS) {
      for (let i = 0; i < movable.length; i++) {
        for (let j = i + 1; j < movable.length; j++) {
          const a = movable[i]!;
          const b = movable[j]!;
          const sa = placement[a]!;
          const sb = placement[b]!;
          if (sa === sb) continue;
          // Move a, then b, measuring each on the state the previous step left.
          const first = balancer.moveDelta(groups[a]!, sa, sb);
          balancer.apply(groups[a]!, sa, -1);
          balancer.apply(groups[a]!, sb, 1);
          const second = balancer.moveDelta(groups[b]!, sb, sa);
          if (first + second < -EPSILON) {
            balancer.apply(groups[b]!, sb, -1);
            balancer.apply(groups[b]!, sa, 1);
            placement[a] = sb;
            placement[b] = sa;
            improved = true;
          } else {
            balancer.apply(groups[a]!, sb, -1);
            balancer.apply(groups[a]!, sa, 1);
          }
        }
      }
    }
    if (!improved) return;
  }
}
