import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SerialQueue } from '../../../src-renderer/src/state/serial-queue.js';

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('serial queue: a job asked for mid-job waits for it, and jobs run in the order asked', async () => {
  const busy: boolean[] = [];
  const queue = new SerialQueue((now) => busy.push(now));
  const log: string[] = [];
  const slow = queue.run(async () => {
    log.push('split starts');
    await later(30);
    log.push('split ends');
    return 'split';
  });
  const undo = queue.run(async () => {
    log.push('undo runs');
    return 'undo';
  });
  assert.equal(queue.size, 2);
  assert.deepEqual(await Promise.all([slow, undo]), ['split', 'undo']);
  assert.deepEqual(log, ['split starts', 'split ends', 'undo runs']);
  await later(0);
  assert.equal(queue.size, 0);
  assert.deepEqual(busy, [true, false]);
});

test('serial queue: a failed job rejects its own caller and the next job still runs', async () => {
  const queue = new SerialQueue();
  const failed = queue.run(async () => {
    throw new Error('box outside the photo');
  });
  const next = queue.run(async () => 'ran');
  await assert.rejects(failed, /box outside the photo/);
  assert.equal(await next, 'ran');
});
