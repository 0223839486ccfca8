/**
 * The wasm forward and element-wise kernels (convolution, batch norm, per-channel
 * arithmetic, Identity/Cast) against tfjs' reference \`cpu\` backend (kernel-compare.ts).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Rng } from '../../../src-main/ml/data/rng.js';
import { assertClose, compare, run, type Attrs } from './kernel-compare.js';
import { useWasm } from './fixtures.js';

before(async () => {
  await useWasm();
});

describe('Conv2D (wasm) matches cpu', () => {
  // Output channels in fours run in the SIMD kernel on the input in place (conv2d-simd.ts);
  // others, and dilations, fall back to the backend's own convolution.
  const cases: Array<[string, number[], number[], Attrs]> = [
    ['same, stride 1, 16 output channels', [3, 9, 7, 3], [3, 3, 3, 16], { strides: 1, pad: 'same' }],
    ['valid, stride 1 (no padded copy)', [2, 8, 6, 5], [3, 3, 5, 8], { strides: 1, pad: 'valid' }],
    ['same, stride 2, odd size', [2, 9, 7, 4], [3, 3, 4, 12], { strides: 2, pad: 'same' }],
    ['valid, stride [2,1], 5×2 filter', [2, 11, 8, 3], [5, 2, 3, 4], { strides: [2, 1], pad: 'valid' }],
    [
      'explicit uneven padding',
      [1, 6, 6, 2],
      [3, 3, 2, 4],
      {
        strides: 1,
        pad: [
          [0, 0],
          [2, 1],
          [0, 1],
          [0, 0],
        ],
      },
    ],
    ['1×1 filter', [2, 5, 4, 6], [1, 1, 6, 8], { strides: 1, pad: 'same' }],
    ['5 output channels (native path)', [2, 7, 6, 3], [3, 3, 3, 5], { strides: 1, pad: 'same' }],
    ['dilation 2 (native path)', [1, 9, 9, 2], [3, 3, 2, 4], { strides: 1, pad: 'same', dilations: 2 }],
  ];
  for (const [label, xShape, filterShape, attrs] of cases) {
    test(label, async () => {
      await compare(
        'Conv2D',
        { x: xShape, filter: filterShape },
        { dilations: 1, ...attrs, dataFormat: 'NHWC' },
        label,
      );
    });
  }
});

describe('FusedConv2D (wasm) matches cpu', () => {
  // Without bias or activation (CNN+'s convolutions) it runs as our Conv2D; otherwise natively.
  const x = [2, 9, 7, 3];
  const filter = [3, 3, 3, 8];
  const attrs = { strides: 1, pad: 'same', dilations: 1, dataFormat: 'NHWC' };
  test('no bias, linear (SIMD kernel)', async () => {
    await compare('FusedConv2D', { x, filter }, { ...attrs, activation: 'linear' }, 'no bias, linear');
  });
  test('with bias and relu (native path)', async () => {
    await compare('FusedConv2D', { x, filter, bias: [8] }, { ...attrs, activation: 'relu' }, 'bias, relu');
  });
});

describe('Add, Sub, Multiply, RealDiv with a per-channel vector (wasm) match cpu', () => {
  // A [C] or [1,…,1,C] operand with C a multiple of 4 runs in SIMD; others natively.
  const cases: Array<[string, number[], number[]]> = [
    ['full by [1,1,1,C]', [2, 5, 3, 8], [1, 1, 1, 8]],
    ['[C] by full (vector first)', [12], [3, 4, 12]],
    ['full by [C], rank 2', [7, 16], [16]],
    ['same shapes (native path)', [3, 4, 8], [3, 4, 8]],
    ['C not a multiple of 4 (native path)', [2, 3, 6], [6]],
    ['broadcast on another axis (native path)', [2, 3, 8], [2, 1, 8]],
  ];
  for (const op of ['Add', 'Sub', 'Multiply', 'RealDiv']) {
    for (const [label, aShape, bShape] of cases) {
      test(`${op}: ${label}`, async () => {
        await compare(op, { a: aShape, b: bShape }, {}, `${op} ${label}`);
      });
    }
  }
});

describe('FusedBatchNorm (wasm) matches cpu', () => {
  // Per-channel statistics with channels in fours run in SIMD (batchnorm-kernel.ts).
  function inputs(xShape: number[], statShape: number[], withAffine: boolean, meanLevel = 0) {
    const channels = statShape.reduce((a, b) => a * b, 1);
    const rng = new Rng(3);
    const x = Float32Array.from({ length: xShape.reduce((a, b) => a * b, 1) }, () => meanLevel + rng.uniform(-1, 1));
    const stat = (make: () => number) => ({ values: Float32Array.from({ length: channels }, make), shape: statShape });
    return {
      x: { values: x, shape: xShape },
      mean: stat(() => meanLevel + rng.uniform(-0.2, 0.2)),
      variance: stat(() => rng.uniform(0.05, 2)),
      ...(withAffine ? { offset: stat(() => rng.uniform(-1, 1)), scale: stat(() => rng.uniform(0.5, 1.5)) } : {}),
    };
  }
  const cases: Array<[string, ReturnType<typeof inputs>]> = [
    ['[C] statistics with offset and scale (SIMD)', inputs([2, 5, 3, 8], [8], true)],
    ['no offset or scale (SIMD)', inputs([3, 4, 12], [12], false)],
    ['[1,1,1,C] statistics (SIMD)', inputs([2, 3, 3, 4], [1, 1, 1, 4], true)],
    ['a mean far from zero (SIMD: the mean is subtracted first)', inputs([2, 4, 4, 8], [8], true, 1000)],
    ['6 channels (native path)', inputs([2, 3, 3, 6], [6], true)],
  ];
  for (const [label, data] of cases) {
    test(label, async () => {
      await tf.setBackend('wasm');
      const idsBefore = (tf.backend() as BackendWasm).numDataIds();
      const wasm = await run('wasm', 'FusedBatchNorm', data, { varianceEpsilon: 0.001 });
      await tf.setBackend('wasm');
      assert.equal((tf.backend() as BackendWasm).numDataIds(), idsBefore, `${label}: wasm buffers leaked`);
      const cpu = await run('cpu', 'FusedBatchNorm', data, { varianceEpsilon: 0.001 });
      assertClose(wasm, cpu, label);
    });
  }
});

describe('Identity and Cast (wasm) share data instead of copying', () => {
  test('an identity shares the buffer, and each tensor stays valid after the other is freed', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const x = tf.tensor1d([1, 2, 3, 4]);
    const idsBefore = backend.numDataIds();
    const copy = tf.engine().runKernel('Identity', { x }) as tf.Tensor;
    const same = tf.cast(x, 'float32');
    assert.equal(backend.numDataIds(), idsBefore, 'no new buffer');
    x.dispose();
    assert.deepEqual([...copy.dataSync()], [1, 2, 3, 4]);
    copy.dispose();
    assert.deepEqual([...same.dataSync()], [1, 2, 3, 4]);
    same.dispose();
    assert.equal(backend.numDataIds(), idsBefore - 1, 'the buffer is freed with its last tensor');
  });

  test('a cast to another dtype still converts', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor1d([1.7, -2.2, 0]);
    const asInt = tf.cast(x, 'int32');
    assert.equal(asInt.dtype, 'int32');
    assert.deepEqual([...asInt.dataSync()], [1, -2, 0]);
    tf.dispose([x, asInt]);
  });
});
