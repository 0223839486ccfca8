/**
 * The CSV label reader: rows with the physical line they start on, problems reported
 * with their line, normalisation, and the encodings it reads or refuses.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createLabelResolver, previewImport, readLabelCsv } from '../../../src-main/import/index.js';
import { tempDir } from '../../helpers/images.js';
import { assertProblems, NFC_CAFE, NFD_CAFE, refused, scanned } from './csv-helpers.js';

test('CSV reader: line numbers are the physical lines rows start on (blank lines, quoted newlines, CRLF)', () => {
  const text = 'path,label,split\r\n\r\na.png,cat\n"multi\nline.png",dog\n\n,nopath\nc.png,eel,weird\n';
  const csv = readLabelCsv(text);
  assert.equal(csv.hasHeader, true);
  assert.deepEqual(
    csv.rows.map((r) => [r.path, r.line]),
    [
      ['a.png', 3],
      ['multi\nline.png', 4],
      ['c.png', 8],
    ],
  );
  assertProblems(csv.problems, [
    [7, /no path/],
    [8, /unknown split "weird"/],
  ]);
});

test('CSV reader: an unterminated quote is reported on its line and the rows after it are still read', () => {
  const simple = readLabelCsv('path,label\na.png,cat\n"b.png,dog\nc.png,eel\nd.png,fox\n');
  assert.deepEqual(
    simple.rows.map((r) => [r.path, r.label, r.line]),
    [
      ['a.png', 'cat', 2],
      ['c.png', 'eel', 4],
      ['d.png', 'fox', 5],
    ],
  );
  assertProblems(simple.problems, [[3, /unterminated quote/]]);
  // The quote opens on line 4, inside a record that a good quoted field already took across lines 2–3.
  const later = readLabelCsv('a.png,"cat"\nb.png,"multi\nline",test\nc.png,"oops\nd.png,dog\n');
  assert.deepEqual(
    later.rows.map((r) => [r.path, r.label, r.line]),
    [
      ['a.png', 'cat', 1],
      ['b.png', '', 2],
      ['d.png', 'dog', 5],
    ],
  );
  assertProblems(later.problems, [
    [2, /label has a control character \(U\+000A\)/],
    [4, /unterminated quote/],
  ]);
});

test('CSV reader: no label, control characters and over-long labels are reported with their line', () => {
  const long = 'x'.repeat(201);
  const text = [
    'path,label,split',
    'a.png,cat',
    'b.png,',
    'c.png,,test',
    'd.png,"x\ty"',
    'e.png,bell\u0007',
    `f.png,${long}`,
    'g.png,nul\u0000',
    'h.png,c1\u0085',
    'i.png, spaced ',
    '',
  ].join('\n');
  const csv = readLabelCsv(text);
  // Every row with a path is kept (the file is known); a label that cannot be used is left out.
  assert.deepEqual(
    csv.rows.map((r) => [r.path, r.label, r.split, r.line]),
    [
      ['a.png', 'cat', undefined, 2],
      ['b.png', '', undefined, 3],
      ['c.png', '', 'test', 4],
      ['d.png', '', undefined, 5],
      ['e.png', '', undefined, 6],
      ['f.png', '', undefined, 7],
      ['g.png', '', undefined, 8],
      ['h.png', '', undefined, 9],
      ['i.png', 'spaced', undefined, 10],
    ],
  );
  assertProblems(csv.problems, [
    [3, /no label/],
    [5, /label has a control character \(U\+0009\)/],
    [6, /label has a control character \(U\+0007\)/],
    [7, /label is 201 characters long/],
    [8, /label has a control character \(U\+0000\)/],
    [9, /label has a control character \(U\+0085\)/],
  ]);
});

test('CSV reader: paths and labels are NFC-normalised', () => {
  const csv = readLabelCsv(`${NFD_CAFE}/a.png,${NFD_CAFE}\n`);
  assert.deepEqual(
    csv.rows.map((r) => [r.path, r.label]),
    [[`${NFC_CAFE}/a.png`, NFC_CAFE]],
  );
});

test('CSV encodings: a Latin-1 file is refused with its path, line and byte offset; UTF-8 BOM and UTF-16 are read', async (t) => {
  const dir = tempDir(t);
  const latin1 = path.join(dir, 'latin1.csv');
  writeFileSync(latin1, Buffer.from('path,label\na.png,Café\nb.png,Ägypten\n', 'latin1'));
  // "path,label\n" is 11 bytes and "a.png,Caf" 9 more: the é (0xE9) is at offset 20, on line 2.
  await assert.rejects(
    createLabelResolver({ kind: 'csv', file: latin1 }),
    refused('INVALID_INPUT', latin1, 'UTF-8', '0xE9 at offset 20 (line 2)'),
  );
  await assert.rejects(
    previewImport([dir], { kind: 'csv', file: latin1 }, { signal: new AbortController().signal }),
    refused('INVALID_INPUT', latin1),
  );

  const root = path.join(dir, 'imgs');
  const bom = path.join(dir, 'bom.csv');
  writeFileSync(
    bom,
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('path,label\nimgs/a.png,Café\n', 'utf8')]),
  );
  const fromBom = await createLabelResolver({ kind: 'csv', file: bom });
  assert.deepEqual(fromBom.resolve(scanned(root, 'a.png')), { matched: true, label: NFC_CAFE });
  assert.deepEqual(fromBom.problems, []);

  // Excel's "Unicode Text" is tab-separated UTF-16LE with a byte-order mark.
  const utf16 = path.join(dir, 'unicode.txt');
  writeFileSync(
    utf16,
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('path\tlabel\nimgs/b.png\tÄgypten\n', 'utf16le')]),
  );
  const fromUtf16 = await createLabelResolver({ kind: 'csv', file: utf16 });
  assert.deepEqual(fromUtf16.resolve(scanned(root, 'b.png')), { matched: true, label: 'Ägypten' });
});
