import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import type { GardinerSignTable } from '../../../src-shared/gardiner/gardiner.js';
import { transcribe } from '../../../src-shared/gardiner/transcription.js';

const table = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../../resources/gardiner/signs.json'), 'utf8'),
) as GardinerSignTable;

test('a known sequence gives its Manuel de Codage line and its hieroglyphs', () => {
  // Column 0: G17, then N35 beside X1 in one quadrat row; column 1: D21. Given out of order.
  const result = transcribe(table, [
    { label: 'D21', order: 3, column: 1, row: 2 },
    { label: 'G17', order: 0, column: 0, row: 0 },
    { label: 'X1', order: 2, column: 0, row: 1 },
    { label: 'N35', order: 1, column: 0, row: 1 },
  ]);
  assert.equal(result.mdc, 'G17-N35*X1 !\nD21 !');
  assert.equal(result.unicode, '\u{13153}\u{13216}\u{133CF}\n\u{1308B}');
  assert.deepEqual(result.unmatched, {});
});

test('labels with no sign become placeholders and are reported', () => {
  const result = transcribe(table, [
    { label: 'UNKNOWN', order: 0, column: 0, row: 0 },
    { label: 'g043', order: 1, column: 0, row: 1 },
    { label: null, order: 2, column: 0, row: 2 },
  ]);
  assert.equal(result.mdc, '?-G43-? !');
  assert.deepEqual(result.unmatched, { UNKNOWN: 1, '(no label)': 1 });
});
