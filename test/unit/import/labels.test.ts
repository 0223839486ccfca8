import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AppError } from '../../../src-shared/errors.js';
import {
  UNAS_FILENAME_PATTERN,
  createLabelResolver,
  detectDelimiter,
  fromFolders,
  parseDelimited,
  readLabelCsv,
  type ScannedFile,
} from '../../../src-main/import/index.js';
import { tempDir } from '../../helpers/images.js';

const file = (relPath: string, root = '/data'): ScannedFile => ({
  absPath: path.join(root, relPath),
  relPath,
  size: 1,
  mtimeMs: 1,
});

test('folders: parent folder is the class; train/val/valid/validation/test layouts set the split', () => {
  assert.deepEqual(fromFolders('daisy/1.jpg'), { matched: true, label: 'daisy' });
  assert.deepEqual(fromFolders('flowers/daisy/1.jpg'), { matched: true, label: 'daisy' });
  assert.deepEqual(fromFolders('train/daisy/1.jpg'), { matched: true, label: 'daisy', split: 'train' });
  assert.deepEqual(fromFolders('val/rose/1.jpg'), { matched: true, label: 'rose', split: 'validation' });
  assert.deepEqual(fromFolders('valid/rose/1.jpg'), { matched: true, label: 'rose', split: 'validation' });
  assert.deepEqual(fromFolders('Validation/rose/1.jpg'), { matched: true, label: 'rose', split: 'validation' });
  assert.deepEqual(fromFolders('data/test/tulip/1.jpg'), { matched: true, label: 'tulip', split: 'test' });
  assert.deepEqual(fromFolders('1.jpg'), { matched: false });
  assert.deepEqual(fromFolders('test/1.jpg'), { matched: false, split: 'test' });
});

test('filename: the Unas preset reads the Gardiner code, UNKNOWN included', async () => {
  const resolver = await createLabelResolver({ kind: 'filename', pattern: UNAS_FILENAME_PATTERN });
  assert.deepEqual(resolver.resolve(file('3/030001_D58.png')), { matched: true, label: 'D58' });
  assert.deepEqual(resolver.resolve(file('20/200117_Aa15.png')), { matched: true, label: 'Aa15' });
  assert.deepEqual(resolver.resolve(file('5/050009_UNKNOWN.png')), { matched: true, label: 'UNKNOWN' });
  assert.deepEqual(resolver.resolve(file('5/readme.png')), { matched: false });
});

test('filename: named groups label and split; patterns without a group are refused', async () => {
  const resolver = await createLabelResolver({
    kind: 'filename',
    pattern: '^(?<split>train|test)-(?<label>[a-z]+)-\\d+',
    flags: 'i',
  });
  assert.deepEqual(resolver.resolve(file('x/TRAIN-cat-01.png')), { matched: true, label: 'cat', split: 'train' });
  const invalid = (e: unknown) => e instanceof AppError && e.code === 'INVALID_INPUT';
  await assert.rejects(createLabelResolver({ kind: 'filename', pattern: '^\\d+_' }), invalid);
  await assert.rejects(createLabelResolver({ kind: 'filename', pattern: '([unclosed' }), invalid);
});

test('CSV reader: delimiters, header detection, quotes, BOM and CRLF', () => {
  assert.equal(detectDelimiter('path,label\n'), ',');
  assert.equal(detectDelimiter('path\tlabel\tsplit\n'), '\t');
  assert.equal(detectDelimiter('path;label\n'), ';');
  assert.equal(detectDelimiter('"a;b;c",label\n'), ',', 'delimiters inside quotes do not count');
  assert.deepEqual(parseDelimited('a,"b ""quoted"", with comma",c\r\n\r\n"multi\nline",x\n', ','), [
    ['a', 'b "quoted", with comma', 'c'],
    ['multi\nline', 'x'],
  ]);
  const withHeader = readLabelCsv('\ufeffsplit,filename,class\nval,a.png,cat\ntrain,b.png,dog\nweird,c.png,eel\n');
  assert.equal(withHeader.hasHeader, true);
  assert.deepEqual(
    withHeader.rows.map((r) => [r.path, r.label, r.split]),
    [
      ['a.png', 'cat', 'validation'],
      ['b.png', 'dog', 'train'],
      ['c.png', 'eel', undefined],
    ],
  );
  assert.equal(withHeader.problems[0]!.line, 4);
  assert.match(withHeader.problems[0]!.reason, /unknown split "weird"/);
  const noHeader = readLabelCsv('a.png,cat\nb.png,dog,test\n');
  assert.equal(noHeader.hasHeader, false);
  assert.deepEqual(
    noHeader.rows.map((r) => [r.path, r.label, r.split]),
    [
      ['a.png', 'cat', undefined],
      ['b.png', 'dog', 'test'],
    ],
  );
  const tsv = readLabelCsv('path\tlabel\nmy file, with comma.png\tcat\n', { tsv: true });
  assert.deepEqual(
    tsv.rows.map((r) => r.path),
    ['my file, with comma.png'],
  );
});

test('CSV label source: paths relative to the CSV, Windows separators, unused rows', async (t) => {
  const dir = tempDir(t);
  const csv = path.join(dir, 'labels.csv');
  writeFileSync(
    csv,
    'path,label,split\nimages/a.png,cat,train\n"images\\sub\\b b.png",dog,\nimages/ghost.png,eel,test\n',
  );
  const resolver = await createLabelResolver({ kind: 'csv', file: csv });
  const root = path.join(dir, 'images');
  assert.deepEqual(resolver.resolve(file('a.png', root)), { matched: true, label: 'cat', split: 'train' });
  assert.deepEqual(resolver.resolve(file('sub/b b.png', root)), { matched: true, label: 'dog' });
  assert.deepEqual(resolver.resolve(file('c.png', root)), { matched: false });
  assert.deepEqual(
    resolver.unusedRows!().map((r) => [path.basename(r.path), r.line]),
    [['ghost.png', 4]],
  );
  await assert.rejects(
    createLabelResolver({ kind: 'csv', file: path.join(dir, 'absent.csv') }),
    (e: unknown) => (e as AppError).code === 'NOT_FOUND',
  );
});
