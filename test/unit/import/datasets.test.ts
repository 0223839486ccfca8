/**
 * Imports of the shared test datasets (skipped when ../shared is not there).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/index.js';
import { UNAS_LABEL_SOURCE, importFolders, previewImport } from '../../../src-main/import/index.js';
import { sharedDir, tempDir } from '../../helpers/images.js';

const unas = path.join(sharedDir, 'datasets/unas-glyphs/Manual/Preprocessed');
const flowers = path.join(sharedDir, 'datasets/flowers-sample');

test('Unas glyphs with the file-name preset: 2541 images with their Gardiner labels', async (t) => {
  if (!existsSync(unas)) return t.skip(`dataset not found at ${unas}`);
  const dir = tempDir(t);
  const catalog = Catalog.open(path.join(dir, 'seshat.sqlite'));
  t.after(() => catalog.close());
  const preview = await previewImport([unas], UNAS_LABEL_SOURCE, { signal: new AbortController().signal });
  assert.equal(preview.files, 2541);
  assert.equal(preview.unmatched.count, 0);
  const report = await importFolders(catalog, {
    roots: [unas],
    labelSource: UNAS_LABEL_SOURCE,
    thumbnailsDir: path.join(dir, 'thumbnails'),
  });
  assert.equal(report.status, 'done');
  assert.equal(report.counts.imported, 2541);
  assert.equal(report.counts.errors, 0);
  const stats = catalog.stats();
  assert.equal(stats.images, 2541);
  assert.equal(stats.labelled, 2541);
  assert.equal(stats.classes, preview.classes.length);
  assert.equal(stats.classes, 145);
  const rootId = catalog.images.listRoots()[0]!.id;
  const labelOf = (rel: string) => {
    const image = catalog.images.findByPath(rootId, rel);
    assert.ok(image, `${rel} imported`);
    return catalog.classes.get(catalog.labels.get(image.id)!.classId)!.name;
  };
  assert.equal(labelOf('3/030001_D58.png'), 'D58');
  assert.equal(labelOf('3/030000_S29.png'), 'S29');
  const image = catalog.images.findByPath(rootId, '3/030001_D58.png')!;
  assert.deepEqual([image.width, image.height, image.channels, image.format], [50, 75, 1, 'png']);
  const counts = catalog.grid.classCounts({});
  const count = (name: string) => counts.byClass[catalog.classes.findByName(name)!.id];
  assert.equal(count('UNKNOWN'), 112);
  assert.equal(count('N35'), 286);
  assert.equal(count('M17'), 238);
  // Pictures are folders: a path filter selects one wall.
  assert.equal(catalog.grid.count({ pathContains: '21/' }), readdirSync(path.join(unas, '21')).length);
});

test('flowers sample by folder: five classes, duplicate photos reported', async (t) => {
  if (!existsSync(flowers)) return t.skip(`dataset not found at ${flowers}`);
  const dir = tempDir(t);
  const catalog = Catalog.open(path.join(dir, 'seshat.sqlite'));
  t.after(() => catalog.close());
  const report = await importFolders(catalog, {
    roots: [flowers],
    labelSource: { kind: 'folders' },
    thumbnailsDir: path.join(dir, 'thumbnails'),
  });
  assert.equal(report.counts.scanned, 2594);
  assert.equal(report.counts.errors, 0);
  assert.equal(report.counts.imported + report.counts.duplicates, 2594);
  assert.ok(report.counts.duplicates > 0, 'the sample holds a few identical photos');
  assert.deepEqual(
    catalog.classes
      .list()
      .map((c) => c.name)
      .sort(),
    ['daisy', 'dandelion', 'rose', 'sunflower', 'tulip'],
  );
});
