import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/index.js';
import { AppError } from '../../../src-shared/errors.js';
import { thumbnailPath } from '../../../src-main/images/index.js';
import { importFolders, nodeIo, previewImport, scanFolder, type ImportIo } from '../../../src-main/import/index.js';
import type { TaskProgress } from '../../../src-shared/progress.js';
import { imageBuffer, noisyImage, pngHeaderClaiming, tempDir, truncated, writeImage } from '../../helpers/images.js';

function project(t: { after: (fn: () => void) => void }) {
  const dir = tempDir(t);
  const catalog = Catalog.open(path.join(dir, 'seshat.sqlite'));
  t.after(() => catalog.close());
  return { dir, catalog, thumbnailsDir: path.join(dir, 'thumbnails') };
}

/** flowers-like tree with a split layout: train/{cat,dog}, val/cat, test/dog. */
async function splitTree(root: string): Promise<void> {
  let seed = 100;
  for (const rel of [
    'train/cat/1.png',
    'train/cat/2.jpg',
    'train/dog/3.png',
    'val/cat/4.webp',
    'test/dog/5.tiff',
    'train/dog/6.gif',
  ]) {
    await writeImage(root, rel, { seed: seed++ });
  }
}

test('importing a train/val/test folder layout sets classes, labels, splits and thumbnails', async (t) => {
  const { dir, catalog, thumbnailsDir } = project(t);
  const root = path.join(dir, 'photos');
  await splitTree(root);
  const progress: TaskProgress[] = [];
  const report = await importFolders(
    catalog,
    { roots: [root], labelSource: { kind: 'folders' }, thumbnailsDir },
    { signal: new AbortController().signal, onProgress: (p) => progress.push(p) },
  );
  assert.equal(report.status, 'done');
  assert.equal(report.counts.imported, 6);
  assert.equal(report.counts.errors, 0);
  assert.deepEqual(
    catalog.classes
      .list()
      .map((c) => c.name)
      .sort(),
    ['cat', 'dog'],
  );
  const stats = catalog.stats();
  assert.deepEqual(stats.bySplit, { train: 4, validation: 1, test: 1, none: 0 });
  assert.equal(stats.labelled, 6);
  const image = catalog.images.findByPath(catalog.images.listRoots()[0]!.id, 'val/cat/4.webp')!;
  assert.equal(image.format, 'webp');
  assert.equal(catalog.labels.get(image.id)?.classId, catalog.classes.findByName('cat')!.id);
  assert.deepEqual(catalog.splits.get(image.id), { split: 'validation', locked: true });
  assert.ok(existsSync(thumbnailPath(thumbnailsDir, image.hash)));
  const last = progress.at(-1)!;
  assert.equal(last.done, 6);
  assert.equal(last.total, 6);
  assert.equal(last.counts?.imported, 6);
  // Stored in the catalog too.
  assert.equal(catalog.reports.require(report.id).counts.imported, 6);
  // Rows are committed in scan order whatever order the files finished in: ids follow the folders.
  const byId = catalog.grid.page({}, { sort: 'imported' }).items.map((i) => i.relPath);
  assert.deepEqual(byId, [
    'test/dog/5.tiff',
    'train/cat/1.png',
    'train/cat/2.jpg',
    'train/dog/3.png',
    'train/dog/6.gif',
    'val/cat/4.webp',
  ]);
});

test('re-importing the same folder adds no rows and decodes nothing again', async (t) => {
  const { dir, catalog, thumbnailsDir } = project(t);
  const root = path.join(dir, 'photos');
  await splitTree(root);
  await importFolders(catalog, { roots: [root], labelSource: { kind: 'folders' }, thumbnailsDir });
  // Any file read now would fail: unchanged files (same path, size, mtime) must not be read.
  const noReads: ImportIo = { ...nodeIo, readFile: (f) => Promise.reject(new Error(`unexpected read of ${f}`)) };
  const again = await importFolders(catalog, {
    roots: [root],
    labelSource: { kind: 'folders' },
    thumbnailsDir,
    io: noReads,
  });
  assert.equal(again.counts.errors, 0);
  assert.equal(again.counts.imported, 0);
  assert.equal(again.counts.unchanged, 6);
  assert.equal(catalog.images.count(), 6);
  assert.equal(catalog.images.listRoots().length, 1);
  // A re-import with labels fills in missing labels but never overwrites one.
  const plain = path.join(dir, 'plain');
  await writeImage(plain, 'cat/x.png', { seed: 900 });
  await importFolders(catalog, { roots: [plain], labelSource: { kind: 'none' }, thumbnailsDir });
  assert.equal(catalog.stats().labelled, 6);
  const relabel = await importFolders(catalog, { roots: [plain], labelSource: { kind: 'folders' }, thumbnailsDir });
  assert.equal(relabel.counts.labelled, 1);
  assert.equal(catalog.stats().labelled, 7);
});

test('every bad input is reported with its reason, and the good files still import', async (t) => {
  const { dir, catalog, thumbnailsDir } = project(t);
  const root = path.join(dir, 'mixed');
  mkdirSync(root);
  await writeImage(root, 'good/ok.png', { seed: 1 });
  writeFileSync(path.join(root, 'good', 'empty.png'), Buffer.alloc(0));
  writeFileSync(path.join(root, 'good', 'cut.png'), truncated(await noisyImage('png')));
  writeFileSync(path.join(root, 'good', 'cut.jpg'), truncated(await noisyImage('jpeg')));
  writeFileSync(path.join(root, 'good', 'notes.jpg'), 'this is a text file\n');
  writeFileSync(path.join(root, 'good', 'bomb.png'), pngHeaderClaiming(40_000, 40_000));
  const report = await importFolders(catalog, { roots: [root], labelSource: { kind: 'folders' }, thumbnailsDir });
  assert.equal(report.status, 'done');
  assert.equal(report.counts.imported, 1);
  assert.equal(report.counts.errors, 5);
  const reasons = Object.fromEntries(
    report.items.filter((i) => i.kind === 'error').map((i) => [path.basename(i.path), i]),
  );
  assert.equal(reasons['empty.png']?.code, 'IMAGE_UNREADABLE');
  assert.match(reasons['empty.png']!.detail, /empty/);
  assert.equal(reasons['cut.png']?.code, 'IMAGE_UNREADABLE');
  assert.equal(reasons['cut.jpg']?.code, 'IMAGE_UNREADABLE');
  assert.equal(reasons['notes.jpg']?.code, 'IMAGE_UNREADABLE');
  assert.equal(reasons['bomb.png']?.code, 'IMAGE_TOO_LARGE');
  for (const item of Object.values(reasons)) assert.ok(item.detail.includes(path.basename(item.path)), item.detail);
  assert.equal(catalog.images.count(), 1);
});

test('unreadable folders and files are reported (real chmod when not root, else injected errors)', async (t) => {
  const { dir, catalog, thumbnailsDir } = project(t);
  const root = path.join(dir, 'perm');
  await writeImage(root, 'open/a.png', { seed: 1 });
  await writeImage(root, 'locked/b.png', { seed: 2 });
  await writeImage(root, 'open/c.png', { seed: 3 });
  const isRoot = process.getuid?.() === 0;
  let io: ImportIo | undefined;
  if (isRoot || process.platform === 'win32') {
    // chmod 000 does not stop root: simulate what a normal user would get.
    const deny = (p: string) => Object.assign(new Error(`EACCES: permission denied, open '${p}'`), { code: 'EACCES' });
    io = {
      ...nodeIo,
      readdir: async (d) => (path.basename(d) === 'locked' ? Promise.reject(deny(d)) : nodeIo.readdir(d)),
      readFile: async (f) => (path.basename(f) === 'c.png' ? Promise.reject(deny(f)) : nodeIo.readFile(f)),
    };
  } else {
    chmodSync(path.join(root, 'locked'), 0o000);
    chmodSync(path.join(root, 'open', 'c.png'), 0o000);
    t.after(() => {
      chmodSync(path.join(root, 'locked'), 0o755);
      chmodSync(path.join(root, 'open', 'c.png'), 0o644);
    });
  }
  const report = await importFolders(catalog, {
    roots: [root],
    labelSource: { kind: 'none' },
    thumbnailsDir,
    ...(io ? { io } : {}),
  });
  assert.equal(report.counts.imported, 1);
  const errors = report.items.filter((i) => i.kind === 'error');
  const folder = errors.find((i) => i.path.endsWith('locked'));
  assert.equal(folder?.code, 'FOLDER_UNREADABLE');
  assert.match(folder!.detail, /permission denied/);
  const fileError = errors.find((i) => i.path.endsWith('c.png'));
  assert.equal(fileError?.code, 'IMAGE_UNREADABLE');
  assert.match(fileError!.detail, /permission denied/);
});

test('names with spaces and Unicode import and keep their exact paths', async (t) => {
  const { dir, catalog, thumbnailsDir } = project(t);
  const root = path.join(dir, 'ünïcødé root');
  const names = ['Hieroglyph 𓀀/ankh sign.png', 'çà et là/日本語 ファイル.jpg', 'spaces  twice/a b.png'];
  for (const [i, rel] of names.entries()) await writeImage(root, rel, { seed: 500 + i });
  const report = await importFolders(catalog, { roots: [root], labelSource: { kind: 'folders' }, thumbnailsDir });
  assert.equal(report.counts.imported, 3);
  const rootId = catalog.images.listRoots()[0]!.id;
  for (const rel of names) {
    const image = catalog.images.findByPath(rootId, rel);
    assert.ok(image, rel);
    assert.ok(existsSync(catalog.images.absolutePath(image)));
  }
  assert.ok(catalog.classes.findByName('Hieroglyph 𓀀'));
  assert.equal(catalog.grid.page({ pathContains: 'ファイル' }).total, 1);
});

test('hidden and system files are skipped; symlink loops do not hang the scan', async (t) => {
  const dir = tempDir(t);
  const root = path.join(dir, 'tree');
  await writeImage(root, 'a/one.png', { seed: 1 });
  await writeImage(root, 'a/.hidden.png', { seed: 2 });
  await writeImage(root, '.git/objects/x.png', { seed: 3 });
  await writeImage(root, 'a/._one.png', { seed: 4 });
  writeFileSync(path.join(root, 'a', 'Thumbs.db'), 'x');
  writeFileSync(path.join(root, 'a', 'desktop.ini'), 'x');
  writeFileSync(path.join(root, 'a', '.DS_Store'), 'x');
  writeFileSync(path.join(root, 'a', 'readme.txt'), 'x');
  symlinkSync(root, path.join(root, 'a', 'loop')); // a/loop → tree: a cycle
  symlinkSync(path.join(root, 'a'), path.join(root, 'alias')); // a second way into a/
  symlinkSync(path.join(dir, 'nowhere.png'), path.join(root, 'broken.png'));
  const scan = await scanFolder(root);
  assert.deepEqual(
    scan.files.map((f) => f.relPath),
    ['a/one.png'],
  );
  assert.equal(scan.ignored, 6);
  assert.deepEqual(
    scan.problems.map((p) => [path.basename(p.path), p.code]),
    [['broken.png', 'BROKEN_LINK']],
  );
});

test('duplicates by content: skipped or kept, and reported either way', async (t) => {
  const { dir, catalog, thumbnailsDir } = project(t);
  const root = path.join(dir, 'dups');
  await writeImage(root, 'a/original.png', { seed: 42 });
  await writeImage(root, 'b/copy.png', { seed: 42 });
  await writeImage(root, 'b/other.png', { seed: 43 });
  const skipped = await importFolders(catalog, { roots: [root], labelSource: { kind: 'folders' }, thumbnailsDir });
  assert.equal(skipped.counts.imported, 2);
  assert.equal(skipped.counts.duplicates, 1);
  const dup = skipped.items.find((i) => i.kind === 'duplicate')!;
  assert.ok(dup.path.endsWith('copy.png'));
  assert.match(dup.detail, /original\.png \(skipped\)/);

  const other = project(t);
  const kept = await importFolders(other.catalog, {
    roots: [root],
    labelSource: { kind: 'folders' },
    duplicates: 'keep',
    thumbnailsDir: other.thumbnailsDir,
  });
  assert.equal(kept.counts.imported, 3);
  assert.equal(kept.counts.duplicates, 1);
  const hash = other.catalog.images.findByPath(1, 'a/original.png')!.hash;
  assert.equal(other.catalog.images.findByHash(hash).length, 2);
});

test('previewImport counts classes, splits and unmatched names without writing anything', async (t) => {
  const dir = tempDir(t);
  const root = path.join(dir, 'photos');
  await splitTree(root);
  await writeImage(root, 'stray.png', { seed: 7 });
  const preview = await previewImport([root], { kind: 'folders' }, { signal: new AbortController().signal });
  assert.equal(preview.files, 7);
  assert.deepEqual(preview.classes, [
    { name: 'cat', count: 3 },
    { name: 'dog', count: 3 },
  ]);
  assert.deepEqual(preview.splits, { train: 4, validation: 1, test: 1, none: 1 });
  assert.deepEqual(preview.unmatched, { count: 1, samples: ['stray.png'] });
  assert.deepEqual(readdirSync(dir), ['photos']);
  const none = await previewImport(
    [root],
    { kind: 'filename', pattern: '^(\\d+)x' },
    { signal: new AbortController().signal },
  );
  assert.equal(none.unmatched.count, 7);
});

test('CSV labels import end to end, rows naming no file are reported', async (t) => {
  const { dir, catalog, thumbnailsDir } = project(t);
  const root = path.join(dir, 'imgs');
  await writeImage(root, 'a.png', { seed: 1 });
  await writeImage(root, 'b.png', { seed: 2 });
  writeFileSync(
    path.join(dir, 'labels.tsv'),
    'file\tlabel\tsplit\nimgs/a.png\tcat\ttrain\nimgs/b.png\tdog\tval\nimgs/zz.png\tcat\t\n',
  );
  const report = await importFolders(catalog, {
    roots: [root],
    labelSource: { kind: 'csv', file: path.join(dir, 'labels.tsv') },
    thumbnailsDir,
  });
  assert.equal(report.counts.labelled, 2);
  assert.equal(catalog.stats().bySplit.validation, 1);
  assert.ok(report.items.some((i) => i.code === 'CSV_NO_FILE' && i.path.endsWith('zz.png')));
});

test('cancel keeps what was committed, says cancelled, and leaves the catalog consistent', async (t) => {
  const { dir, catalog, thumbnailsDir } = project(t);
  const root = path.join(dir, 'many');
  for (let i = 0; i < 60; i++) await writeImage(root, `c${i % 3}/${i}.png`, { seed: 1000 + i });
  const controller = new AbortController();
  const report = await importFolders(
    catalog,
    { roots: [root], labelSource: { kind: 'folders' }, thumbnailsDir, batchSize: 5, concurrency: 2 },
    { signal: controller.signal, onProgress: (p) => (p.counts?.imported ?? 0) >= 10 && controller.abort() },
  );
  assert.equal(report.status, 'cancelled');
  const count = catalog.images.count();
  assert.ok(count >= 10 && count < 60, `partial import: ${count}`);
  assert.equal(report.counts.imported, count);
  assert.deepEqual(catalog.integrityCheck(), ['ok']);
  assert.equal(catalog.stats().labelled, count, 'every committed image has its label');
  const rest = await importFolders(catalog, { roots: [root], labelSource: { kind: 'folders' }, thumbnailsDir });
  assert.equal(rest.counts.imported, 60 - count);
  assert.equal(catalog.images.count(), 60);
});

test('bad arguments are refused before anything is written', async (t) => {
  const { dir, catalog } = project(t);
  const code = (c: string) => (e: unknown) => e instanceof AppError && e.code === c;
  await assert.rejects(importFolders(catalog, { roots: [], labelSource: { kind: 'none' } }), code('INVALID_INPUT'));
  await assert.rejects(
    importFolders(catalog, { roots: [path.join(dir, 'absent')], labelSource: { kind: 'none' } }),
    code('NOT_FOUND'),
  );
  writeFileSync(path.join(dir, 'file.png'), await imageBuffer());
  await assert.rejects(
    importFolders(catalog, { roots: [path.join(dir, 'file.png')], labelSource: { kind: 'none' } }),
    code('INVALID_INPUT'),
  );
  assert.equal(catalog.reports.list().length, 0);
});

test('a folder name that cannot be a class imports its images unlabelled instead of failing', async (t) => {
  const { dir, catalog, thumbnailsDir } = project(t);
  const root = path.join(dir, 'odd');
  await writeImage(root, '   /blank-folder.png', { seed: 1 });
  await writeImage(root, 'ok/fine.png', { seed: 2 });
  const report = await importFolders(catalog, { roots: [root], labelSource: { kind: 'folders' }, thumbnailsDir });
  assert.equal(report.status, 'done');
  assert.equal(report.counts.imported, 2);
  assert.equal(report.counts.unmatched, 1);
  assert.deepEqual(
    catalog.classes.list().map((c) => c.name),
    ['ok'],
  );
});
