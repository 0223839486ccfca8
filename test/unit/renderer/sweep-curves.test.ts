import assert from 'node:assert/strict';
import { test } from 'node:test';
import { epochTicks, linePath, lossTop, niceTicks } from '../../../src-renderer/src/components/sweep-view.js';

test('sweep curves: round ticks, whole epochs, and a path broken where a figure is missing', () => {
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0.5, 1), [0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  assert.deepEqual(niceTicks(0, 0.7), [0, 0.2, 0.4, 0.6]);
  assert.deepEqual(epochTicks(3), [1, 2, 3]);
  assert.deepEqual(epochTicks(50), [1, 10, 20, 30, 40, 50]);
  assert.deepEqual(epochTicks(47), [1, 10, 20, 30, 40, 47]);
  assert.equal(
    linePath([
      { x: 0, y: 1 },
      { x: 1, y: 2 },
      { x: 2, y: null },
      { x: 3, y: 4 },
    ]),
    'M0.0 1.0L1.0 2.0M3.0 4.0',
  );
});

test('sweep curves: the loss axis holds every loss unless one diverging trial would flatten the rest', () => {
  assert.equal(lossTop([0.69, 0.5, 0.3, 0.2]), 0.8);
  // One trial at a poor learning rate: 40 is left off the top, the others keep their room.
  const top = lossTop([0.69, 0.5, 0.3, 0.2, 0.4, 40]);
  assert.ok(top >= 0.69 && top <= 2, `top ${top}`);
  assert.equal(lossTop([]), 1);
});
