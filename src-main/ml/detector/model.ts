/**
 * The sign detector: a small fully-convolutional net (any photo size in, a heat map and
 * box regressions out at 1/4 of its input), its CenterNet loss, and decoding its output
 * into scored boxes. Channels come in fours so the project's SIMD convolution takes them.
 */
import * as tf from '@tensorflow/tfjs';
import { DETECTOR_STRIDE, REGRESSION_CHANNELS, type PlaneBox } from './targets.js';

/** The heat map's logit is offset so a fresh net predicts "no sign" (p ≈ 0.1) everywhere. */
const HEAT_PRIOR = -2.19;
const OUTPUT_CHANNELS = 8; // heat, 4 regressions, 3 unused (SIMD convolutions want fours)

export interface DetectorShape {
  /** Channels of the stride-4 layers. */
  width: number;
  /** 3×3 layers at stride 4: each widens what a cell sees by 8 input pixels. */
  depth: number;
}

export const DEFAULT_DETECTOR_SHAPE: DetectorShape = { width: 32, depth: 6 };

export function buildDetector(shape: DetectorShape = DEFAULT_DETECTOR_SHAPE): tf.LayersModel {
  const input = tf.input({ shape: [null, null, 1] as unknown as number[], name: 'photo' });
  let x: tf.SymbolicTensor = input;
  const conv = (filters: number, strides = 1) => {
    x = tf.layers
      .conv2d({ filters, kernelSize: 3, strides, padding: 'same', useBias: false })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  };
  conv(16, 2);
  conv(16);
  conv(shape.width, 2);
  for (let i = 0; i < shape.depth; i++) conv(shape.width);
  const output = tf.layers
    .conv2d({ filters: OUTPUT_CHANNELS, kernelSize: 1, padding: 'same', name: 'heads' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'sign-detector' });
}

function heads(output: tf.Tensor4D): { heat: tf.Tensor4D; regression: tf.Tensor4D } {
  const [logit, rest] = tf.split(output, [1, OUTPUT_CHANNELS - 1], 3) as [tf.Tensor4D, tf.Tensor4D];
  return {
    heat: tf.sigmoid(tf.add(logit, HEAT_PRIOR)) as tf.Tensor4D,
    regression: tf.slice(rest, [0, 0, 0, 0], [-1, -1, -1, REGRESSION_CHANNELS]),
  };
}

/**
 * CenterNet's loss: focal loss on the heat map (negatives near a centre weigh less, by
 * (1 − target)⁴) plus L1 on the regressions at centre cells, both per sign.
 */
export function detectorLoss(
  output: tf.Tensor4D,
  targets: { heat: tf.Tensor4D; regression: tf.Tensor4D; centres: tf.Tensor4D },
): tf.Scalar {
  return tf.tidy(() => {
    const { heat, regression } = heads(output);
    const p = tf.clipByValue(heat, 1e-4, 1 - 1e-4);
    const positive = targets.centres;
    const negative = tf.sub(1, positive);
    const positiveLoss = tf.mul(tf.mul(tf.square(tf.sub(1, p)), tf.log(p)), positive);
    const nearness = tf.pow(tf.sub(1, targets.heat), 4);
    const negativeLoss = tf.mul(tf.mul(tf.mul(nearness, tf.square(p)), tf.log(tf.sub(1, p))), negative);
    const signs = tf.maximum(tf.sum(positive), 1);
    const focal = tf.div(tf.neg(tf.add(tf.sum(positiveLoss), tf.sum(negativeLoss))), signs);
    const l1 = tf.div(tf.sum(tf.mul(tf.abs(tf.sub(regression, targets.regression)), positive)), signs);
    return tf.add(focal, l1) as tf.Scalar;
  });
}

export interface ScoredBox {
  box: PlaneBox;
  score: number;
}

/**
 * Boxes where the heat map peaks (a cell above `threshold` and the highest of its 3×3
 * neighbourhood), in the plane's pixels. The input is padded to a multiple of 16 and the
 * boxes clamped to the plane.
 */
export function decodeDetections(
  model: tf.LayersModel,
  plane: { width: number; height: number; pixels: Float32Array },
  threshold: number,
): ScoredBox[] {
  const paddedHeight = Math.ceil(plane.height / 16) * 16;
  const paddedWidth = Math.ceil(plane.width / 16) * 16;
  const [peaks, regression] = tf.tidy(() => {
    const input = tf.pad(tf.tensor4d(plane.pixels, [1, plane.height, plane.width, 1]), [
      [0, 0],
      [0, paddedHeight - plane.height],
      [0, paddedWidth - plane.width],
      [0, 0],
    ]);
    const { heat, regression } = heads(model.predict(input) as tf.Tensor4D);
    const highest = tf.maxPool(heat, 3, 1, 'same');
    return [tf.mul(heat, tf.cast(tf.equal(heat, highest), 'float32')), regression];
  });
  const scores = peaks.dataSync() as Float32Array;
  const values = regression.dataSync() as Float32Array;
  peaks.dispose();
  regression.dispose();
  const columns = paddedWidth / DETECTOR_STRIDE;
  const found: ScoredBox[] = [];
  scores.forEach((score, k) => {
    if (score < threshold) return;
    const [logWidth, logHeight, dx, dy] = values.subarray(k * REGRESSION_CHANNELS, (k + 1) * REGRESSION_CHANNELS);
    const cx = ((k % columns) + 0.5 + dx!) * DETECTOR_STRIDE;
    const cy = (Math.floor(k / columns) + 0.5 + dy!) * DETECTOR_STRIDE;
    const w = Math.exp(logWidth!) * DETECTOR_STRIDE;
    const h = Math.exp(logHeight!) * DETECTOR_STRIDE;
    const box: PlaneBox = [
      Math.max(0, cx - w / 2),
      Math.max(0, cy - h / 2),
      Math.min(plane.width, cx + w / 2),
      Math.min(plane.height, cy + h / 2),
    ];
    if (box[2] > box[0] && box[3] > box[1]) found.push({ box, score });
  });
  return found.sort((a, b) => b.score - a.score);
}
