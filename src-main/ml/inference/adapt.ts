/**
 * Test-time adaptation by re-estimating batch-norm statistics (AdaBN, Li et al. 2016)
 * on the images about to be classified, e.g. the crops of a wall the model never saw.
 *
 * Why: what changes between two wall photographs is mostly lighting, contrast, wear
 * and scale, which shifts every channel's mean and spread inside the network. The
 * trained statistics describe the training walls; the new wall's own statistics put
 * its activations back where the later layers expect them. No labels are needed and
 * nothing is trained: one pass per batch-norm layer over (a sample of) the images.
 *
 * Layers are adapted in order, each measured with the ones before it already adapted,
 * because each layer's input depends on the statistics upstream. Only batch-norm
 * layers of the member's own graph are touched (a nested backbone is left alone).
 */
import * as tf from '@tensorflow/tfjs';
import { throwIfAborted } from '../../../src-shared/errors.js';
import type { PixelSource } from '../data/dataset.js';
import { decodePixels, imageBytes } from '../data/decode.js';
import type { ModelPreprocessing } from '../models/model-folder.js';
import { inferenceRunner } from './inference-graph.js';

/** Fewer images than this give statistics noisier than the trained ones. */
export const MIN_ADAPT_IMAGES = 32;
/** A sample this size measures the statistics well; more only costs time. */
export const MAX_ADAPT_IMAGES = 2048;

export interface AdaptableMember {
  model: tf.LayersModel;
  graph: { dispose(): void };
  preprocessing: { input: { width: number; height: number; channels: number } };
}

function batchNormLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((layer) => layer.getClassName() === 'BatchNormalization');
}

/** A batch-norm layer's moving statistic by its weight name ('moving_mean' or 'moving_variance'). */
function statistic(layer: tf.layers.Layer, name: string): tf.LayerVariable {
  const variable = layer.weights.find((w) => w.originalName.endsWith(`/${name}`) || w.originalName === name);
  if (!variable) throw new Error(`batch-norm layer ${layer.name} has no ${name}`);
  return variable;
}

/** How many batch-norm layers `adaptBatchNorm` would re-estimate in `model`. */
export function adaptableLayers(model: tf.LayersModel): number {
  return batchNormLayers(model).length;
}

/**
 * Re-estimates the batch-norm statistics of `member` from `inputs` (`count`
 * preprocessed images, h·w·c floats each) and recompiles its inference graph.
 * `mix` blends them: 1 takes the new images' statistics, 0.5 the mean of both.
 * Returns how many layers were adapted (0 when the model has none, or too few images).
 */
export async function adaptBatchNorm<M extends AdaptableMember & { graph: unknown }>(
  member: M,
  inputs: Float32Array,
  count: number,
  options: { mix?: number; batchSize?: number } = {},
): Promise<number> {
  const layers = batchNormLayers(member.model);
  if (layers.length === 0 || count < MIN_ADAPT_IMAGES) return 0;
  const mix = options.mix ?? 1;
  if (!(mix > 0 && mix <= 1)) throw new Error(`adaptation mix must be in (0, 1], got ${mix}`);
  const batchSize = options.batchSize ?? 64;
  const { width, height, channels } = member.preprocessing.input;
  const floats = width * height * channels;
  const used = Math.min(count, MAX_ADAPT_IMAGES);
  for (const layer of layers) {
    const axis = layer.getConfig().axis;
    const rank = (layer.input as tf.SymbolicTensor).shape.length;
    if (axis !== -1 && axis !== rank - 1) continue; // statistics per last axis (channels-last) only
    const movingMean = statistic(layer, 'moving_mean');
    const movingVariance = statistic(layer, 'moving_variance');
    const probe = tf.model({ inputs: member.model.inputs, outputs: layer.input as tf.SymbolicTensor });
    let sum: tf.Tensor | null = null;
    let sumSquares: tf.Tensor | null = null;
    let positions = 0;
    for (let start = 0; start < used; start += batchSize) {
      const rows = Math.min(batchSize, used - start);
      const [s, q, n] = tf.tidy(() => {
        const x = tf.tensor4d(inputs.subarray(start * floats, (start + rows) * floats), [
          rows,
          height,
          width,
          channels,
        ]);
        const y = probe.predict(x) as tf.Tensor;
        const flat = y.reshape([-1, y.shape[y.shape.length - 1]!]);
        return [flat.sum(0), flat.square().sum(0), flat.shape[0]] as const;
      });
      positions += n;
      const nextSum: tf.Tensor = sum ? tf.add(sum, s) : s;
      const nextSquares: tf.Tensor = sumSquares ? tf.add(sumSquares, q) : q;
      if (sum) {
        sum.dispose();
        s.dispose();
      }
      if (sumSquares) {
        sumSquares.dispose();
        q.dispose();
      }
      sum = nextSum;
      sumSquares = nextSquares;
    }
    tf.tidy(() => {
      const mean = sum!.div(positions);
      const variance = tf.relu(sumSquares!.div(positions).sub(mean.square()));
      movingMean.write(tf.add(tf.mul(mean, mix), tf.mul(movingMean.read(), 1 - mix)));
      movingVariance.write(tf.add(tf.mul(variance, mix), tf.mul(movingVariance.read(), 1 - mix)));
    });
    sum!.dispose();
    sumSquares!.dispose();
    await new Promise((resolve) => setImmediate(resolve));
  }
  // The folded graph holds copies of the old statistics.
  (member.graph as { dispose(): void }).dispose();
  (member as { graph: unknown }).graph = inferenceRunner(member.model);
  return layers.length;
}

/**
 * Adapts every member of `classifier` that has batch-norm layers to `sources` (see
 * adaptBatchNorm), decoding a sample of them the way prediction will. Returns how
 * many layers were adapted in all; 0 leaves the classifier as it was.
 */
export async function adaptClassifier(
  classifier: { members: Array<AdaptableMember & { preprocessing: ModelPreprocessing }> },
  sources: PixelSource[],
  options: { mix?: number; signal?: AbortSignal } = {},
): Promise<number> {
  if (sources.length < MIN_ADAPT_IMAGES) return 0;
  // An even sample across the folder, not its first files (often one wall's corner).
  const step = Math.max(1, sources.length / MAX_ADAPT_IMAGES);
  const sample: PixelSource[] = [];
  for (let i = 0; i < sources.length && sample.length < MAX_ADAPT_IMAGES; i += step)
    sample.push(sources[Math.floor(i)]!);
  let adapted = 0;
  for (const member of classifier.members) {
    if (adaptableLayers(member.model) === 0) continue;
    throwIfAborted(options.signal);
    const { input, scale, offset } = member.preprocessing;
    const bytes = imageBytes(input);
    const inputs = new Float32Array(sample.length * bytes);
    let count = 0;
    for (const source of sample) {
      const pixels = await decodePixels(source, input).catch(() => null); // unreadable images are reported by prediction
      if (!pixels) continue;
      for (let p = 0; p < bytes; p++) inputs[count * bytes + p] = pixels[p]! * scale + offset;
      count++;
    }
    adapted += await adaptBatchNorm(member, inputs, count, { mix: options.mix });
  }
  return adapted;
}
