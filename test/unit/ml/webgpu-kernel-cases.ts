/**
 * The forward and gradient kernels the presets train with, at tiny shapes, on fixed
 * pseudo-random inputs. Run by webgpu-child.ts once per backend; the test compares
 * the outputs across backends. Inputs come from our own PRNG so they are identical
 * whichever backend runs.
 */
import * as tf from '@tensorflow/tfjs';

function values(count: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    // xorshift32, mapped to [-1, 1)
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = ((state >>> 0) / 0x1_0000_0000) * 2 - 1;
  }
  return out;
}

function input(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

/** Weights the output by a fixed tensor before summing, so every gradient element differs. */
function weightedSum(y: tf.Tensor, seed: number): tf.Scalar {
  return tf.sum(tf.mul(y, input(y.shape, seed)));
}

type Case = () => tf.Tensor[];

function withGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed: number): tf.Tensor[] {
  const forward = f(...inputs);
  const grads = tf.grads((...xs: tf.Tensor[]) => weightedSum(f(...xs), seed))(inputs);
  return [forward, ...grads];
}

const x4 = (seed: number, shape: [number, number, number, number] = [2, 7, 6, 3]): tf.Tensor4D =>
  input(shape, seed) as tf.Tensor4D;

export const KERNEL_CASES: Record<string, Case> = {
  // Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter
  'conv2d same s1': () =>
    withGrads((x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'), [x4(1), input([3, 3, 3, 4], 2)], 3),
  'conv2d valid s2': () =>
    withGrads((x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'valid'), [x4(4), input([3, 3, 3, 5], 5)], 6),
  'conv2d 1x1': () =>
    withGrads((x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'), [x4(7), input([1, 1, 3, 8], 8)], 9),
  // tfjs-layers' Conv2D with bias and relu goes through the fused kernel.
  'fused conv2d+bias+relu': () =>
    withGrads(
      (x, f, b) =>
        tf.fused.conv2d({
          x: x as tf.Tensor4D,
          filter: f as tf.Tensor4D,
          strides: 1,
          pad: 'same',
          bias: b,
          activation: 'relu',
        }),
      [x4(10), input([3, 3, 3, 4], 11), input([4], 12)],
      13,
    ),
  // DepthwiseConv2dNative and both of its backprops
  'depthwise conv2d': () =>
    withGrads(
      (x, f) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'),
      [x4(14), input([3, 3, 3, 2], 15)],
      16,
    ),
  'depthwise conv2d s2': () =>
    withGrads(
      (x, f) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same'),
      [x4(17, [1, 8, 8, 4]), input([3, 3, 4, 1], 18)],
      19,
    ),
  // MaxPool + MaxPoolGrad, AvgPool + AvgPoolGrad
  'maxpool 2x2': () => withGrads((x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'), [x4(20, [2, 8, 6, 3])], 21),
  'maxpool 3x3 same': () => withGrads((x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same'), [x4(22)], 23),
  'avgpool 2x2': () => withGrads((x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid'), [x4(24, [2, 8, 6, 3])], 25),
  'global average pool': () => withGrads((x) => tf.mean(x, [1, 2]), [x4(26)], 27),
  // BatchMatMul with every transpose combination (dense layers and their gradients)
  matmul: () =>
    withGrads((a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), [input([5, 7], 28), input([7, 3], 29)], 30),
  'matmul transposeA': () =>
    withGrads(
      (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, true, false),
      [input([7, 5], 31), input([7, 3], 32)],
      33,
    ),
  'matmul transposeB': () =>
    withGrads(
      (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, false, true),
      [input([5, 7], 34), input([3, 7], 35)],
      36,
    ),
  'matmul transposeA+B': () =>
    withGrads(
      (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, true, true),
      [input([7, 5], 37), input([3, 7], 38)],
      39,
    ),
  'fused matmul+bias+relu': () =>
    withGrads(
      (a, b, bias) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation: 'relu' }),
      [input([6, 9], 40), input([9, 4], 41), input([4], 42)],
      43,
    ),
  // Batch normalisation as CNN+ trains it: moments of the batch, then normalise.
  'batchnorm (training)': () =>
    withGrads(
      (x, gamma, beta) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.batchNorm(x, mean, variance, beta, gamma, 1e-3);
      },
      [x4(44), input([3], 45), input([3], 46)],
      47,
    ),
  'batchnorm (inference)': () =>
    withGrads(
      (x, gamma, beta) => tf.batchNorm(x, input([3], 48), tf.add(tf.abs(input([3], 49)), 0.5), beta, gamma, 1e-3),
      [x4(50), input([3], 60), input([3], 61)],
      51,
    ),
  relu: () => withGrads((x) => tf.relu(x), [input([4, 9], 52)], 53),
  relu6: () => withGrads((x) => tf.relu6(tf.mul(x, 8)), [input([4, 9], 54)], 55),
  'softmax cross-entropy': () =>
    withGrads(
      (logits) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 2, 1, 2, 0], 'int32'), 3), logits),
      [tf.mul(input([5, 3], 56), 3)],
      57,
    ),
  'categorical cross-entropy on softmax': () =>
    withGrads(
      (logits) =>
        tf.metrics.categoricalCrossentropy(tf.oneHot(tf.tensor1d([1, 0, 2, 2], 'int32'), 3), tf.softmax(logits)),
      [tf.mul(input([4, 3], 58), 3)],
      59,
    ),
};
