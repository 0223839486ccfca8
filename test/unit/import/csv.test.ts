/**
 * Label input that cannot be used is reported, never dropped silently: CSV rows
 * (with the physical line they start on), CSV files that are not label files,
 * encodings, Unicode normalisation, and labels that cannot name a class.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  constants as fsConstants,
  mkdirSync,
  openSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Catalog } from '../../../src-main/catalog/index.js';
import type { AppError } from '../../../src-shared/errors.js';
import { createLabelResolver, importFolders, previewImport } from '../../../src-main/import/index.js';
import { imageBuffer, tempDir, writeImage } from '../../helpers/images.js';
import { assertProblems, NFC_CAFE, NFD_CAFE, project, refused, scanned } from './csv-helpers.js';

test('a CSV label source must be a plausible label file: not a folder, device, FIFO, other extension, huge or binary', async (t) => {
  const dir = tempDir(t);
  const invalid = (file: string, ...mentions: Array<string | RegExp>) =>
    assert.rejects(createLabelResolver({ kind: 'csv', file }), refused('INVALID_INPUT', file, ...mentions));

  const folder = path.join(dir, 'folder.csv');
  mkdirSync(folder);
  await invalid(folder, /not a regular file/);
  const device = path.join(dir, 'null.csv');
  symlinkSync('/dev/null', device);
  await invalid(device, /not a regular file/);

  const shadow = path.join(dir, 'shadow');
  writeFileSync(shadow, 'root:$6$salt$hash:19000:0:99999:7:::\n');
  await invalid(shadow, /\.csv/);
  const json = path.join(dir, 'labels.json');
  writeFileSync(json, '[]\n');
  await invalid(json, /\.csv/);
  // A link with a label file's name does not make its target one.
  const disguised = path.join(dir, 'innocent.csv');
  symlinkSync(shadow, disguised);
  await invalid(disguised, /\.csv/);
  await assert.rejects(
    previewImport([dir], { kind: 'csv', file: disguised }, { signal: new AbortController().signal }),
    refused('INVALID_INPUT', disguised),
  );

  const huge = path.join(dir, 'huge.csv');
  writeFileSync(huge, '');
  truncateSync(huge, 64 * 1024 * 1024 + 1); // sparse: costs no disk
  await invalid(huge, /MiB/);
  const binary = path.join(dir, 'picture.csv');
  writeFileSync(binary, await imageBuffer());
  await invalid(binary, /binary/);

  // Upper-case extensions are label files; a link to a real label file is followed.
  const upper = path.join(dir, 'LABELS.CSV');
  writeFileSync(upper, 'a.png,cat\n');
  assert.deepEqual((await createLabelResolver({ kind: 'csv', file: upper })).problems, []);
  const linked = path.join(dir, 'linked.csv');
  symlinkSync(upper, linked);
  assert.deepEqual((await createLabelResolver({ kind: 'csv', file: linked })).resolve(scanned(dir, 'a.png')), {
    matched: true,
    label: 'cat',
  });
  await assert.rejects(
    createLabelResolver({ kind: 'csv', file: path.join(dir, 'absent.csv') }),
    refused('NOT_FOUND', 'absent.csv'),
  );
});

test(
  'a FIFO named like a CSV is refused without waiting for a writer',
  { skip: process.platform === 'win32' },
  async (t) => {
    const dir = tempDir(t);
    const fifo = path.join(dir, 'labels.csv');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    const attempt = createLabelResolver({ kind: 'csv', file: fifo });
    const outcome = await Promise.race([
      attempt.then(
        () => 'resolved',
        (error: unknown) => error,
      ),
      sleep(2000).then(() => 'hung'),
    ]);
    if (outcome === 'hung') {
      // Unblock the reader so the test process can end.
      closeSync(openSync(fifo, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK));
      await attempt.catch(() => undefined);
    }
    assert.ok(refused('INVALID_INPUT', fifo, /not a regular file/)(outcome));
  },
);

test('CSV rows match files whatever Unicode normalisation either side uses; NFC and NFD spellings are one path', async (t) => {
  const dir = tempDir(t);
  const root = path.join(dir, 'imgs');
  const csv = path.join(dir, 'labels.csv');
  writeFileSync(
    csv,
    `path,label\nimgs/${NFC_CAFE}/a.png,cat\nimgs/${NFD_CAFE}/b.png,dog\nimgs/${NFD_CAFE}/a.png,eel\n`,
  );
  const resolver = await createLabelResolver({ kind: 'csv', file: csv });
  assert.deepEqual(resolver.resolve(scanned(root, `${NFD_CAFE}/a.png`)), { matched: true, label: 'eel' });
  assert.deepEqual(resolver.resolve(scanned(root, `${NFC_CAFE}/b.png`)), { matched: true, label: 'dog' });
  assertProblems(resolver.problems, [[4, /listed again.*line 2/]]);
  assert.deepEqual(resolver.unusedRows!(), []);
});

test('ClassRepo.ensure gives the NFD and NFC spellings of a name one class', (t) => {
  const catalog = Catalog.open(':memory:');
  t.after(() => catalog.close());
  const id = catalog.classes.ensure(NFD_CAFE);
  assert.equal(catalog.classes.ensure(NFC_CAFE), id);
  assert.equal(catalog.classes.ensure(` ${NFD_CAFE} `), id);
  assert.equal(catalog.classes.get(id)!.name, NFC_CAFE);
  assert.throws(
    () => catalog.classes.create({ name: NFC_CAFE }),
    (e: unknown) => (e as AppError).code === 'ALREADY_EXISTS',
  );
  assert.throws(
    () => catalog.classes.ensure('a\u0085b'),
    (e: unknown) => (e as AppError).code === 'INVALID_INPUT',
  );
});

test('a folder named "Café" in NFD and a CSV label "Café" in NFC make one class', async (t) => {
  const { dir, catalog, thumbnailsDir } = project(t);
  const byFolder = path.join(dir, 'by-folder');
  await writeImage(byFolder, `${NFD_CAFE}/1.png`, { seed: 1 });
  await writeImage(byFolder, 'Tea/2.png', { seed: 2 });
  const first = await importFolders(catalog, { roots: [byFolder], labelSource: { kind: 'folders' }, thumbnailsDir });
  assert.equal(first.counts.labelled, 2);
  const byCsv = path.join(dir, 'by-csv');
  await writeImage(byCsv, '3.png', { seed: 3 });
  writeFileSync(path.join(dir, 'labels.csv'), `path,label\nby-csv/3.png,${NFC_CAFE}\n`);
  const second = await importFolders(catalog, {
    roots: [byCsv],
    labelSource: { kind: 'csv', file: path.join(dir, 'labels.csv') },
    thumbnailsDir,
  });
  assert.equal(second.counts.labelled, 1);
  assert.deepEqual(
    catalog.classes
      .list()
      .map((c) => c.name)
      .sort(),
    [NFC_CAFE, 'Tea'],
  );
  assert.equal(catalog.grid.classCounts({}).byClass[catalog.classes.findByName(NFC_CAFE)!.id], 2);
});

test('labels that cannot be class names are reported with the file and the reason; the image imports unlabelled', async (t) => {
  const { dir, catalog, thumbnailsDir } = project(t);
  const root = path.join(dir, 'odd');
  const newline = await writeImage(root, 'two\nlines/a.png', { seed: 1 });
  const long = await writeImage(root, `${'n'.repeat(201)}/b.png`, { seed: 2 });
  await writeImage(root, 'fine/c.png', { seed: 3 });
  const report = await importFolders(catalog, { roots: [root], labelSource: { kind: 'folders' }, thumbnailsDir });
  assert.equal(report.status, 'done');
  assert.equal(report.counts.imported, 3);
  assert.equal(report.counts.labelled, 1);
  assert.equal(report.counts.unmatched, 2);
  const invalid = report.items.filter((i) => i.code === 'LABEL_INVALID');
  assert.deepEqual(invalid.map((i) => i.path).sort(), [newline, long].sort());
  assert.equal(report.counts.errors, invalid.length);
  const detail = (file: string) => invalid.find((i) => i.path === file)!.detail;
  assert.match(detail(newline), /folder name .* control character \(U\+000A\).*imported without a label/);
  assert.match(detail(long), /201 characters long/);
  assert.deepEqual(
    catalog.classes.list().map((c) => c.name),
    ['fine'],
  );

  // A file-name pattern that captures a newline: the same report.
  const other = project(t);
  const named = path.join(other.dir, 'named');
  const file = await writeImage(named, 'bad\nname_1.png', { seed: 4 });
  await writeImage(named, 'good_2.png', { seed: 5 });
  const byName = await importFolders(other.catalog, {
    roots: [named],
    labelSource: { kind: 'filename', pattern: '^([^_]+)_\\d' },
    thumbnailsDir: other.thumbnailsDir,
  });
  assert.equal(byName.counts.imported, 2);
  assert.deepEqual(
    byName.items.filter((i) => i.code === 'LABEL_INVALID').map((i) => [i.path, /U\+000A/.test(i.detail)]),
    [[file, true]],
  );
  // The preview shows the same: the file has no usable label.
  const preview = await previewImport(
    [named],
    { kind: 'filename', pattern: '^([^_]+)_\\d' },
    { signal: new AbortController().signal },
  );
  assert.deepEqual(preview.classes, [{ name: 'good', count: 1 }]);
  assert.equal(preview.unmatched.count, 1);
});

test('every dropped CSV row reaches the import report and the preview with the CSV path, its line and the reason', async (t) => {
  const { dir, catalog, thumbnailsDir } = project(t);
  const root = path.join(dir, 'imgs');
  await writeImage(root, 'a.png', { seed: 1 });
  await writeImage(root, 'b.png', { seed: 2 });
  await writeImage(root, 'c.png', { seed: 3 });
  const csv = path.join(dir, 'labels.csv');
  writeFileSync(
    csv,
    'path,label,split\nimgs/a.png,cat,train\n\n"imgs/b.png","two\nlines"\nimgs/c.png,\n,orphan\n"imgs/ghost.png,eel\n',
  );
  const expected = [
    'line 4: label has a control character (U+000A)',
    'line 6: no label',
    'line 7: no path',
    'line 8: unterminated quote',
  ];
  const preview = await previewImport([root], { kind: 'csv', file: csv }, { signal: new AbortController().signal });
  const previewProblems = (preview.csv?.problems ?? []) as Array<{ path?: string; line?: number; reason?: string }>;
  assert.deepEqual(
    previewProblems.map((p) => [p.path, p.line]),
    [4, 6, 7, 8].map((line) => [csv, line]),
  );
  expected.forEach((start, i) => {
    const shown = `line ${previewProblems[i]!.line}: ${previewProblems[i]!.reason}`;
    assert.ok(shown.startsWith(start), `${shown} starts with ${start}`);
  });
  assert.deepEqual(preview.classes, [{ name: 'cat', count: 1 }]);
  const report = await importFolders(catalog, {
    roots: [root],
    labelSource: { kind: 'csv', file: csv },
    thumbnailsDir,
  });
  const rows = report.items.filter((i) => i.code === 'CSV_ROW');
  assert.ok(rows.every((i) => i.path === csv && i.kind === 'error'));
  assert.equal(rows.length, expected.length, JSON.stringify(rows));
  expected.forEach((start, i) =>
    assert.ok(rows[i]!.detail.startsWith(start), `${rows[i]!.detail} starts with ${start}`),
  );
  assert.equal(report.counts.imported, 3);
  assert.equal(report.counts.labelled, 1);
  assert.equal(report.counts.unmatched, 2);
});
