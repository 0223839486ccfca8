/**
 * MobileNetV2 (α 0.35, 224 px, ImageNet) as a frozen feature extractor.
 *
 * The bundled TF.js model's top Sequential holds the backbone (MobileNetV2 without
 * classifier + global average pooling → 1280-d) as layers[0] and an unrelated head
 * as layers[1], which is discarded. Embeddings are computed once per image (and
 * cached by content hash), so training only fits a small head on vectors: seconds
 * per epoch instead of running the backbone on every batch.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { AppError, throwIfAborted } from '../../../src-shared/errors.js';
import { SIGNED_SCALE } from '../data/batches.js';
import type { Sample } from '../data/dataset.js';
import { decodePixels, type PixelFormat } from '../data/decode.js';
import { loadModelFromFolder } from '../model-io.js';
import { inferenceRunner, type InferenceGraph } from '../inference/inference-graph.js';
import type { EmbeddingCache } from '../inference/embedding-cache.js';

export const MOBILENET_ID = 'mobilenet_v2_035_224';
export const MOBILENET_INPUT: PixelFormat = { width: 224, height: 224, channels: 3 };
export const EMBEDDING_SIZE = 1280;

/**
 * Finds `resources/models/<MOBILENET_ID>` by walking up from this file (works from
 * src-main under tsx and from out/src-main once compiled). Packaged apps pass the folder.
 */
export function findBundledMobilenet(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'resources', 'models', MOBILENET_ID);
    if (existsSync(join(candidate, 'model.json'))) return candidate;
    const parent = resolve(dir, '..');
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

/**
 * Frees a layer's or model's weight variables directly. `dispose()` does not when a
 * layer is nested in, or applied by, another model (tfjs-layers counts references
 * and only frees at zero), which is the case for both parts of the mobilenet
 * classifier.
 */
export function releaseWeights(layer: tf.layers.Layer): void {
  for (const weight of layer.weights) {
    try {
      weight.dispose();
    } catch {
      // already freed (a weight shared by two parts of a composed model)
    }
  }
}

/** Loads the backbone (layers[0]) and frees the discarded head. */
export async function loadMobilenetBackbone(dir?: string): Promise<tf.LayersModel> {
  const folder = dir ?? findBundledMobilenet();
  if (!folder || !existsSync(join(folder, 'model.json'))) {
    throw new AppError('NOT_FOUND', `MobileNetV2 weights not found${folder ? ` in ${folder}` : ''}`);
  }
  const full = await loadModelFromFolder(folder);
  const backbone = full.layers[0];
  if (!(backbone instanceof tf.LayersModel))
    throw new AppError('INTERNAL', 'MobileNet model.json: layers[0] is not the backbone model');
  for (const layer of full.layers.slice(1)) releaseWeights(layer);
  backbone.trainable = false;
  const outputSize = (backbone.outputs[0]!.shape as number[]).at(-1);
  if (outputSize !== EMBEDDING_SIZE)
    throw new AppError('INTERNAL', `MobileNet backbone gives ${outputSize}-d vectors, expected ${EMBEDDING_SIZE}`);
  return backbone;
}

/** Runs the (compiled) backbone on `count` images already scaled to [-1, 1] (224·224·3 floats each). */
async function embedBatch(backbone: InferenceGraph, pixels: Float32Array, count: number): Promise<Float32Array> {
  const output = tf.tidy(() =>
    backbone.predict(tf.tensor4d(pixels.subarray(0, count * 224 * 224 * 3), [count, 224, 224, 3])),
  );
  try {
    return (await output.data()) as Float32Array; // asynchronous: webgpu cannot read back synchronously in Node
  } finally {
    output.dispose();
  }
}

const IMAGE_FLOATS = 224 * 224 * 3;

/**
 * Decodes `samples[i]` for each i of `chunk` into consecutive rows of `pixels`, scaled
 * to [-1, 1]; returns the indices it decoded, in row order. A failure is recorded in
 * `failures` and takes no row.
 */
export async function decodeScaledBatch(
  samples: Sample[],
  chunk: number[],
  pixels: Float32Array,
  failures: Array<{ index: number; id: string; error: string }>,
): Promise<number[]> {
  const decoded = await Promise.all(
    chunk.map(async (i) => {
      try {
        return await decodePixels(samples[i]!.source, MOBILENET_INPUT);
      } catch (error) {
        failures.push({ index: i, id: samples[i]!.id, error: error instanceof Error ? error.message : String(error) });
        return null;
      }
    }),
  );
  const { scale, offset } = SIGNED_SCALE;
  const rows: number[] = [];
  decoded.forEach((bytes, k) => {
    if (!bytes) return;
    const base = rows.length * IMAGE_FLOATS;
    for (let p = 0; p < IMAGE_FLOATS; p++) pixels[base + p] = bytes[p]! * scale + offset;
    rows.push(chunk[k]!);
  });
  return rows;
}

export interface EmbedOptions {
  cache?: EmbeddingCache | undefined;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface EmbedResult {
  /** samples.length rows of EMBEDDING_SIZE floats (zeros for failed samples). */
  vectors: Float32Array;
  failures: Array<{ index: number; id: string; error: string }>;
  /** How many came from the cache. */
  cached: number;
}

/**
 * Embeddings for `samples`, from the cache where it has them (by `sample.hash`),
 * computed (decode → backbone) and stored otherwise.
 */
export async function embedSamples(
  backbone: tf.LayersModel,
  samples: Sample[],
  options: EmbedOptions = {},
): Promise<EmbedResult> {
  const batchSize = options.batchSize ?? 32;
  const vectors = new Float32Array(samples.length * EMBEDDING_SIZE);
  const failures: EmbedResult['failures'] = [];
  const hashes = samples.map((sample) => sample.hash).filter((hash): hash is string => Boolean(hash));
  const known =
    options.cache && hashes.length > 0
      ? await options.cache.get(MOBILENET_ID, [...new Set(hashes)])
      : new Map<string, Float32Array>();

  const todo: number[] = [];
  samples.forEach((sample, i) => {
    const hit = sample.hash ? known.get(sample.hash) : undefined;
    if (hit && hit.length === EMBEDDING_SIZE) vectors.set(hit, i * EMBEDDING_SIZE);
    else todo.push(i);
  });
  const cached = samples.length - todo.length;
  let done = cached;
  options.onProgress?.(done, samples.length);

  // Batch norm folded: about 3× faster than the layers model (inference-graph.ts),
  // which stays the fallback.
  const graph = inferenceRunner(backbone);
  try {
    const pixels = new Float32Array(batchSize * IMAGE_FLOATS);
    for (let start = 0; start < todo.length; start += batchSize) {
      throwIfAborted(options.signal);
      const chunk = todo.slice(start, start + batchSize);
      const rows = await decodeScaledBatch(samples, chunk, pixels, failures);
      if (rows.length > 0) {
        const out = await embedBatch(graph, pixels, rows.length);
        const entries: Array<[string, Float32Array]> = [];
        rows.forEach((i, k) => {
          const vector = out.subarray(k * EMBEDDING_SIZE, (k + 1) * EMBEDDING_SIZE);
          vectors.set(vector, i * EMBEDDING_SIZE);
          const hash = samples[i]!.hash;
          if (hash) entries.push([hash, vector.slice()]);
        });
        if (options.cache && entries.length > 0) await options.cache.put(MOBILENET_ID, entries);
      }
      done += chunk.length;
      options.onProgress?.(done, samples.length);
      // Let cancel messages and progress through between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    graph.dispose();
  }
  return { vectors, failures, cached };
}

/**
 * One model from image to class probabilities (backbone then head), for export and
 * prediction. Both parts keep their weights; the result shares them (no copy).
 */
export function composeMobilenetClassifier(backbone: tf.LayersModel, head: tf.LayersModel): tf.LayersModel {
  const input = tf.input({ shape: [224, 224, 3], name: 'image' });
  const features = backbone.apply(input) as tf.SymbolicTensor;
  const probabilities = head.apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: probabilities, name: 'mobilenet_classifier' });
}
