import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/catalog.js';
import { exportDataset } from '../../../src-main/dataset/export-dataset.js';
import { applySplit, planSplit, splitOverview } from '../../../src-main/dataset/split-service.js';
import { AppError } from '../../../src-shared/errors.js';
import { importFolders, UNAS_LABEL_SOURCE } from '../../../src-main/import/index.js';
import { UNAS_PICTURE_PRESET } from '../../../src-main/splits/index.js';
import { detachedJob } from '../../../src-shared/progress.js';
import { writeClassFolders } from '../../helpers/tiny-images.js';
import { databaseOf } from '../../../src-main/catalog/database-handle.js';

async function projectWith(
  perClass: Record<string, number>,
): Promise<{ catalog: Catalog; dir: string; images: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-dataset-'));
  const images = join(dir, 'images');
  await writeClassFolders(images, perClass, 12);
  const catalog = Catalog.open(join(dir, 'seshat.sqlite'));
  await importFolders(catalog, { roots: [images], labelSource: { kind: 'folders' }, thumbnailsDir: null });
  return { catalog, dir, images };
}

function snapshot(catalog: Catalog): string[] {
  return catalog
    .imageRows({ labelledOnly: true })
    .map((row) => `${row.hash}|${row.className}|${row.split}`)
    .sort();
}

test('a split with a seed is reproducible and written in one go', async () => {
  const { catalog } = await projectWith({ cat: 20, dog: 20, owl: 10 });
  const first = planSplit(catalog, { seed: 7 });
  const again = planSplit(catalog, { seed: 7 });
  assert.deepEqual(first.totals, again.totals);
  applySplit(catalog, { seed: 7 });
  const once = snapshot(catalog);
  applySplit(catalog, { seed: 7 });
  assert.deepEqual(snapshot(catalog), once);
  applySplit(catalog, { seed: 8 });
  assert.notDeepEqual(snapshot(catalog), once, 'another seed gives another split');
  const overview = splitOverview(catalog);
  assert.equal(overview.totals.none, 0);
  assert.equal(overview.totals.train + overview.totals.validation + overview.totals.test, 50);
  catalog.close();
});

test('a locked test set survives a re-split and new images never join it', async () => {
  const { catalog, dir } = await projectWith({ cat: 20, dog: 20 });
  applySplit(catalog, { seed: 1 });
  catalog.splits.setLocked('test', true);
  const testIds = catalog
    .imageRows()
    .filter((row) => row.split === 'test')
    .map((row) => row.id);
  assert.ok(testIds.length > 0);
  applySplit(catalog, { seed: 99, ratios: { train: 50, validation: 25, test: 25 } });
  const after = catalog.imageRows();
  assert.deepEqual(
    after.filter((row) => row.split === 'test').map((row) => row.id),
    testIds,
  );

  const more = join(dir, 'more');
  await writeClassFolders(more, { cat: 10, dog: 10 }, 14);
  await importFolders(catalog, { roots: [more], labelSource: { kind: 'folders' }, thumbnailsDir: null });
  // The import placed its labelled images itself, under the project's rule, never in test.
  assert.equal(catalog.splits.placeLabelled(), 0, 'nothing left unplaced after the import');
  const rows = catalog.imageRows();
  assert.equal(rows.filter((row) => row.split !== null).length, 60);
  assert.deepEqual(
    rows.filter((row) => row.split === 'test').map((row) => row.id),
    testIds,
  );
  assert.ok(rows.every((row) => row.split !== null));
  catalog.close();
});

test('export writes class folders per split and a manifest; importing it gives the same dataset back', async () => {
  const { catalog, dir } = await projectWith({ cat: 9, dog: 7, 'owl chick': 5 });
  applySplit(catalog, { seed: 3 });
  const out = join(dir, 'export');
  const report = await exportDataset(catalog, { outDir: out, mode: 'copy' }, detachedJob());
  assert.equal(report.exported, 21);
  assert.deepEqual(readdirSync(out).sort(), ['manifest.csv', 'test', 'train', 'validation']);
  assert.ok(existsSync(join(out, 'train', 'owl chick')));
  const manifest = readFileSync(join(out, 'manifest.csv'), 'utf8').trim().split('\n');
  assert.equal(manifest[0], 'path,label,split');
  assert.equal(manifest.length, 22);

  const copy = Catalog.open(':memory:');
  await importFolders(copy, { roots: [out], labelSource: { kind: 'folders' }, thumbnailsDir: null });
  assert.deepEqual(snapshot(copy), snapshot(catalog));
  copy.close();
  catalog.close();
});

test('export refuses a folder that is not empty, naming it', async () => {
  const { catalog, dir } = await projectWith({ cat: 3, dog: 3 });
  applySplit(catalog, { seed: 3 });
  const out = join(dir, 'busy');
  mkdirSync(out);
  writeFileSync(join(out, 'keep-me.txt'), 'mine');
  await assert.rejects(
    exportDataset(catalog, { outDir: out }, detachedJob()),
    (error: unknown) => error instanceof AppError && error.code === 'CONFLICT' && error.message.includes(out),
  );
  assert.equal(readFileSync(join(out, 'keep-me.txt'), 'utf8'), 'mine');
  catalog.close();
});

test('export collisions: two files of one name in one class folder both survive', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-collide-'));
  await writeClassFolders(join(dir, 'a'), { cat: 2 }, 10);
  await writeClassFolders(join(dir, 'b'), { cat: 2 }, 16);
  const catalog = Catalog.open(':memory:');
  await importFolders(catalog, {
    roots: [join(dir, 'a'), join(dir, 'b')],
    labelSource: { kind: 'folders' },
    thumbnailsDir: null,
  });
  databaseOf(catalog)
    .prepare("INSERT INTO splits (image_id, split, locked, updated_at) SELECT id, 'train', 0, 0 FROM images")
    .run();
  const report = await exportDataset(catalog, { outDir: join(dir, 'out') }, detachedJob());
  assert.equal(report.exported, 4);
  assert.equal(report.renamed, 2);
  assert.equal(readdirSync(join(dir, 'out', 'train', 'cat')).length, 4);
  catalog.close();
});

const unas = resolve(import.meta.dirname, '../../../../shared/datasets/unas-glyphs/Manual/Preprocessed');

test(
  'the Unas crops split by picture put no picture in two splits',
  { skip: existsSync(unas) ? false : `dataset not found at ${unas}` },
  async () => {
    const catalog = Catalog.open(':memory:');
    await importFolders(catalog, { roots: [unas], labelSource: UNAS_LABEL_SOURCE, thumbnailsDir: null });
    applySplit(catalog, { seed: 1, group: UNAS_PICTURE_PRESET.mode });
    const splitsByPicture = new Map<string, Set<string>>();
    for (const row of catalog.imageRows({ labelledOnly: true })) {
      const picture = row.relPath.split('/').pop()!.slice(0, 2);
      const seen = splitsByPicture.get(picture) ?? new Set<string>();
      seen.add(row.split!);
      splitsByPicture.set(picture, seen);
    }
    assert.equal(splitsByPicture.size, 6);
    for (const [picture, splits] of splitsByPicture)
      assert.equal(splits.size, 1, `picture ${picture} is in ${[...splits].join(' and ')}`);
    const used = new Set([...splitsByPicture.values()].flatMap((s) => [...s]));
    assert.deepEqual([...used].sort(), ['test', 'train', 'validation']);
    catalog.close();
  },
);
