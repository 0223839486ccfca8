/**
 * The wasm training kernels for gradients, reductions and matrix products against
 * tfjs' reference \`cpu\` backend (kernel-compare.ts). Forward and element-wise
 * kernels are in ml-kernels-forward.test.ts.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src-main/ml/data/rng.js';
import { registerWasmTrainingKernels } from '../../../src-main/ml/kernels/index.js';
import { assertClose, compare, randomArray, run, shapeOf, zeros4d, type Attrs } from './kernel-compare.js';
import { useWasm } from './fixtures.js';

before(async () => {
  await useWasm();
});

describe('registerWasmTrainingKernels', () => {
  test('registers the missing gradient kernels and is idempotent', () => {
    const names = registerWasmTrainingKernels();
    for (const name of [
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
    ]) {
      assert.ok(names.includes(name), name);
      assert.ok(tf.getKernel(name, 'wasm'), `${name} registered`);
    }
    assert.equal(registerWasmTrainingKernels(), names);
  });
});
describe('Conv2DBackpropFilter (wasm) matches cpu', () => {
  const cases: Array<[string, number[], number[], Attrs]> = [
    ['same, stride 1', [2, 7, 6, 3], [3, 3, 3, 4], { strides: 1, pad: 'same' }],
    ['valid, stride 1', [2, 7, 6, 3], [3, 3, 3, 4], { strides: 1, pad: 'valid' }],
    ['same, stride 2, odd size', [3, 9, 7, 2], [3, 3, 2, 5], { strides: 2, pad: 'same' }],
    ['valid, stride [2,1], 5×2 filter', [2, 11, 8, 3], [5, 2, 3, 4], { strides: [2, 1], pad: 'valid' }],
    [
      'explicit padding',
      [1, 6, 6, 2],
      [3, 3, 2, 3],
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
    // Unit strides with 'same' output size take the block-copy gather.
    ['same, stride 1, 5×4 filter', [2, 8, 7, 3], [5, 4, 3, 2], { strides: 1, pad: 'same' }],
    ['same, stride 1, 1×1 filter', [2, 5, 4, 3], [1, 1, 3, 2], { strides: 1, pad: 'same' }],
    [
      'explicit symmetric padding, stride 1',
      [2, 6, 5, 2],
      [3, 3, 2, 3],
      {
        strides: 1,
        pad: [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ],
      },
    ],
    // 20·40·40·72 floats of patches: several batch chunks, summed (6 output channels: the patch path).
    ['batch split into chunks', [20, 40, 40, 8], [3, 3, 8, 6], { strides: 1, pad: 'same' }],
    // Output channels a multiple of 4 take the SIMD kernel on the input in place (conv2d-simd.ts);
    // its rows are a filter row's (fw, ci): 9 here, two bands of four and one single row.
    ['16 output channels, 3 input channels (SIMD kernel)', [4, 15, 10, 3], [3, 3, 3, 16], { strides: 1, pad: 'same' }],
    ['12 output channels, batch of 20 (SIMD kernel)', [20, 40, 40, 8], [3, 3, 8, 12], { strides: 1, pad: 'same' }],
    [
      'same, stride 2, odd size, 8 output channels (SIMD kernel)',
      [3, 9, 7, 2],
      [3, 3, 2, 8],
      { strides: 2, pad: 'same' },
    ],
    [
      'explicit uneven padding, 4 output channels (SIMD kernel)',
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
  ];
  for (const [label, xShape, filterShape, attrs] of cases) {
    test(label, async () => {
      const dyShape = shapeOf(() =>
        tf.conv2d(zeros4d(xShape), zeros4d(filterShape), attrs.strides as number, attrs.pad as 'same'),
      );
      await compare(
        'Conv2DBackpropFilter',
        { x: xShape, dy: dyShape },
        { ...attrs, filterShape, dataFormat: 'NHWC' },
        label,
      );
    });
  }
});

describe('Conv2DBackpropInput (wasm) matches cpu', () => {
  const cases: Array<[string, number[], number[], Attrs]> = [
    ['same, stride 1', [2, 7, 6, 3], [3, 3, 3, 4], { strides: 1, pad: 'same' }],
    ['valid, stride 1', [2, 7, 6, 3], [3, 3, 3, 4], { strides: 1, pad: 'valid' }],
    ['same, stride 2, odd size', [3, 9, 7, 2], [3, 3, 2, 5], { strides: 2, pad: 'same' }],
    ['valid, stride 2', [2, 10, 9, 3], [3, 3, 3, 2], { strides: 2, pad: 'valid' }],
    // Unit strides run as a forward convolution of dy with the turned filter: ours where
    // the input channels (dx's channels) come in fours, the backend's otherwise.
    ['same, stride 1, 5×4 filter', [2, 8, 7, 3], [5, 4, 3, 2], { strides: 1, pad: 'same' }],
    ['same, stride 1, 8 input channels (SIMD convolution)', [2, 8, 7, 8], [3, 3, 8, 4], { strides: 1, pad: 'same' }],
    [
      'explicit uneven padding, stride 1',
      [1, 6, 6, 2],
      [3, 3, 2, 3],
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
    ['batch split into chunks', [20, 40, 40, 8], [3, 3, 8, 4], { strides: 1, pad: 'same' }],
  ];
  for (const [label, xShape, filterShape, attrs] of cases) {
    test(label, async () => {
      const dyShape = shapeOf(() =>
        tf.conv2d(zeros4d(xShape), zeros4d(filterShape), attrs.strides as number, attrs.pad as 'same'),
      );
      await compare(
        'Conv2DBackpropInput',
        { dy: dyShape, filter: filterShape },
        { ...attrs, inputShape: xShape, dataFormat: 'NHWC' },
        label,
      );
    });
  }
});

describe('MaxPoolGrad (wasm) matches cpu', () => {
  const cases: Array<[string, number[], Attrs]> = [
    ['2×2 stride 2 valid, odd size', [2, 9, 7, 3], { filterSize: 2, strides: 2, pad: 'valid' }],
    ['3×3 stride 2 same (overlapping)', [2, 8, 9, 4], { filterSize: 3, strides: 2, pad: 'same' }],
    ['3×3 stride 1 same', [1, 6, 5, 2], { filterSize: 3, strides: 1, pad: 'same' }],
    // Channels in fours take the SIMD kernel (pool-kernel.ts).
    ['2×2 stride 2, 8 channels (SIMD)', [2, 8, 6, 8], { filterSize: 2, strides: 2, pad: 'valid' }],
    [
      '2×2 stride 2, 4 channels, odd size (SIMD, edge zeroed)',
      [3, 9, 7, 4],
      { filterSize: 2, strides: 2, pad: 'valid' },
    ],
  ];
  for (const [label, xShape, attrs] of cases) {
    test(label, async () => {
      const yShape = shapeOf(() =>
        tf.maxPool(zeros4d(xShape), attrs.filterSize as number, attrs.strides as number, attrs.pad as 'same'),
      );
      // `output` is the forward result; the kernels only use it for its shape.
      await compare('MaxPoolGrad', { dy: yShape, input: xShape, output: yShape }, attrs, label);
    });
  }

  test('ties route each gradient to exactly one input (the first maximum)', async () => {
    await tf.setBackend('wasm');
    const dx = tf.tidy(() => {
      const x = tf.zeros([1, 4, 4, 1]); // every window is a tie (ReLU outputs often are)
      const dy = tf.ones([1, 2, 2, 1]);
      return tf
        .engine()
        .runKernel(
          'MaxPoolGrad',
          { dy, input: x, output: dy },
          { filterSize: 2, strides: 2, pad: 'valid' },
        ) as tf.Tensor;
    });
    const values = Array.from(dx.dataSync());
    dx.dispose();
    assert.deepEqual(values, [1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
  });

  test('ties in every arrangement go where cpu sends them (SIMD kernel, values from {0, 1, 2})', async () => {
    const rng = new Rng(5);
    const xShape = [2, 6, 8, 12];
    const x = { values: Float32Array.from({ length: 2 * 6 * 8 * 12 }, () => rng.int(3)), shape: xShape };
    const dy = { values: randomArray(2 * 3 * 4 * 12, 6), shape: [2, 3, 4, 12] };
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
    const wasm = await run('wasm', 'MaxPoolGrad', { dy, input: x, output: dy }, attrs);
    const cpu = await run('cpu', 'MaxPoolGrad', { dy, input: x, output: dy }, attrs);
    assert.deepEqual([...wasm.values], [...cpu.values]);
  });
});

describe('BatchMatMul (wasm) matches cpu', () => {
  const cases: Array<[string, number[], number[], boolean, boolean]> = [
    // Columns a multiple of 4 take the SIMD kernel (gemm-kernel.ts).
    ['plain, SIMD kernel, row and column tails', [9, 37], [37, 12], false, false],
    ['plain, SIMD kernel, long shared dimension', [5, 3000], [3000, 40], false, false],
    ['transposeA, SIMD kernel reads A in place', [30, 9], [30, 20], true, false],
    ['batched, SIMD kernel per batch item', [3, 5, 6], [3, 6, 8], false, false],
    ['batched a against one b (broadcast)', [2, 3, 5, 6], [6, 8], false, false],
    ['one a against batched b (broadcast)', [5, 6], [4, 6, 8], false, false],
    ['rank 2 against a batch of one keeps the batch axis', [5, 6], [1, 6, 8], false, false],
    ['transposeB, big b (dense dx = dy·Wᵀ)', [8, 16], [300, 16], false, true],
    ['transposeB, small b', [200, 12], [5, 12], false, true],
    ['transposeA (dense dW = xᵀ·dy)', [8, 40], [8, 30], true, false],
    ['both transposed', [7, 5], [9, 7], true, true],
    ['batched, transposeB', [3, 4, 6], [3, 5, 6], false, true],
    ['no transpose, 3 columns (native path)', [6, 7], [7, 3], false, false],
  ];
  for (const [label, aShape, bShape, transposeA, transposeB] of cases) {
    test(label, async () => {
      await compare('BatchMatMul', { a: aShape, b: bShape }, { transposeA, transposeB }, label);
    });
  }
});

describe('Sum over all but the last axis (wasm) matches cpu', () => {
  const cases: Array<[string, number[], Attrs]> = [
    ['conv bias gradient', [4, 6, 5, 7], { axis: [0, 1, 2], keepDims: false }],
    ['keepDims', [4, 6, 5, 7], { axis: [2, 0, 1], keepDims: true }],
    ['dense bias gradient', [33, 9], { axis: 0, keepDims: false }],
    // Channel counts divisible by four take the SIMD blocks (sum-kernel.ts): 16 floats
    // per chunk, then single vectors; 256 rows per block.
    ['conv bias gradient, 16 channels', [3, 7, 5, 16], { axis: [0, 1, 2], keepDims: false }],
    ['40 channels (chunks and tail), 700 rows (three blocks)', [7, 10, 10, 40], { axis: [0, 1, 2], keepDims: false }],
    ['dense bias gradient, 8 units', [33, 8], { axis: 0, keepDims: false }],
    ['other axes use the native kernel', [4, 6, 5], { axis: [2], keepDims: false }],
  ];
  for (const [label, shape, attrs] of cases) {
    test(label, async () => {
      await compare('Sum', { x: shape }, attrs, label);
    });
  }
});

describe('Sum over many rows keeps its precision', () => {
  // Float32 blocks of 256 rows bound the relative error by 256·2⁻²⁴ ≈ 1.5e-5 (measured
  // 2.4e-6); one float32 running sum over all rows is off by 2.7e-3 here.
  test('300,000 rows of 0.1 sum to within 1.5e-5 of the exact total', async () => {
    await tf.setBackend('wasm');
    const rows = 300_000;
    const x = tf.fill([rows, 4], 0.1);
    const total = tf.sum(x, 0);
    const values = await total.data();
    tf.dispose([x, total]);
    const exact = rows * Math.fround(0.1);
    for (const v of values) assert.ok(Math.abs(v - exact) / exact < 1.5e-5, `sum ${v}, exact ${exact}`);
  });
});

describe('Mean over all but the last axis (wasm) matches cpu', () => {
  const cases: Array<[string, number[], Attrs]> = [
    ['batch-norm statistics', [4, 6, 5, 7], { axis: [0, 1, 2], keepDims: true }],
    ['batch-norm statistics, 12 channels', [4, 6, 5, 12], { axis: [0, 1, 2], keepDims: true }],
    ['batch-norm statistics, 20 channels, 600 rows', [6, 10, 10, 20], { axis: [0, 1, 2], keepDims: true }],
    ['other axes use the native kernel', [4, 6, 5], { axis: [0], keepDims: false }],
  ];
  for (const [label, shape, attrs] of cases) {
    test(label, async () => {
      await compare('Mean', { x: shape }, attrs, label);
    });
  }
});

describe('Tile (wasm) matches cpu', () => {
  const cases: Array<[string, number[], number[]]> = [
    ['per-channel row to a full activation (batch-norm gradient)', [1, 1, 1, 5], [3, 4, 2, 1]],
    ['every axis repeated', [2, 3, 2], [2, 1, 3]],
    ['rank 1', [4], [3]],
  ];
  for (const [label, shape, reps] of cases) {
    test(label, async () => {
      await compare('Tile', { x: shape }, { reps }, label);
    });
  }
});

describe('a whole backward pass', () => {
  test('gradients of a small conv net agree with cpu', async () => {
    const grads = async (backend: 'wasm' | 'cpu'): Promise<Float32Array[]> => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(randomArray(2 * 12 * 10 * 3, 1), [2, 12, 10, 3]);
      const w1 = tf.tensor4d(randomArray(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
      const w2 = tf.tensor2d(randomArray(6 * 5 * 4 * 3, 3), [6 * 5 * 4, 3]);
      const f = (a: tf.Tensor, b: tf.Tensor): tf.Scalar =>
        tf.tidy(() => {
          const h = tf.maxPool(tf.relu(tf.conv2d(x, a as tf.Tensor4D, 1, 'same')), 2, 2, 'valid');
          return tf.sum(tf.square(tf.matMul(tf.reshape(h, [2, -1]), b as tf.Tensor2D)));
        });
      const out = tf.grads(f)([w1, w2]);
      const values = out.map((g) => g.dataSync() as Float32Array);
      [x, w1, w2, ...out].forEach((t) => t.dispose());
      return values;
    };
    const wasm = await grads('wasm');
    const cpu = await grads('cpu');
    wasm.forEach((values, i) => assertClose({ values, shape: [] }, { values: cpu[i]!, shape: [] }, `gradient ${i}`));
    await tf.setBackend('wasm');
  });

  test('gradients through batch normalisation (batch statistics) agree with cpu', async () => {
    const grads = async (backend: 'wasm' | 'cpu'): Promise<Float32Array[]> => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(randomArray(3 * 5 * 4 * 6, 4), [3, 5, 4, 6]);
      const gamma = tf.tensor1d(randomArray(6, 5));
      const beta = tf.tensor1d(randomArray(6, 6));
      const f = (input: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor): tf.Scalar =>
        tf.tidy(() => {
          const { mean, variance } = tf.moments(input, [0, 1, 2]);
          const y = tf.batchNorm(input, mean, variance, offset as tf.Tensor1D, scale as tf.Tensor1D, 1e-3);
          return tf.sum(tf.mul(tf.relu(y), tf.range(0, 6)));
        });
      const out = tf.grads(f)([x, gamma, beta]);
      const values = out.map((g) => g.dataSync() as Float32Array);
      [x, gamma, beta, ...out].forEach((t) => t.dispose());
      return values;
    };
    const wasm = await grads('wasm');
    const cpu = await grads('cpu');
    wasm.forEach((values, i) => assertClose({ values, shape: [] }, { values: cpu[i]!, shape: [] }, `gradient ${i}`));
    await tf.setBackend('wasm');
  });
});

describe('BatchMatMul with mismatched inner dimensions', () => {
  test('is refused, as the native kernel refuses it, instead of reading past an operand', async () => {
    await tf.setBackend('wasm');
    const a = tf.zeros([5, 6]);
    const b = tf.zeros([7, 8]);
    assert.throws(() => tf.engine().runKernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }));
    tf.dispose([a, b]);
  });
});
