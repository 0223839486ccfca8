import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Box } from '../../../src-main/walls/boxes.js';
import { parseLocations } from '../../../src-main/walls/boxes.js';
import { findColumns, pairwiseOrderAgreement, readingOrder } from '../../../src-main/walls/reading-order.js';
import { UNAS_ROOT, unasSkip } from './unas-wall.js';

/** Two columns 100 px apart; the first holds a tall sign, then two side by side, then a wide one. */
const generated: Box[] = [
  // column at x 100–160 (listed out of order on purpose)
  [100, 200, 160, 230], // wide, last in its column
  [100, 0, 160, 80], // tall, first
  [100, 100, 125, 180], // left of a pair
  [135, 100, 160, 180], // right of a pair
  // column at x 0–60
  [0, 0, 60, 50],
  [10, 60, 50, 120],
];

test('reading order: columns left first, rows of a quadrat right first, top to bottom', () => {
  assert.deepEqual(
    findColumns(generated).map((column) => column.sort()),
    [
      [4, 5],
      [0, 1, 2, 3],
    ],
  );
  const places = readingOrder(generated);
  assert.deepEqual(
    places.map((place) => place.order),
    [5, 2, 4, 3, 0, 1],
  );
  assert.deepEqual(
    places.map((place) => place.column),
    [1, 1, 1, 1, 0, 0],
  );
  assert.equal(places[2]!.row, places[3]!.row, 'the pair shares a row');
  const mirrored = readingOrder(generated, { columns: 'right-first', withinRow: 'left-first' });
  assert.deepEqual(
    mirrored.map((place) => place.order),
    [3, 0, 1, 2, 4, 5],
  );
});

test('pairwise order agreement counts consecutive reference signs read in order', () => {
  const places = [0, 2, 1, 3].map((order) => ({ order, column: 0, row: order }));
  assert.equal(pairwiseOrderAgreement(places, [0, 1, 2, 3]), 2 / 3);
});

test(
  'on a real Unas wall the dataset boxes are read in the dataset order (≥ 0.95 of pairs)',
  { skip: unasSkip() },
  () => {
    const file = `${UNAS_ROOT}/Manual/Locations/3.txt`;
    const signs = parseLocations(readFileSync(file, 'utf8'), file).sort((a, b) => a.index - b.index);
    const agreement = pairwiseOrderAgreement(
      readingOrder(signs.map((sign) => sign.box)),
      signs.map((_, i) => i),
    );
    assert.ok(agreement >= 0.95, `agreement ${agreement}`);
  },
);
