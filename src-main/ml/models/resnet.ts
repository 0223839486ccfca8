/**
 * The `resnet` preset: a small residual network in the CIFAR style of He et al.
 * (2016), for images of about 28–128 px. A 3×3 stem convolution (32 filters) with
 * batch norm and ReLU, three stages of basic blocks (32, 64, 128 filters; the second
 * and third start at stride 2), global average pooling and a softmax layer.
 *
 * A basic block is conv–BN–ReLU–conv–BN plus a shortcut, then ReLU. The shortcut
 * is the block's input itself, or a strided 1×1 convolution with batch norm where
 * the block changes the map's size or depth (a "projection" shortcut), so the two
 * branches can be added. The branches join, so this is a functional `tf.model`:
 * a Sequential has one path only.
 */
import * as tf from '@tensorflow/tfjs';
import type { ArchitectureOptions } from '../../../src-shared/api/wire-training.js';
import type { PixelFormat } from '../data/decode.js';
import { Seeds } from './seeds.js';

/** Filters of each stage; every stage after the first halves the map's sides. */
const RESNET_STAGE_FILTERS = [32, 64, 128] as const;
/** Basic blocks per stage: one keeps it a quick baseline on CPU cores (2 would double the convolutions). */
const BLOCKS_PER_STAGE = 1;
/**
 * Stage one runs at the stem's resolution, and its cost grows with the map's area:
 * the stem ends with 2×2 max pools until the shorter side is at most this (as
 * ImageNet ResNets shrink 224 px to 56 before their first stage).
 */
const MAX_STAGE_ONE_SIDE = 64;

/**
 * Batch-norm momentum as in CNN+: small datasets give few batches per epoch, so the
 * moving averages must settle faster than Keras' default 0.99 lets them.
 */
const BN_MOMENTUM = 0.9;

function convBn(
  x: tf.SymbolicTensor,
  filters: number,
  kernelSize: number,
  strides: number,
  seeds: Seeds,
): tf.SymbolicTensor {
  const conv = tf.layers.conv2d({
    filters,
    kernelSize,
    strides,
    padding: 'same',
    // Batch norm's shift does a bias's job.
    useBias: false,
    kernelInitializer: seeds.heKernel(),
  });
  const norm = tf.layers.batchNormalization({ momentum: BN_MOMENTUM });
  return norm.apply(conv.apply(x)) as tf.SymbolicTensor;
}

function relu(x: tf.SymbolicTensor): tf.SymbolicTensor {
  return tf.layers.activation({ activation: 'relu' }).apply(x) as tf.SymbolicTensor;
}

function basicBlock(x: tf.SymbolicTensor, filters: number, strides: number, seeds: Seeds): tf.SymbolicTensor {
  const branch = convBn(relu(convBn(x, filters, 3, strides, seeds)), filters, 3, 1, seeds);
  const reshaped = strides !== 1 || x.shape[3] !== filters;
  const shortcut = reshaped ? convBn(x, filters, 1, strides, seeds) : x;
  return relu(tf.layers.add().apply([branch, shortcut]) as tf.SymbolicTensor);
}

/** Stem, three stages of basic blocks, global average pooling, softmax. */
export function buildResnet(
  input: PixelFormat,
  numClasses: number,
  seed: number,
  architecture: ArchitectureOptions = {},
): tf.LayersModel {
  const seeds = new Seeds(seed);
  // A sweep may change the stages and the first stage's filters; each stage doubles them.
  const first = architecture.convFilters ?? RESNET_STAGE_FILTERS[0];
  const stages = Array.from(
    { length: architecture.convBlocks ?? RESNET_STAGE_FILTERS.length },
    (_, i) => first * 2 ** i,
  );
  const inputs = tf.input({ shape: [input.height, input.width, input.channels] });
  let x = relu(convBn(inputs, first, 3, 1, seeds));
  while (Math.min(x.shape[1]!, x.shape[2]!) > MAX_STAGE_ONE_SIDE)
    x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  stages.forEach((filters, stage) => {
    for (let block = 0; block < BLOCKS_PER_STAGE; block++)
      x = basicBlock(x, filters, stage > 0 && block === 0 ? 2 : 1, seeds);
  });
  // Averaging over positions, not flattening: the classifier stays 128 × classes at any input size.
  let pooled = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  if (architecture.dropout)
    pooled = tf.layers.dropout({ rate: architecture.dropout }).apply(pooled) as tf.SymbolicTensor;
  const outputs = tf.layers
    .dense({ units: numClasses, activation: 'softmax', kernelInitializer: seeds.kernel() })
    .apply(pooled) as tf.SymbolicTensor;
  return tf.model({ name: 'resnet', inputs, outputs });
}
