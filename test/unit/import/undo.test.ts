/**
 * An import is one undoable step: undo removes the images, folders and classes it
 * added and gives back the labels it changed, so the catalog reads as before it.
 * Each project remembers its own import settings; a new one starts from defaults.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { AppServices } from '../../../src-main/app/app-services.js';
import { Catalog } from '../../../src-main/catalog/catalog.js';
import { importFolders } from '../../../src-main/import/index.js';
import { tempDir, writeImage } from '../../helpers/images.js';
import { createAppDispatcher } from '../../../src-main/api/app-dispatcher.js';
import { databaseOf } from '../../../src-main/catalog/database-handle.js';

/** Everything a user could see change: images, labels, classes, folders, splits. */
function snapshot(catalog: Catalog) {
  const all = (sql: string) => databaseOf(catalog).prepare(sql).all();
  return {
    images: all('SELECT id, root_id, rel_path, hash FROM images ORDER BY id'),
    labels: all('SELECT image_id, class_id, source FROM labels ORDER BY image_id'),
    classes: all('SELECT id, name FROM classes ORDER BY id'),
    roots: all('SELECT id, path FROM roots ORDER BY id'),
    splits: all('SELECT image_id, split, locked FROM splits ORDER BY image_id'),
  };
}

test('undoing an import puts the catalog back as it was before it', async (t) => {
  const dir = tempDir(t);
  for (let i = 0; i < 4; i++) await writeImage(join(dir, 'walls'), `G17/owl_${i}.png`, { seed: i + 1 });
  for (let i = 0; i < 3; i++) await writeImage(join(dir, 'more'), `M17/reed_${i}.png`, { seed: 50 + i });
  const catalog = Catalog.open(join(dir, 'seshat.sqlite'));
  t.after(() => catalog.close());
  // First import: unlabelled. One image gets a label by hand.
  await importFolders(catalog, { roots: [join(dir, 'walls')], labelSource: { kind: 'none' }, thumbnailsDir: null });
  const human = catalog.classes.create({ name: 'X1' }).id;
  catalog.labels.setLabels([{ imageId: 1, classId: human }], { description: 'by hand' });
  const before = snapshot(catalog);

  // Second import: the same folder labelled by folder name (labels the three unlabelled
  // images, leaves the hand label) and a new folder with a new class.
  const report = await importFolders(catalog, {
    roots: [join(dir, 'walls'), join(dir, 'more')],
    labelSource: { kind: 'folders' },
    thumbnailsDir: null,
  });
  assert.equal(report.counts.imported, 3);
  assert.equal(
    catalog.labels.get(2)?.classId,
    catalog.classes.findByName('G17')!.id,
    'the re-import labelled an existing image',
  );
  assert.notDeepEqual(snapshot(catalog), before);

  const result = catalog.imports.undo(report.id);
  assert.deepEqual(
    {
      removedImages: result.removedImages,
      restoredLabels: result.restoredLabels,
      removedRoots: result.removedRoots,
      removedClasses: result.removedClasses,
    },
    { removedImages: 3, restoredLabels: 3, removedRoots: 1, removedClasses: 2 },
  );
  assert.deepEqual(snapshot(catalog), before, 'images, labels, classes, folders and splits as before the import');
  assert.throws(
    () => catalog.imports.undo(report.id),
    (error: { code?: string }) => error.code === 'CONFLICT',
    'an import is undone once',
  );
});

test('a label changed by hand after the import is kept by its undo, and counted as a conflict', async (t) => {
  const dir = tempDir(t);
  for (let i = 0; i < 3; i++) await writeImage(join(dir, 'walls'), `G17/owl_${i}.png`, { seed: i + 1 });
  const catalog = Catalog.open(join(dir, 'seshat.sqlite'));
  t.after(() => catalog.close());
  await importFolders(catalog, { roots: [join(dir, 'walls')], labelSource: { kind: 'none' }, thumbnailsDir: null });
  const report = await importFolders(catalog, {
    roots: [join(dir, 'walls')],
    labelSource: { kind: 'folders' },
    thumbnailsDir: null,
  });
  const fixed = catalog.classes.create({ name: 'G1' }).id;
  catalog.labels.setLabels([{ imageId: 1, classId: fixed }], { description: 'fix' });
  const result = catalog.imports.undo(report.id);
  assert.equal(result.conflicts, 1);
  assert.equal(catalog.labels.get(1)?.classId, fixed, 'the later hand label stays');
  assert.equal(catalog.labels.get(2), undefined, 'the import’s own label went');
});

test('each project remembers its own import settings; a new project has none', async (t) => {
  const dir = tempDir(t);
  for (let i = 0; i < 2; i++) await writeImage(join(dir, 'photos'), `roses/rose_${i}.png`, { seed: i + 3 });
  const services = AppServices.open({
    userDataDir: join(dir, 'user'),
    projectDir: join(dir, 'a'),
    platform: { transport: 'web', electronVersion: null },
  });
  t.after(() => services.close());
  const call = createAppDispatcher(services);
  const pattern = { kind: 'filename', pattern: '^(?<label>[a-z]+)_' } as const;
  const started = (await call('startImport', { roots: [join(dir, 'photos')], labelSource: pattern })) as {
    ok: true;
    value: { taskId: string };
  };
  assert.ok(started.ok, JSON.stringify(started));
  await services.tasks.settle(30_000);
  assert.deepEqual(await call('getImportSettings', {}), {
    ok: true,
    value: { roots: [join(dir, 'photos')], labelSource: pattern, duplicates: 'skip' },
  });
  services.openProject(join(dir, 'b'), true);
  assert.deepEqual(
    await call('getImportSettings', {}),
    { ok: true, value: null },
    'project B does not inherit A’s file-name pattern',
  );
  services.openProject(join(dir, 'a'), false);
  const back = (await call('getImportSettings', {})) as { ok: true; value: { labelSource: unknown } };
  assert.deepEqual(back.value.labelSource, pattern);
});
