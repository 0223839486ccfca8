/**
 * The fused Adam must be tfjs' Adam: same weights and slots step after step,
 * through a checkpoint and a learning-rate change, and in a real training step;
 * its in-place moment updates must not reach tensors that share their data.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FusedAdamOptimizer } from '../../../src-main/ml/training/fused-adam.js';
import { buildSmallCnn } from '../../../src-main/ml/models/presets.js';
import { createOptimizer, setLearningRate } from '../../../src-main/ml/training/optimizers.js';
import { createTrainStep } from '../../../src-main/ml/training/step.js';
import { useWasm } from './fixtures.js';

before(async () => {
  await useWasm();
});

const SHAPES = [[3, 3, 2, 4], [4], [40, 7]];

function variables(seed: number): tf.Variable[] {
  // Variables outlive the tidy; the random initial values do not.
  return tf.tidy(() => SHAPES.map((shape, i) => tf.variable(tf.randomNormal(shape, 0, 0.5, 'float32', seed + i))));
}

function gradients(step: number): tf.Tensor[] {
  return SHAPES.map((shape, i) => tf.randomNormal(shape, 0, 1, 'float32', 1000 * step + i));
}

function apply(optimizer: tf.Optimizer, vars: tf.Variable[], grads: tf.Tensor[]): void {
  optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i]! })));
}

function maxDifference(a: tf.Tensor[], b: tf.Tensor[]): number {
  return Math.max(...a.map((t, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(t, b[i]!))).dataSync()[0]!)));
}

describe('fused Adam', () => {
  test('is what the app trains with on wasm, and matches tf.train.adam over steps, a checkpoint and a learning-rate change', async () => {
    const made = createOptimizer('adam', 1e-2, 0);
    assert.ok(made instanceof FusedAdamOptimizer);
    made.dispose();
    const start = tf.memory().numTensors;
    const initial = variables(1);
    const reference = variables(1);
    const fused = variables(1);
    const tfAdam = tf.train.adam(1e-2);
    const ours = new FusedAdamOptimizer(1e-2);
    for (let step = 0; step < 5; step++) {
      const grads = gradients(step);
      apply(tfAdam, reference, grads);
      apply(ours, fused, grads);
      grads.forEach((g) => g.dispose());
    }
    assert.ok(
      maxDifference(reference, fused) < 1e-6,
      `weights after 5 steps differ by ${maxDifference(reference, fused)}`,
    );
    assert.ok(maxDifference(initial, fused) > 1e-3, 'the weights did move');

    // A checkpoint: the slots and the iteration count go into a fresh optimizer.
    const state = await ours.getWeights();
    const tfState = await tfAdam.getWeights();
    const rename = (name: string): string => reference.reduce((n, v, i) => n.replace(v.name, fused[i]!.name), name);
    assert.deepEqual(
      state.map((s) => s.name),
      tfState.map((s) => rename(s.name)),
      'same slot names (for its own variables) and order as tfjs',
    );
    tfState[0]!.tensor.dispose();
    const restored = new FusedAdamOptimizer(1e-2);
    const copies = state.map((s) => ({ name: s.name, tensor: s.tensor.clone() }));
    await restored.setWeights(copies);
    state[0]!.tensor.dispose();
    copies.forEach((c) => c.tensor.dispose());
    setLearningRate(tfAdam, 3e-3);
    setLearningRate(restored, 3e-3);
    for (let step = 5; step < 8; step++) {
      const grads = gradients(step);
      apply(tfAdam, reference, grads);
      apply(restored, fused, grads);
      grads.forEach((g) => g.dispose());
    }
    assert.ok(
      maxDifference(reference, fused) < 1e-6,
      `after resume and a new learning rate: ${maxDifference(reference, fused)}`,
    );
    for (const t of [...initial, ...reference, ...fused]) t.dispose();
    tfAdam.dispose();
    ours.dispose();
    restored.dispose();
    assert.equal(tf.memory().numTensors, start, 'no tensors left');
  });

  test("moments restored from a checkpoint are not written through to the checkpoint's tensors", async () => {
    const [weight] = variables(5);
    const first = new FusedAdamOptimizer(0.1);
    const grad = tf.onesLike(weight!);
    first.applyGradients([{ name: weight!.name, tensor: grad }]);
    const state = await first.getWeights();
    const copies = state.map((entry) => ({ name: entry.name, tensor: entry.tensor.clone() }));
    const before = copies.map((c) => Array.from(c.tensor.dataSync()));
    // tfjs' setWeights makes the slot variables from these tensors: they share their data.
    const restored = new FusedAdamOptimizer(0.1);
    await restored.setWeights(copies);
    restored.applyGradients([{ name: weight!.name, tensor: grad }]);
    copies.forEach((c, i) => assert.deepEqual(Array.from(c.tensor.dataSync()), before[i], `${c.name} unchanged`));
    for (const t of [weight!, grad, state[0]!.tensor, ...copies.map((c) => c.tensor)]) t.dispose();
    first.dispose();
    restored.dispose();
  });

  test('a model trained with it learns exactly as with tf.train.adam (weights read by cached native kernels)', async () => {
    // XNNPACK caches packed convolution filters and matmul weights by data id: weights
    // changed in place would be read stale by the next forward pass.
    const batch = 8;
    const x = Float32Array.from({ length: batch * 12 * 12 * 3 }, (_, i) => ((i * 7919) % 101) / 101);
    const y = new Float32Array(batch * 3);
    for (let b = 0; b < batch; b++) y[b * 3 + (b % 3)] = 1;
    const sampleWeights = new Float32Array(batch).fill(1);
    const losses: number[][] = [];
    for (const optimizer of [tf.train.adam(1e-3), new FusedAdamOptimizer(1e-3)]) {
      const model = buildSmallCnn({ width: 12, height: 12, channels: 3 }, 3, 1);
      const step = createTrainStep(model, optimizer, [12, 12, 3], 3);
      const run: number[] = [];
      for (let i = 0; i < 4; i++) run.push((await step(x, y, sampleWeights, batch)).loss);
      losses.push(run);
      model.dispose();
      optimizer.dispose();
    }
    losses[1]!.forEach((loss, i) =>
      assert.ok(Math.abs(loss - losses[0]![i]!) < 1e-4, `step ${i}: ${losses[1]} vs ${losses[0]}`),
    );
    assert.ok(losses[0]![3]! < losses[0]![0]!, 'the loss went down');
  });
});
