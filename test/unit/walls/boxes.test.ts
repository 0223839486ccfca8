import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  intersectionOverUnion,
  matchBoxes,
  parseBoxesCsv,
  parseLocations,
  type Box,
} from '../../../src-main/walls/boxes.js';

test('Locations lines give the box, the label and the number from the crop name', () => {
  const signs = parseLocations('030000_S29.png,71,27,105,104,\r\n030001_D58.png,19,35,69,109,\n\n', '3.txt');
  assert.deepEqual(signs, [
    { box: [71, 27, 105, 104], label: 'S29', file: '030000_S29.png', index: 0 },
    { box: [19, 35, 69, 109], label: 'D58', file: '030001_D58.png', index: 1 },
  ]);
});

test('a bad Locations line is refused with its file, line and value', () => {
  assert.throws(() => parseLocations('030000_S29.png,71,27,105,104,\n030001_D58.png,19,x,69,109,', '3.txt'), {
    code: 'INVALID_INPUT',
    message: /3\.txt, line 2: "x" is not a coordinate/,
  });
  assert.throws(() => parseLocations('a.png,10,10,5,20', 'w.txt'), /w\.txt, line 1: box 10,10,5,20 is empty/);
  assert.throws(() => parseLocations('a.png,10,10', 'w.txt'), /expected file,x1,y1,x2,y2/);
});

test('a CSV of boxes takes its columns by name; an empty label is no label', () => {
  const signs = parseBoxesCsv('label,x1,y1,x2,y2\nG17,1,2,30,40\n,5,6,7,8\n', 'boxes.csv');
  assert.deepEqual(
    signs.map((sign) => [sign.label, sign.box, sign.index]),
    [
      ['G17', [1, 2, 30, 40], 0],
      [null, [5, 6, 7, 8], 1],
    ],
  );
  assert.throws(() => parseBoxesCsv('x,y\n1,2', 'b.csv'), /b\.csv, line 1: the header must name x1, y1, x2 and y2/);
});

test('intersection over union', () => {
  assert.equal(intersectionOverUnion([0, 0, 10, 10], [0, 0, 10, 10]), 1);
  assert.equal(intersectionOverUnion([0, 0, 10, 10], [5, 0, 15, 10]), 50 / 150);
  assert.equal(intersectionOverUnion([0, 0, 10, 10], [20, 20, 30, 30]), 0);
});

test('found boxes match true ones one to one, strongest first, at IoU ≥ 0.5', () => {
  const truth: Box[] = [
    [0, 0, 10, 10],
    [20, 0, 30, 10],
  ];
  const found: Box[] = [
    [1, 0, 11, 10], // on the first
    [0, 0, 10, 9], // on the first too: already taken, so unmatched
    [22, 0, 32, 10], // on the second, IoU 8/12
    [50, 50, 60, 60], // on nothing
  ];
  assert.deepEqual(
    matchBoxes(found, truth).map(({ found: f, truth: t }) => [f, t]),
    [
      [0, 0],
      [2, 1],
    ],
  );
  assert.ok(Math.abs(matchBoxes(found, truth)[1]!.iou - 8 / 12) < 1e-9);
  assert.equal(matchBoxes([[0, 0, 10, 10]], [[5, 0, 15, 10]]).length, 0, 'IoU 1/3 is no match');
  assert.equal(matchBoxes([[0, 0, 10, 10]], [[5, 0, 15, 10]], 0.3).length, 1);
});
