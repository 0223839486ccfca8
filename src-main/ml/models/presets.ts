/**
 * The model presets a user picks from. All but `mobilenet` take the image at its
 * own (native) size; `mobilenet` is a frozen ImageNet backbone plus a small
 * trained head (see mobilenet.ts) and always takes 224×224 RGB.
 */
import * as tf from '@tensorflow/tfjs';
import type { PixelFormat } from '../data/decode.js';
import { SIGNED_SCALE, UNIT_SCALE, type Preprocessing } from '../data/batches.js';
import type { ArchitectureOptions, PresetId } from '../../../src-shared/api/wire-training.js';
export type { PresetId } from '../../../src-shared/api/wire-training.js';
import { PRESET_IDS } from '../../../src-shared/api/wire-training.js';
export { PRESET_IDS } from '../../../src-shared/api/wire-training.js';
import { buildResnet } from './resnet.js';
import { Seeds } from './seeds.js';

export interface PresetInfo {
  id: PresetId;
  title: string;
  description: string;
  /** Fixed input format, or null when the preset takes the images' own size. */
  fixedInput: PixelFormat | null;
  preprocessing: Preprocessing;
}

export const PRESETS: Record<PresetId, PresetInfo> = {
  'small-cnn': {
    id: 'small-cnn',
    title: 'Small CNN',
    description: 'Three conv/pool blocks and a 512-unit dense layer. Quick baseline at the images\u2019 own size.',
    fixedInput: null,
    preprocessing: UNIT_SCALE,
  },
  'cnn-plus': {
    id: 'cnn-plus',
    title: 'CNN+ (batch norm)',
    // Figures: `npm run bench -- train --accuracy=walls` (leave one of the six unas pictures out, each in turn).
    description:
      'Four conv blocks with batch normalisation and dropout, with a MobileNet companion. Default for glyphs: it reads a wall photograph it never saw at 92 % top-1 (98 % top-5) when Predict adapts to the folder.',
    fixedInput: null,
    preprocessing: UNIT_SCALE,
  },
  mobilenet: {
    id: 'mobilenet',
    title: 'MobileNetV2 transfer',
    description:
      'ImageNet MobileNetV2 (\u03b1 0.35): a small head on its features in seconds, or the whole network fine-tuned to your photos. Best for photos.',
    fixedInput: { width: 224, height: 224, channels: 3 },
    preprocessing: SIGNED_SCALE,
  },
  mlp: {
    id: 'mlp',
    title: 'MLP (fully connected)',
    description:
      'A fully connected baseline on the raw pixels (dense layers of 512 and 256 units, no convolutions), to see what the convolutional presets gain.',
    fixedInput: null,
    preprocessing: UNIT_SCALE,
  },
  resnet: {
    id: 'resnet',
    title: 'ResNet (small)',
    description:
      'A small residual network (a stem convolution, three stages of residual blocks with batch norm, global average pooling): the classic deep baseline for 28\u2013128 px images.',
    fixedInput: null,
    preprocessing: UNIT_SCALE,
  },
};

export function isPresetId(value: unknown): value is PresetId {
  return typeof value === 'string' && (PRESET_IDS as readonly string[]).includes(value);
}

/** Conv(16)–Pool–Conv(32)–Pool–Conv(64)–Pool–Flatten–Dense(512)–Dense(n). */
export function buildSmallCnn(
  input: PixelFormat,
  numClasses: number,
  seed: number,
  architecture: ArchitectureOptions = {},
): tf.Sequential {
  const seeds = new Seeds(seed);
  const model = tf.sequential({ name: 'small_cnn' });
  model.add(tf.layers.inputLayer({ inputShape: [input.height, input.width, input.channels] }));
  for (const filters of doubling(architecture.convFilters ?? 16, architecture.convBlocks ?? 3)) {
    model.add(
      tf.layers.conv2d({
        filters,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: seeds.kernel(),
      }),
    );
    if (poolable(model)) model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  }
  model.add(tf.layers.flatten());
  model.add(
    tf.layers.dense({ units: architecture.denseUnits ?? 512, activation: 'relu', kernelInitializer: seeds.kernel() }),
  );
  if (architecture.dropout) model.add(tf.layers.dropout({ rate: architecture.dropout }));
  model.add(tf.layers.dense({ units: numClasses, activation: 'softmax', kernelInitializer: seeds.kernel() }));
  return model;
}

/** `blocks` filter counts from `first`, each twice the one before. */
function doubling(first: number, blocks: number): number[] {
  return Array.from({ length: blocks }, (_, i) => first * 2 ** i);
}

/** Whether one more 2×2 pooling leaves both sides of the map at least one pixel. */
function poolable(model: tf.Sequential): boolean {
  return model.outputs[0]!.shape[1]! >= 2 && model.outputs[0]!.shape[2]! >= 2;
}

/**
 * Four Conv–BN–ReLU blocks (16, 32, 64, 128 filters), each followed by 2×2 max
 * pooling, then dropout and a softmax layer on the flattened map. Batch norm lets
 * it train at a higher learning rate than the plain CNN and the pooled map stays
 * small (4×3×128 for a 75×50 glyph), so the dense part is tiny. About 13 M
 * multiply-adds per 75×50 image.
 *
 * Flatten, not global average pooling: where strokes are in the frame tells glyph
 * classes apart. Measured on unas-glyphs (stratified 80/20, same options otherwise):
 * global pooling 0.84 top-1, flatten 0.91.
 */
export function buildCnnPlus(
  input: PixelFormat,
  numClasses: number,
  seed: number,
  architecture: ArchitectureOptions = {},
): tf.Sequential {
  const seeds = new Seeds(seed);
  const model = tf.sequential({ name: 'cnn_plus' });
  model.add(tf.layers.inputLayer({ inputShape: [input.height, input.width, input.channels] }));
  for (const filters of doubling(architecture.convFilters ?? 16, architecture.convBlocks ?? 4)) {
    model.add(
      tf.layers.conv2d({
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: seeds.heKernel(),
      }),
    );
    model.add(tf.layers.batchNormalization({ momentum: 0.9 }));
    model.add(tf.layers.activation({ activation: 'relu' }));
    // Very small images skip a pooling that would shrink a side to nothing.
    if (poolable(model)) model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  }
  model.add(tf.layers.flatten());
  if (architecture.denseUnits)
    model.add(
      tf.layers.dense({ units: architecture.denseUnits, activation: 'relu', kernelInitializer: seeds.kernel() }),
    );
  // Not seeded: a seeded tfjs dropout layer draws the same mask at every step.
  model.add(tf.layers.dropout({ rate: architecture.dropout ?? 0.5 }));
  model.add(tf.layers.dense({ units: numClasses, activation: 'softmax', kernelInitializer: seeds.kernel() }));
  return model;
}

/** The trainable head on top of the frozen backbone's embedding. */
export function buildEmbeddingHead(
  embeddingSize: number,
  numClasses: number,
  seed: number,
  architecture: ArchitectureOptions = {},
): tf.Sequential {
  const seeds = new Seeds(seed);
  const model = tf.sequential({ name: 'head' });
  model.add(tf.layers.inputLayer({ inputShape: [embeddingSize] }));
  model.add(tf.layers.dropout({ rate: architecture.dropout ?? 0.2 }));
  model.add(tf.layers.dense({ units: numClasses, activation: 'softmax', kernelInitializer: seeds.kernel() }));
  return model;
}

/** Units of the MLP's hidden layers (the second is half the first). */
const MLP_UNITS = [512, 256] as const;

/**
 * The most input values (width × height × channels) the MLP takes: its first layer
 * holds 512 weights per input value, and training holds about five copies of them
 * (weights, gradient, Adam's two moments, the best epoch's). At this limit a copy is
 * 128 MiB; at a 500×375 RGB photo's 562 500 values it would be 1.1 GiB, and the five
 * more than WebAssembly's 4 GiB can hold.
 */
export const MAX_MLP_INPUTS = 65_536;

/** Flatten–Dense(512)–Dropout–Dense(256)–Dropout–Dense(n): every pixel is an input of its own. */
export function buildMlp(
  input: PixelFormat,
  numClasses: number,
  seed: number,
  architecture: ArchitectureOptions = {},
): tf.Sequential {
  const seeds = new Seeds(seed);
  const model = tf.sequential({ name: 'mlp' });
  model.add(tf.layers.inputLayer({ inputShape: [input.height, input.width, input.channels] }));
  model.add(tf.layers.flatten());
  const first = architecture.denseUnits ?? MLP_UNITS[0];
  for (const units of [first, Math.max(1, Math.round(first / 2))]) {
    model.add(tf.layers.dense({ units, activation: 'relu', kernelInitializer: seeds.heKernel() }));
    // Rate as in Keras' MNIST MLP example. Not seeded: a seeded tfjs dropout layer draws the same mask at every step.
    model.add(tf.layers.dropout({ rate: architecture.dropout ?? 0.2 }));
  }
  model.add(tf.layers.dense({ units: numClasses, activation: 'softmax', kernelInitializer: seeds.kernel() }));
  return model;
}

/** Why `preset` cannot take images of `input`'s size, or null when it can. */
export function inputProblem(preset: PresetId, input: PixelFormat): string | null {
  if (input.width < 8 || input.height < 8)
    return `images of ${input.width}×${input.height} are too small for ${preset} (min 8×8)`;
  const values = input.width * input.height * input.channels;
  if (preset === 'mlp' && values > MAX_MLP_INPUTS) {
    const size = `${input.width}×${input.height}×${input.channels}`;
    return `images of ${size} are too large for the MLP (${values} input values, at most ${MAX_MLP_INPUTS}): train it at a smaller size, or pick a convolutional preset`;
  }
  return null;
}

/** Builds a preset that takes the images at their own size (`mobilenet` is assembled by mobilenet.ts). */
export function buildConvPreset(
  preset: Exclude<PresetId, 'mobilenet'>,
  input: PixelFormat,
  numClasses: number,
  seed: number,
  architecture: ArchitectureOptions = {},
): tf.LayersModel {
  const problem = inputProblem(preset, input);
  if (problem) throw new Error(problem);
  switch (preset) {
    case 'small-cnn':
      return buildSmallCnn(input, numClasses, seed, architecture);
    case 'cnn-plus':
      return buildCnnPlus(input, numClasses, seed, architecture);
    case 'mlp':
      return buildMlp(input, numClasses, seed, architecture);
    case 'resnet':
      return buildResnet(input, numClasses, seed, architecture);
  }
}
