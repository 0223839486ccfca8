/**
 * ReLU6's gradient (ClipByValue's) in one pass on wasm: the same values as tfjs' own
 * gradient on the cpu backend, including inputs exactly at the bounds (which pass the
 * gradient through, as tfjs' ≥ and ≤ do), and no tensors left behind.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { randomArray } from './kernel-compare.js';
import { useWasm } from './fixtures.js';

before(async () => {
  await useWasm();
});

function clipGradient(backend: 'wasm' | 'cpu', values: Float32Array, upstream: Float32Array): Float32Array {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor(values, [2, 5, 4, 8]);
    const dy = tf.tensor(upstream, [2, 5, 4, 8]);
    const [dx] = tf.grads((input: tf.Tensor) => tf.clipByValue(input, 0, 6).mul(dy).sum())([x]);
    return dx!.dataSync() as Float32Array;
  });
}

test('the ReLU6 gradient on wasm matches tfjs on cpu, bounds included', async () => {
  const values = randomArray(320, 1).map((v) => v * 8);
  values.set([0, 6, -0, 6.0000005, -1e-7], 0); // at, on and just past the bounds
  const upstream = randomArray(320, 2);
  const before = tf.memory().numTensors;
  const expected = clipGradient('cpu', values, upstream);
  const actual = clipGradient('wasm', values, upstream);
  assert.deepEqual(Array.from(actual), Array.from(expected));
  assert.equal(actual[0], upstream[0]);
  assert.equal(actual[1], upstream[1]);
  assert.equal(actual[3], 0);
  assert.ok(expected.some((v) => v === 0) && expected.some((v) => v !== 0));
  await tf.setBackend('wasm');
  assert.equal(tf.memory().numTensors, before);
  // One kernel, not tfjs' four ops and a zeros tensor.
  const profile = await tf.profile(() => {
    clipGradient('wasm', values, upstream);
  });
  const names = profile.kernels.map((kernel) => kernel.name);
  assert.ok(names.includes('SeshatClipByValueGrad'));
  assert.ok(!names.includes('LogicalAnd'));
});
