import assert from 'node:assert/strict';
import { existsSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/index.js';
import { thumbnailPath } from '../../../src-main/images/thumbnails.js';
import { importFolders, rescan } from '../../../src-main/import/index.js';
import { tempDir, writeImage } from '../../helpers/images.js';

async function imported(t: { after: (fn: () => void) => void }) {
  const dir = tempDir(t);
  const catalog = Catalog.open(path.join(dir, 'seshat.sqlite'));
  t.after(() => catalog.close());
  const root = path.join(dir, 'photos');
  for (const [i, rel] of ['cat/keep.png', 'cat/move-me.png', 'dog/change-me.png', 'dog/delete-me.png'].entries()) {
    await writeImage(root, rel, { seed: 10 + i });
  }
  await importFolders(catalog, { roots: [root], labelSource: { kind: 'folders' } });
  return { dir, catalog, root, rootId: catalog.images.listRoots()[0]!.id };
}

test('rescan reports new, changed, moved and missing files and updates the catalog', async (t) => {
  const { catalog, root, rootId } = await imported(t);
  const moved = catalog.images.findByPath(rootId, 'cat/move-me.png')!;
  const changed = catalog.images.findByPath(rootId, 'dog/change-me.png')!;
  const deleted = catalog.images.findByPath(rootId, 'dog/delete-me.png')!;
  const humanClass = catalog.classes.create({ name: 'lion' }).id;
  catalog.labels.setLabels([{ imageId: moved.id, classId: humanClass }]);

  renameSync(path.join(root, 'cat/move-me.png'), path.join(root, 'dog/moved.png'));
  await writeImage(root, 'dog/change-me.png', { seed: 99 });
  utimesSync(path.join(root, 'dog/change-me.png'), new Date(), new Date(Date.now() + 5000));
  rmSync(path.join(root, 'dog/delete-me.png'));
  await writeImage(root, 'eel/new.png', { seed: 77 });

  const report = await rescan(catalog);
  assert.equal(report.kind, 'rescan');
  assert.equal(report.status, 'done');
  const { counts } = report;
  assert.deepEqual(
    {
      imported: counts.imported,
      changed: counts.changed,
      moved: counts.moved,
      missing: counts.missing,
      unchanged: counts.unchanged,
    },
    { imported: 1, changed: 1, moved: 1, missing: 1, unchanged: 1 },
  );
  const kinds = Object.fromEntries(
    report.items.map((i) => [i.kind, path.relative(root, i.path).split(path.sep).join('/')]),
  );
  assert.deepEqual(kinds, {
    new: 'eel/new.png',
    changed: 'dog/change-me.png',
    moved: 'dog/moved.png',
    missing: 'dog/delete-me.png',
  });
  assert.match(report.items.find((i) => i.kind === 'moved')!.detail, /cat\/move-me\.png/);

  // Moved: same row, new path, label kept.
  const after = catalog.images.get(moved.id)!;
  assert.equal(after.relPath, 'dog/moved.png');
  assert.equal(catalog.labels.get(moved.id)?.classId, humanClass);
  // Changed: same row, new hash.
  assert.notEqual(catalog.images.get(changed.id)!.hash, changed.hash);
  // Missing: kept, flagged.
  assert.equal(catalog.images.get(deleted.id)!.status, 'missing');
  // New: labelled by the root's stored label source (folders).
  const added = catalog.images.findByPath(rootId, 'eel/new.png')!;
  assert.equal(catalog.labels.get(added.id)?.classId, catalog.classes.findByName('eel')!.id);
  assert.equal(catalog.images.count(), 5);

  // A second rescan finds nothing new; the missing file coming back is present again.
  await writeImage(root, 'dog/delete-me.png', { seed: 13 });
  const second = await rescan(catalog, rootId);
  assert.equal(second.counts.imported + second.counts.changed + second.counts.moved + second.counts.missing, 0);
  assert.equal(catalog.images.get(deleted.id)!.status, 'present');
  assert.equal(catalog.images.count(), 5);
});

test('rescan of a folder that is gone marks its images missing, not deleted', async (t) => {
  const { catalog, root } = await imported(t);
  rmSync(root, { recursive: true });
  const report = await rescan(catalog);
  assert.equal(report.status, 'done');
  assert.equal(report.counts.missing, 4);
  assert.ok(report.items.some((i) => i.code === 'ROOT_UNAVAILABLE'));
  assert.equal(catalog.stats().missing, 4);
  assert.equal(catalog.stats().labelled, 4);
});

test('rescan of an unknown root id is NOT_FOUND', async (t) => {
  const { catalog } = await imported(t);
  await assert.rejects(rescan(catalog, { rootId: 999 }), (e: unknown) => (e as { code?: string }).code === 'NOT_FOUND');
});

test('a rescan reports the label file’s unusable rows too, with the CSV and the line', async (t) => {
  const dir = tempDir(t);
  const root = path.join(dir, 'walls');
  await writeImage(root, 'a.png', { seed: 1 });
  await writeImage(root, 'b.png', { seed: 2 });
  const csv = path.join(dir, 'labels.csv');
  writeFileSync(csv, 'path,label\na.png,G17\nb.png,\n');
  const catalog = Catalog.open(':memory:');
  t.after(() => catalog.close());
  const first = await importFolders(catalog, { roots: [root], labelSource: { kind: 'csv', file: csv } });
  const rowProblem = (report: typeof first) => report.items.filter((item) => item.code === 'CSV_ROW');
  assert.equal(rowProblem(first).length, 1);
  await writeImage(root, 'c.png', { seed: 3 });
  const again = await rescan(catalog);
  assert.deepEqual(
    rowProblem(again).map((item) => [item.path, item.detail.split(':')[0]]),
    [[csv, 'line 3']],
  );
});

test('a re-scan makes again a thumbnail that was deleted, and leaves the image unchanged', async (t) => {
  const dir = tempDir(t);
  const catalog = Catalog.open(path.join(dir, 'seshat.sqlite'));
  t.after(() => catalog.close());
  const root = path.join(dir, 'photos');
  await writeImage(root, 'cat/one.png', { seed: 3 });
  await writeImage(root, 'cat/two.png', { seed: 4 });
  const thumbnailsDir = path.join(dir, 'thumbnails');
  await importFolders(catalog, { roots: [root], labelSource: { kind: 'folders' }, thumbnailsDir });
  const [one, two] = ['cat/one.png', 'cat/two.png'].map((rel) =>
    catalog.images.findByPath(catalog.images.listRoots()[0]!.id, rel)!,
  );
  const gone = thumbnailPath(thumbnailsDir, one!.hash);
  const kept = thumbnailPath(thumbnailsDir, two!.hash);
  const keptAt = statSync(kept).mtimeMs;
  rmSync(gone);
  const report = await rescan(catalog, { thumbnailsDir });
  assert.equal(report.counts.unchanged, 2);
  assert.ok(existsSync(gone), 'the deleted thumbnail is made again');
  assert.equal(statSync(kept).mtimeMs, keptAt, 'a thumbnail that is there is not rewritten');
});
