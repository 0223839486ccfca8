import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../src-shared/errors.js';
import {
  DEFAULT_RATIOS,
  SPLITS,
  UNAS_PICTURE_PRESET,
  assignNewItems,
  compileGroupKey,
  findCrossSplitDuplicates,
  groupAwareSplit,
  groupKeyFromPath,
  largestRemainder,
  stratifiedSplit,
  type Split,
  type SplitCounts,
  type SplitItem,
  type SplitResult,
} from '../../../src-main/splits/index.js';

/** Items for classes of the given sizes, ids from `firstId`. */
function makeItems(sizes: Record<string, number>, firstId = 1): SplitItem[] {
  const items: SplitItem[] = [];
  let id = firstId;
  for (const [classKey, size] of Object.entries(sizes)) {
    for (let i = 0; i < size; i++) items.push({ id: id++, classKey });
  }
  return items;
}

function splitOf(result: SplitResult): Map<number, Split> {
  return new Map(result.assignments.map((entry) => [entry.id, entry.split]));
}

function countsFor(result: SplitResult, classKey: string): SplitCounts {
  const summary = result.perClass.find((entry) => entry.classKey === classKey);
  assert.ok(summary, `no summary for ${classKey}`);
  return summary.counts;
}

const SIZES = { G43: 40, M17: 23, D58: 17, N35: 9, X1: 6, V31A: 4 };

test('largest remainder gives counts summing to the total, each within one of its quota', () => {
  for (let total = 0; total <= 60; total++) {
    const counts = largestRemainder(total, DEFAULT_RATIOS);
    assert.equal(counts.train + counts.validation + counts.test, total);
    for (const split of SPLITS)
      assert.ok(Math.abs(counts[split] - total * DEFAULT_RATIOS[split]) < 1, `${total} ${split}`);
  }
  assert.deepEqual(largestRemainder(10, { train: 0.8, validation: 0.2, test: 0 }), {
    train: 8,
    validation: 2,
    test: 0,
  });
});

test('stratified split: the same seed gives the same split, another seed a different one', () => {
  const items = makeItems(SIZES);
  const first = stratifiedSplit(items, { seed: 42 });
  const again = stratifiedSplit([...items].reverse(), { seed: 42 });
  assert.deepEqual(again.assignments, first.assignments, 'input order does not matter');
  const other = stratifiedSplit(items, { seed: 43 });
  assert.notDeepEqual(other.assignments, first.assignments);
  assert.deepEqual(
    stratifiedSplit(items, { seed: 'unas' }).assignments,
    stratifiedSplit(items, { seed: 'unas' }).assignments,
  );
  assert.notDeepEqual(
    stratifiedSplit(items, { seed: 'unas' }).assignments,
    stratifiedSplit(items, { seed: 'saqqara' }).assignments,
  );
});

test('stratified split keeps every class within one image of its target', () => {
  const result = stratifiedSplit(makeItems(SIZES), { seed: 7 });
  assert.equal(
    result.assignments.length,
    Object.values(SIZES).reduce((a, b) => a + b, 0),
  );
  for (const [classKey, size] of Object.entries(SIZES)) {
    const counts = countsFor(result, classKey);
    for (const split of SPLITS) {
      const target = size * DEFAULT_RATIOS[split];
      assert.ok(Math.abs(counts[split] - target) <= 1, `${classKey} ${split}: ${counts[split]} vs ${target}`);
    }
  }
  assert.ok(result.deviation.perClassMaxAbsImages <= 1);
  assert.ok(result.deviation.overallMaxAbs < 0.03);
  assert.deepEqual(result.noCoverage, []);
});

test('stratified split honours other ratios, given as percentages', () => {
  const result = stratifiedSplit(makeItems({ A1: 100 }), { seed: 1, ratios: { train: 80, validation: 20, test: 0 } });
  assert.deepEqual(countsFor(result, 'A1'), { train: 80, validation: 20, test: 0 });
  assert.throws(
    () => stratifiedSplit(makeItems({ A1: 3 }), { seed: 1, ratios: { train: -1, validation: 1, test: 1 } }),
    (error: unknown) => error instanceof AppError && error.code === 'INVALID_INPUT',
  );
});

test('locked items stay where they are and count toward their split', () => {
  const items = makeItems({ G43: 20 });
  for (const item of items.slice(0, 5)) item.locked = 'test';
  const result = stratifiedSplit(items, { seed: 3 });
  const splits = splitOf(result);
  for (const item of items.slice(0, 5)) assert.equal(splits.get(item.id), 'test');
  // 20 × 15% = 3 test images wanted, 5 are locked there: no unlocked image joins them.
  assert.deepEqual(countsFor(result, 'G43'), { train: 12, validation: 3, test: 5 });
  assert.deepEqual(result.perClass[0]?.locked, { train: 0, validation: 0, test: 5 });
});

test('rare classes stay wholly in train and are reported as lacking splits', () => {
  const items = makeItems({ G43: 30, Aa1: 2, F4: 1, O1: 3 });
  const result = stratifiedSplit(items, { seed: 5 });
  const splits = splitOf(result);
  for (const item of items.filter((i) => i.classKey === 'Aa1' || i.classKey === 'F4')) {
    assert.equal(splits.get(item.id), 'train');
  }
  assert.deepEqual(result.noCoverage, [
    { classKey: 'Aa1', total: 2, missing: ['validation', 'test'] },
    { classKey: 'F4', total: 1, missing: ['validation', 'test'] },
  ]);
  // Three images are enough for one per split.
  assert.deepEqual(countsFor(result, 'O1'), { train: 1, validation: 1, test: 1 });
  assert.ok(result.warnings.some((w) => w.kind === 'no-coverage' && w.classKeys?.includes('Aa1')));
  // Without a test split, two images cover train and validation.
  const twoWay = stratifiedSplit(items, { seed: 5, ratios: { train: 0.8, validation: 0.2, test: 0 } });
  assert.deepEqual(countsFor(twoWay, 'Aa1'), { train: 1, validation: 1, test: 0 });
  assert.ok(!twoWay.noCoverage.some((entry) => entry.classKey === 'Aa1'));
});

test('unlabeled items are ignored, imbalance and re-split moves are reported', () => {
  const items = makeItems({ G43: 120, D58: 11 });
  items.push({ id: 1000, classKey: null }, { id: 1001, classKey: null });
  for (const item of items) item.current = 'train';
  const result = stratifiedSplit(items, { seed: 9 });
  assert.equal(result.ignored, 2);
  assert.ok(!result.assignments.some((entry) => entry.id >= 1000));
  const imbalance = result.warnings.find((w) => w.kind === 'imbalance');
  assert.ok(imbalance, 'G43 has more than 10× the images of D58');
  assert.deepEqual(imbalance.classKeys, ['G43', 'D58']);
  assert.equal(result.moved, result.totals.validation + result.totals.test);
  assert.ok(
    !stratifiedSplit(makeItems({ G43: 100, D58: 10 }), { seed: 9 }).warnings.some((w) => w.kind === 'imbalance'),
  );
});

/** 30 groups ("photographs") of 3–17 crops each, with classes spread over them. */
function groupedItems(): SplitItem[] {
  const classes = ['G43', 'M17', 'D58', 'N35', 'X1'];
  const items: SplitItem[] = [];
  let id = 1;
  for (let g = 0; g < 30; g++) {
    const size = 3 + ((g * 7) % 15);
    for (let i = 0; i < size; i++)
      items.push({ id: id++, classKey: classes[(g + i) % classes.length]!, groupKey: `photo-${g}` });
  }
  return items;
}

function assertNoGroupStraddles(items: readonly SplitItem[], result: SplitResult): void {
  const splits = splitOf(result);
  const groupSplit = new Map<string, Split>();
  for (const item of items) {
    if (!item.groupKey || item.classKey === null) continue;
    const split = splits.get(item.id);
    assert.ok(split, `item ${item.id} unassigned`);
    const seen = groupSplit.get(item.groupKey);
    if (seen) assert.equal(split, seen, `group ${item.groupKey} straddles ${seen} and ${split}`);
    else groupSplit.set(item.groupKey, split);
  }
}

test('group-aware split never lets a group straddle splits and reports its deviation', () => {
  const items = groupedItems();
  const result = groupAwareSplit(items, { seed: 11 });
  assertNoGroupStraddles(items, result);
  assert.equal(result.groups.length, 30);
  assert.equal(result.assignments.length, items.length);
  assert.ok(result.deviation.overallMaxAbs < 0.05, `overall deviation ${result.deviation.overallMaxAbs}`);
  assert.ok(result.deviation.perClassMaxAbs < 0.1, `per-class deviation ${result.deviation.perClassMaxAbs}`);
  assert.deepEqual(groupAwareSplit(items, { seed: 11 }).assignments, result.assignments);
  assert.notDeepEqual(groupAwareSplit(items, { seed: 12 }).assignments, result.assignments);
});

test('group-aware split keeps a group with a locked item in that split', () => {
  const items = groupedItems();
  const locked = items.find((item) => item.groupKey === 'photo-4')!;
  locked.locked = 'test';
  const result = groupAwareSplit(items, { seed: 2 });
  assertNoGroupStraddles(items, result);
  assert.equal(result.groups.find((g) => g.groupKey === 'photo-4')?.split, 'test');
});

test('new items go to train or validation only, unless test is allowed', () => {
  const existing = new Map<string, SplitCounts>([
    ['G43', { train: 70, validation: 15, test: 15 }],
    ['D58', { train: 7, validation: 0, test: 3 }],
  ]);
  const items = makeItems({ G43: 40, D58: 10, N35: 8 }, 500);
  const result = assignNewItems(items, existing, { seed: 4 });
  assert.equal(result.assignments.length, 58);
  assert.ok(result.assignments.every((entry) => entry.split !== 'test'));
  assert.ok(result.warnings.some((w) => w.kind === 'test-excluded'));
  // Counts include the existing images; D58's empty validation split is refilled first.
  const d58 = countsFor(result, 'D58');
  assert.equal(d58.test, 3);
  assert.ok(d58.validation >= 3, `D58 validation ${d58.validation}`);
  const g43 = countsFor(result, 'G43');
  assert.equal(g43.train + g43.validation + g43.test, 140);
  // Test keeps its 15; train and validation share the other 125 as 70 : 15.
  assert.equal(g43.test, 15);
  assert.ok(Math.abs(g43.train - (125 * 70) / 85) <= 1, `G43 train ${g43.train}`);
  assert.ok(Math.abs(g43.validation - (125 * 15) / 85) <= 1, `G43 validation ${g43.validation}`);

  const withTest = assignNewItems(items, existing, { seed: 4, allowTest: true });
  assert.ok(withTest.assignments.some((entry) => entry.split === 'test'));
});

test('new items of a group that is already in test follow it there', () => {
  const items: SplitItem[] = [
    { id: 1, classKey: 'G43', groupKey: 'photo-1' },
    { id: 2, classKey: 'G43', groupKey: 'photo-1' },
    { id: 3, classKey: 'G43', groupKey: 'photo-2' },
  ];
  const result = assignNewItems(items, new Map(), { seed: 1, existingGroups: new Map([['photo-1', 'test']]) });
  const splits = splitOf(result);
  assert.equal(splits.get(1), 'test');
  assert.equal(splits.get(2), 'test');
  assert.notEqual(splits.get(3), 'test');
});

test('group keys come from the parent folder or a pattern on the file name', () => {
  // A folder is the root's (here 1) and the folder inside it; top-level images share their root's.
  assert.equal(groupKeyFromPath('Preprocessed/3/030001_D58.png', { kind: 'folder' }), '1:Preprocessed/3');
  assert.equal(groupKeyFromPath('Preprocessed\\3\\030001_D58.png', { kind: 'folder' }), '1:Preprocessed/3');
  assert.equal(groupKeyFromPath('030001_D58.png', { kind: 'folder' }, 7), '7:');
  assert.notEqual(
    groupKeyFromPath('a/1.png', { kind: 'folder' }, 2),
    groupKeyFromPath('a/1.png', { kind: 'folder' }, 3),
  );
  assert.equal(groupKeyFromPath('3/030001_D58.png', UNAS_PICTURE_PRESET.mode), '03');
  assert.equal(groupKeyFromPath('21/210001_G17.png', UNAS_PICTURE_PRESET.mode), '21');
  assert.equal(groupKeyFromPath('21/cover.png', UNAS_PICTURE_PRESET.mode), null);
  assert.equal(groupKeyFromPath('a/b/page12-x.png', { kind: 'regex', pattern: 'page\\d+' }), 'page12');
  assert.equal(groupKeyFromPath('scans/wall-A/1.png', { kind: 'regex', pattern: 'wall-(\\w)', on: 'path' }), 'A');
  assert.throws(
    () => groupKeyFromPath('x.png', { kind: 'regex', pattern: '(' }),
    (error: unknown) => error instanceof AppError && error.code === 'INVALID_INPUT',
  );
});

test('duplicates by hash are found only when they sit in different splits', () => {
  const duplicates = findCrossSplitDuplicates([
    { id: 1, hash: 'aa', split: 'train' },
    { id: 2, hash: 'aa', split: 'test' },
    { id: 3, hash: 'bb', split: 'train' },
    { id: 4, hash: 'bb', split: 'train' },
    { id: 5, hash: null, split: 'test' },
    { id: 6, hash: 'aa', split: 'train' },
  ]);
  assert.deepEqual(duplicates, [
    {
      hash: 'aa',
      splits: ['train', 'test'],
      items: [
        { id: 1, split: 'train' },
        { id: 2, split: 'test' },
        { id: 6, split: 'train' },
      ],
    },
  ]);
});

const UNAS = '/work/shared/datasets/unas-glyphs/Manual/Preprocessed';

test(
  'Unas crops grouped by picture: no picture lands in two splits',
  { skip: !existsSync(UNAS) && `${UNAS} is absent` },
  () => {
    const keyOf = compileGroupKey(UNAS_PICTURE_PRESET.mode);
    const items: SplitItem[] = [];
    const pictures = readdirSync(UNAS).filter((name) => statSync(join(UNAS, name)).isDirectory());
    for (const picture of pictures) {
      for (const file of readdirSync(join(UNAS, picture)).filter((name) => name.endsWith('.png'))) {
        const label = /_([^_.]+)\.png$/.exec(file)?.[1] ?? null;
        const groupKey = keyOf(`${picture}/${file}`, 1);
        assert.equal(groupKey, picture.padStart(2, '0'), file);
        items.push({ id: items.length + 1, classKey: label === 'UNKNOWN' ? null : label, groupKey });
      }
    }
    assert.ok(pictures.length >= 3, 'needs at least one picture per split');
    const result = groupAwareSplit(items, { seed: 'unas' });
    assertNoGroupStraddles(items, result);
    assert.equal(result.groups.length, pictures.length);
    for (const split of SPLITS)
      assert.ok(
        result.groups.some((g) => g.split === split),
        `no picture in ${split}`,
      );
    assert.equal(result.ignored, items.filter((item) => item.classKey === null).length);
    // Whole pictures of ~400 crops cannot hit 70/15/15 exactly, but can come close.
    assert.ok(result.deviation.overallMaxAbs < 0.1, `overall deviation ${result.deviation.overallMaxAbs}`);
    assert.ok(result.noCoverage.length > 0, 'many Unas classes occur in one picture only');
  },
);
