/**
 * The project's split rule holds for every image, however it gets its label: an
 * image labelled after a split joins its picture's split (never leaking a picture
 * into two splits), and a test set locked before the first split is locked by it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/catalog.js';
import { applySplit, lockSplit, splitOverview } from '../../../src-main/dataset/split-service.js';
import { importFolders } from '../../../src-main/import/index.js';
import { acceptPredictions } from '../../../src-main/runs/predict-service.js';
import { tempDir, writeImage } from '../../helpers/images.js';

const PICTURES = ['wall-1', 'wall-2', 'wall-3', 'wall-4', 'wall-5', 'wall-6'];

/** Six "pictures" (folders) of `perPicture` unlabelled images each. */
async function walls(t: Parameters<typeof tempDir>[0], perPicture = 8) {
  const dir = tempDir(t);
  let seed = 1;
  for (const picture of PICTURES) {
    for (let i = 0; i < perPicture; i++)
      await writeImage(join(dir, 'crops'), `${picture}/${picture}_${i}.png`, { seed: seed++ * 7 });
  }
  const catalog = Catalog.open(join(dir, 'seshat.sqlite'));
  t.after(() => catalog.close());
  await importFolders(catalog, { roots: [join(dir, 'crops')], labelSource: { kind: 'none' }, thumbnailsDir: null });
  const rows = catalog.imageRows();
  const idsOf = (picture: string) => rows.filter((row) => row.relPath.startsWith(`${picture}/`)).map((row) => row.id);
  catalog.classes.create({ name: 'G17' });
  catalog.classes.create({ name: 'M17' });
  return { dir, catalog, idsOf };
}

/** Every picture's labelled images sit in one split, and each has one. */
function assertPicturesWhole(catalog: Catalog): Map<string, string> {
  const byPicture = new Map<string, Set<string>>();
  for (const row of catalog.imageRows({ labelledOnly: true })) {
    const picture = row.relPath.split('/')[0]!;
    const splits = byPicture.get(picture) ?? new Set();
    splits.add(row.split ?? 'none');
    byPicture.set(picture, splits);
  }
  const result = new Map<string, string>();
  for (const [picture, splits] of byPicture) {
    assert.equal(splits.size, 1, `${picture} is in ${[...splits].join(' and ')}`);
    assert.ok(!splits.has('none'), `${picture} has labelled images without a split`);
    result.set(picture, [...splits][0]!);
  }
  return result;
}

test('a test set locked before the first split is locked by it and survives re-splits', async (t) => {
  const { catalog, idsOf } = await walls(t);
  const g17 = catalog.classes.findByName('G17')!.id;
  catalog.labels.setLabels(PICTURES.flatMap((p) => idsOf(p)).map((imageId) => ({ imageId, classId: g17 })));
  lockSplit(catalog, 'test', true);
  assert.equal(splitOverview(catalog).testLocked, true, 'the lock shows before any split exists');
  applySplit(catalog, { seed: 1, group: { kind: 'folder' } });
  const testRows = catalog.imageRows().filter((row) => row.split === 'test');
  assert.ok(testRows.length > 0);
  assert.ok(
    testRows.every((row) => row.locked),
    'every test image is locked',
  );
  applySplit(catalog, { seed: 77, group: { kind: 'folder' } });
  assert.deepEqual(
    catalog
      .imageRows()
      .filter((row) => row.split === 'test')
      .map((row) => row.id),
    testRows.map((row) => row.id),
    'a re-split with another seed keeps the test set',
  );
  assert.equal(splitOverview(catalog).testLocked, true);
  lockSplit(catalog, 'test', false);
  assert.equal(splitOverview(catalog).testLocked, false);
});

test('images labelled after a grouped split join their picture’s split, whichever way the label arrives', async (t) => {
  const { dir, catalog, idsOf } = await walls(t);
  const { G17: a, M17: b } = Object.fromEntries(catalog.classes.list().map((c) => [c.name, c.id])) as Record<
    string,
    number
  >;
  // Label the first half of each picture, then split grouped by picture.
  for (const picture of PICTURES) {
    catalog.labels.setLabels(
      idsOf(picture)
        .slice(0, 4)
        .map((imageId, i) => ({ imageId, classId: i % 2 ? a! : b! })),
    );
  }
  applySplit(catalog, { seed: 3, group: { kind: 'folder' } });
  const before = assertPicturesWhole(catalog);
  assert.ok(new Set(before.values()).size >= 2, 'the split uses more than one split');

  // By key (one image), in bulk (several), by accepting predictions, by merge, by import.
  const [p1, p2, p3, p4] = PICTURES;
  catalog.labels.setLabels([{ imageId: idsOf(p1!)[4]!, classId: a! }]);
  catalog.labels.setLabels(
    idsOf(p2!)
      .slice(4, 7)
      .map((imageId) => ({ imageId, classId: b! })),
  );
  const run = catalog.runs.create({ name: 'r', preset: 'small-cnn' });
  catalog.runs.savePredictions(
    run.id,
    idsOf(p3!)
      .slice(4)
      .map((imageId) => ({ imageId, classId: a!, confidence: 0.9, topK: [{ classId: a!, p: 0.9 }] })),
  );
  acceptPredictions(catalog, run.id, idsOf(p3!).slice(4));
  const owl = catalog.classes.create({ name: 'G1' }).id;
  catalog.labels.setLabels(
    idsOf(p4!)
      .slice(4)
      .map((imageId) => ({ imageId, classId: owl })),
  );
  catalog.labels.mergeClasses(owl, a!);
  await writeImage(join(dir, 'crops'), `${PICTURES[4]}/late_arrival.png`, { seed: 9999 });
  await importFolders(catalog, {
    roots: [join(dir, 'crops')],
    labelSource: { kind: 'filename', pattern: '^(late)_' },
    thumbnailsDir: null,
  });

  const after = assertPicturesWhole(catalog);
  assert.deepEqual([...after], [...before], 'each picture stays in the split it had');
  const late = catalog.imageRows().find((row) => row.relPath.endsWith('late_arrival.png'))!;
  assert.equal(late.split, before.get(PICTURES[4]!), 'an imported image joins its picture');
});

test('undoing a label takes back the split it gave; redo places the image again', async (t) => {
  const { catalog, idsOf } = await walls(t);
  const a = catalog.classes.findByName('G17')!.id;
  catalog.labels.setLabels(PICTURES.flatMap((p) => idsOf(p).slice(0, 2)).map((imageId) => ({ imageId, classId: a })));
  applySplit(catalog, { seed: 3, group: { kind: 'folder' } });
  const image = idsOf(PICTURES[0]!)[5]!;
  catalog.labels.setLabels([{ imageId: image, classId: a }]);
  const placed = catalog.splits.get(image);
  assert.ok(placed);
  catalog.labels.undo();
  assert.equal(catalog.splits.get(image), undefined);
  catalog.labels.redo();
  assert.deepEqual(catalog.splits.get(image), placed);
});
