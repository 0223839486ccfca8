/**
 * Data-parallel training steps (parallel-step.ts): a batch spread over this thread
 * and helper threads must update the model as one step on the whole batch does.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src-main/ml/data/rng.js';
import { buildCnnPlus, buildSmallCnn } from '../../../src-main/ml/models/presets.js';
import { transferable } from '../../../src-main/ml/worker/parallel-protocol.js';
import { createParallelStep, type ParallelOptions } from '../../../src-main/ml/worker/parallel-step.js';
import { createTrainStep } from '../../../src-main/ml/training/step.js';
import { useWasm } from './fixtures.js';

const SHAPE = [16, 12, 1];
const CLASSES = 3;

function batch(count: number, seed: number) {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: count * 16 * 12 }, () => rng.next());
  const oneHot = new Float32Array(count * CLASSES);
  for (let b = 0; b < count; b++) oneHot[b * CLASSES + (b % CLASSES)] = 1;
  // Uneven sample weights: the average over shards must weigh them as one batch does.
  const weights = Float32Array.from({ length: count }, (_, b) => 0.5 + (b % 4) * 0.5);
  return { x, oneHot, weights };
}

function maxDifference(a: tf.Tensor[], b: tf.Tensor[]): number {
  return Math.max(...a.map((t, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(t, b[i]!))).dataSync()[0]!)));
}

/**
 * The same small CNN twice (same seed), one stepped on this thread and one spread
 * over `helpers` helper threads; `release` frees both and stops the helpers.
 */
async function twins(seed: number, optimizer: () => tf.Optimizer, helpers: number, options: ParallelOptions = {}) {
  const single = buildSmallCnn({ width: 12, height: 16, channels: 1 }, CLASSES, seed);
  const spread = buildSmallCnn({ width: 12, height: 16, channels: 1 }, CLASSES, seed);
  const singleOpt = optimizer();
  const spreadOpt = optimizer();
  const one = createTrainStep(single, singleOpt, SHAPE, CLASSES);
  const parallel = await createParallelStep(spread, spreadOpt, SHAPE, CLASSES, helpers, options);
  const release = async () => {
    await parallel.close();
    for (const disposable of [single, spread, singleOpt, spreadOpt]) disposable.dispose();
  };
  return { single, spread, one, parallel, release };
}

before(async () => {
  await useWasm();
});

describe('data-parallel training step', () => {
  test('three threads give the same update, loss and hits as one step on the whole batch', async () => {
    const { single, spread, one, parallel, release } = await twins(7, () => tf.train.adam(0.01), 2);
    try {
      assert.equal(parallel.threads(), 3);
      for (let i = 0; i < 3; i++) {
        // 37: shards of 12, 12 and 13, so the size weighting matters.
        const { x, oneHot, weights } = batch(37, i + 1);
        const a = await one(x, oneHot, weights, 37);
        const b = await parallel.step(x, oneHot, weights, 37);
        assert.ok(Math.abs(a.loss - b.loss) < 1e-4, `loss ${a.loss} vs ${b.loss}`);
        assert.equal(a.correct, b.correct);
      }
      // Shards sum in another order, and fused multiply-adds round once instead of twice:
      // after three Adam steps (each moves a weight by up to 0.01) that leaves ~2e-4. A
      // mis-weighted shard moves weights by ~1e-2.
      const difference = maxDifference(single.getWeights(), spread.getWeights());
      assert.ok(difference < 5e-4, `weights differ by ${difference}`);
      // The weights moved: equal weights are not just untouched ones.
      const fresh = buildSmallCnn({ width: 12, height: 16, channels: 1 }, CLASSES, 7);
      assert.ok(maxDifference(fresh.getWeights(), spread.getWeights()) > 1e-3);
      fresh.dispose();
    } finally {
      await release();
    }
  });

  test('adaptive mode times both ways, settles on one, and trains the same as one thread throughout', async () => {
    const {
      single,
      spread: adaptive,
      one,
      parallel,
      release,
    } = await twins(5, () => tf.train.sgd(0.05), 1, { adaptive: true });
    try {
      for (let i = 0; i < 10; i++) {
        const { x, oneHot, weights } = batch(32, 20 + i);
        await one(x, oneHot, weights, 32);
        await parallel.step(x, oneHot, weights, 32);
      }
      // Settled after four timed steps each way: one thread, or both.
      assert.ok([1, 2].includes(parallel.threads()), `threads ${parallel.threads()}`);
      const difference = maxDifference(single.getWeights(), adaptive.getWeights());
      assert.ok(difference < 1e-4, `weights differ by ${difference}`);
    } finally {
      await release();
    }
  });

  test('steps leave no tensors behind, batch norm included, and small batches stay on this thread', async () => {
    const model = buildCnnPlus({ width: 12, height: 16, channels: 1 }, CLASSES, 3);
    const optimizer = tf.train.adam(0.01);
    const parallel = await createParallelStep(model, optimizer, SHAPE, CLASSES, 1);
    try {
      const { x, oneHot, weights } = batch(32, 9);
      await parallel.step(x, oneHot, weights, 32); // creates the optimizer's slots
      const after = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) await parallel.step(x, oneHot, weights, 32);
      await parallel.step(x, oneHot, weights, 9); // under two shards of 8: one thread
      assert.equal(tf.memory().numTensors, after);
    } finally {
      await parallel.close();
      model.dispose();
      optimizer.dispose();
    }
  });

  test('only buffers an array owns whole are transferred, each once', () => {
    const owned = new Float32Array(4);
    const shared = new Float32Array(8);
    const view = shared.subarray(2, 4);
    assert.deepEqual(transferable([owned, owned, view, shared]), [owned.buffer, shared.buffer]);
    assert.deepEqual(transferable([view]), []);
  });

  test('a helper that is gone mid-run: the batch runs on this thread instead, and the step says why', async () => {
    const model = buildSmallCnn({ width: 12, height: 16, channels: 1 }, CLASSES, 1);
    const optimizer = tf.train.sgd(0.1);
    const parallel = await createParallelStep(model, optimizer, SHAPE, CLASSES, 1);
    try {
      assert.equal(parallel.failure(), null);
      await parallel.close(); // the helper thread exits under the step
      const { x, oneHot, weights } = batch(32, 2);
      const result = await parallel.step(x, oneHot, weights, 32);
      assert.ok(Number.isFinite(result.loss));
      assert.equal(parallel.threads(), 1);
      assert.match(parallel.failure() ?? '', /helper thread exited/);
    } finally {
      model.dispose();
      optimizer.dispose();
    }
  });
});
