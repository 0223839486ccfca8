/**
 * Splitting the project's labelled images: plan (preview, nothing written), apply
 * (one transaction), the current overview with its warnings, and placing newly
 * imported images into train/validation without touching a locked test set.
 */
import path from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { folderName } from '../catalog/project-paths.js';
import type { CatalogRow } from '../catalog/image-rows.js';
import type { SplitRule } from '../catalog/splits.js';
import {
  compileGroupKey,
  parseFolderKey,
  emptyCounts,
  findCrossSplitDuplicates,
  groupAwareSplit,
  IMBALANCE_FACTOR,
  stratifiedSplit,
  type GroupKeyMode,
  type SplitCounts,
  type SplitItem,
  type SplitRatios,
  type SplitResult,
  type SplitSeed,
} from '../splits/index.js';
import type { SplitPlan, SplitOverview } from '../../src-shared/api/wire-dataset.js';
import type { Split } from '../../src-shared/catalog-records.js';
export type { SplitPlan, SplitOverview } from '../../src-shared/api/wire-dataset.js';

export interface SplitRequest {
  /** Relative sizes (70/15/15 or 0.7/0.15/0.15); omitted: the project's rule. */
  ratios?: SplitRatios;
  seed?: SplitSeed;
  /** Keep groups whole (by folder or a regex on the path); null: a plain stratified split; omitted: the project's rule. */
  group?: GroupKeyMode | null;
}

export { DEFAULT_SPLIT_SEED as DEFAULT_SEED } from '../catalog/splits.js';

function toItems(rows: CatalogRow[], group: GroupKeyMode | null | undefined): SplitItem[] {
  const keyOf = group ? compileGroupKey(group) : null;
  return rows.map((row) => ({
    id: row.id,
    classKey: row.className,
    groupKey: keyOf ? keyOf(row.relPath, row.rootId) : null,
    locked: row.locked ? row.split : null,
    current: row.split,
  }));
}

/** The request with what it leaves out taken from the project's rule. */
function ruleFor(catalog: Catalog, request: SplitRequest): SplitRule {
  const rule = catalog.splits.rule();
  return {
    ...rule,
    ...(request.ratios ? { ratios: request.ratios } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.group !== undefined ? { group: request.group } : {}),
  };
}

function compute(catalog: Catalog, rule: SplitRule): { result: SplitResult; plan: SplitPlan } {
  const rows = catalog.imageRows({ labelledOnly: true });
  // A locked test set is frozen as a whole: nothing leaves it (locked) and nothing
  // joins it, so the rest is split between train and validation only.
  const testFrozen = rows.some((row) => row.locked && row.split === 'test');
  const ratios = testFrozen ? { ...rule.ratios, test: 0 } : rule.ratios;
  const options = { ratios, seed: rule.seed };
  const items = toItems(rows, rule.group);
  if (rule.group) {
    const { assignments, groups, ...rest } = groupAwareSplit(items, options);
    const roots = new Map(catalog.images.listRoots().map((root) => [root.id, folderName(root.path)]));
    const byFolder = rule.group.kind === 'folder';
    const named = groups.map((group) => ({
      ...group,
      name: byFolder ? groupName(group.groupKey, roots) : group.groupKey,
    }));
    return { result: { assignments, ...rest }, plan: { ...rest, grouped: true, groups: named } };
  }
  const { assignments, ...rest } = stratifiedSplit(items, options);
  return { result: { assignments, ...rest }, plan: { ...rest, grouped: false, groups: [] } };
}

/** A folder key as the folder's name (`wall-3`, `photos/2019`); another mode's key as it is. */
function groupName(key: string, roots: ReadonlyMap<number, string>): string {
  const folder = parseFolderKey(key);
  if (!folder) return key;
  const root = roots.get(folder.rootId) ?? `folder ${folder.rootId}`;
  return folder.folder ? `${root}/${folder.folder}` : root;
}

/** What a split would do, without writing anything. */
export function planSplit(catalog: Catalog, request: SplitRequest): SplitPlan {
  return compute(catalog, ruleFor(catalog, request)).plan;
}

/**
 * Splits the labelled images and writes the result in one transaction; locked images
 * stay. The rule used becomes the project's rule (images labelled later follow it),
 * and a test set the user asked to lock is locked as soon as it exists.
 */
export function applySplit(catalog: Catalog, request: SplitRequest): SplitPlan {
  const rule = ruleFor(catalog, request);
  const { result, plan } = compute(catalog, rule);
  catalog.transaction(() => {
    catalog.splits.setRule({ ...rule, appliedAt: Date.now() });
    catalog.splits.write(result.assignments);
    if (rule.testLocked) catalog.splits.setLocked('test', true);
  });
  return plan;
}

/**
 * A person's choice of split for some images, pinned (locked) so a re-split keeps it;
 * null takes their split away. Returns how many images changed.
 */
export function setImageSplit(catalog: Catalog, imageIds: number[], split: Split | null): number {
  if (split === null) return catalog.splits.clear(imageIds);
  return catalog.splits.write(
    imageIds.map((id) => ({ id, split })),
    { lock: true },
  );
}

/** Locks or unlocks a split; for the test set the choice is remembered, so it holds before the first split too. */
export function lockSplit(catalog: Catalog, split: 'train' | 'validation' | 'test', locked: boolean): number {
  return catalog.transaction(() => {
    if (split === 'test') catalog.splits.setRule({ testLocked: locked });
    return catalog.splits.setLocked(split, locked);
  });
}

/** Per-class counts per split as they are now, with what deserves a warning. */
export function splitOverview(catalog: Catalog): SplitOverview {
  const rows = catalog.imageRows({ labelledOnly: true });
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
    warnings.push({
      kind: 'no-coverage',
      message: `${uncovered.length} classes have no validation or test images: their accuracy cannot be measured`,
      classNames: uncovered,
    });
  }
  if (classes.length > 1) {
    const largest = classes[0]!;
    const smallest = classes[classes.length - 1]!;
    if (largest.total > IMBALANCE_FACTOR * smallest.total) {
      warnings.push({
        kind: 'imbalance',
        message: `Strong imbalance: ${largest.className} has ${largest.total} images, ${smallest.className} only ${smallest.total}`,
      });
    }
  }
  if (totals.none > 0 && anySplit)
    warnings.push({ kind: 'unsplit', message: `${totals.none} labelled images have no split yet` });
  const duplicates = findCrossSplitDuplicates(rows.map((row) => ({ id: row.id, hash: row.hash, split: row.split })));
  if (duplicates.length) {
    warnings.push({
      kind: 'duplicates',
      message: `${duplicates.length} images have an identical copy in another split: test results are inflated`,
    });
  }
  const rule = catalog.splits.rule();
  return {
    classes,
    totals,
    lockedTest,
    testLocked: rule.testLocked || lockedTest > 0,
    rule,
    warnings,
    crossSplitDuplicates: duplicates.length,
    folders: new Set(rows.map((row) => `${row.rootId}/${path.posix.dirname(row.relPath)}`)).size,
  };
}
