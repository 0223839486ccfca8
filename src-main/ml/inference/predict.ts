/**
 * Using an exported model: load it, predict top-k classes for images, evaluate it
 * on labelled images. Images get exactly the training-time treatment (decode,
 * stretch to the input size, scale) from the folder's preprocessing.json.
 */
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError, throwIfAborted } from '../../../src-shared/errors.js';
import type { PixelSource } from '../data/dataset.js';
import { decodePixels, imageBytes } from '../data/decode.js';
import { MODEL_JSON } from '../model-io.js';
import { inferenceRunner, type InferenceGraph } from './inference-graph.js';
import { forgetInInferenceHelpers, startShared, warmInferenceHelpers } from './inference-helpers.js';
import { correctProbabilities, readCorrection, type ProbabilityCorrection } from './calibration.js';
import { combineProbabilities, readEnsembleManifest } from './ensemble.js';
import { loadExportedModel, type ModelPreprocessing } from '../models/model-folder.js';
import { evaluatePredictions, type Evaluation } from './metrics.js';
import { checkModelFolder } from '../models/model-check.js';

/** One model of a classifier, with its own input format. */
export interface ClassifierMember {
  model: tf.LayersModel;
  /** What runs it: the model with batch norm folded (see inference-graph.ts), or the model itself. */
  graph: InferenceGraph;
  preprocessing: ModelPreprocessing;
  /** Its weight in the geometric mean (1 for a single model). */
  weight: number;
}

/** A loaded model folder: one model, or an ensemble (see ensemble.ts). */
export interface Classifier {
  labels: string[];
  /** The first member's preprocessing (the folder's own model). */
  preprocessing: ModelPreprocessing;
  members: ClassifierMember[];
  /** Logit adjustment and temperature from calibration.json, applied to the combined probabilities. */
  correction: ProbabilityCorrection;
  dispose(): void;
}

export interface TopKEntry {
  label: string;
  index: number;
  probability: number;
}

export type Prediction = { id: string; top: TopKEntry[] } | { id: string; error: string };

export interface PredictOptions {
  /** How many classes to return per image (default 5). */
  topK?: number;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

async function loadMember(
  dir: string,
  labels: string[] | null,
  weight: number,
): Promise<{ member: ClassifierMember; labels: string[] }> {
  let loaded: Awaited<ReturnType<typeof loadExportedModel>>;
  try {
    loaded = await loadExportedModel(dir);
  } catch (error) {
    // checkModelFolder passed, so what tfjs still refuses (an unknown layer, weights
    // named for other layers) is in model.json: say so, not INTERNAL.
    if (error instanceof AppError) throw error;
    throw new AppError(
      'MODEL_INVALID',
      `${resolve(dir, MODEL_JSON)}: TensorFlow.js cannot load it (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  const { model, metadata } = loaded;
  if (labels && metadata.labels.join('\n') !== labels.join('\n')) {
    model.dispose();
    throw new AppError(
      'MODEL_INVALID',
      `${resolve(dir, 'labels.json')}: its classes differ from the ensemble's first model`,
    );
  }
  const graph = inferenceRunner(model);
  return { member: { model, graph, preprocessing: metadata.preprocessing, weight }, labels: metadata.labels };
}

function disposeMember(member: ClassifierMember): void {
  forgetInInferenceHelpers([member.graph]);
  member.graph.dispose();
  member.model.dispose();
}

/** Loads a model folder: a single model, or every member its ensemble.json lists. */
export async function loadClassifier(dir: string, options: { warmHelpers?: boolean } = {}): Promise<Classifier> {
  // Damage is found from the files, with the file named, before tfjs sees them.
  await checkModelFolder(dir);
  const manifest = await readEnsembleManifest(dir);
  const entries = manifest?.members ?? [{ dir: '.', weight: 1 }];
  const members: ClassifierMember[] = [];
  let labels: string[] | null = null;
  try {
    for (const entry of entries) {
      const loaded = await loadMember(join(dir, entry.dir), labels, entry.weight);
      members.push(loaded.member);
      labels ??= loaded.labels;
    }
  } catch (error) {
    members.forEach(disposeMember);
    throw error;
  }
  // Not for a copy about to be adapted: adaptation replaces its graphs, and the helpers would copy them twice.
  if (options.warmHelpers !== false) warmInferenceHelpers(members);
  return {
    labels: labels!,
    preprocessing: members[0]!.preprocessing,
    members,
    correction: await readCorrection(dir),
    dispose: () => members.forEach(disposeMember),
  };
}

/**
 * Most input floats one inference call gets. Prediction runs on the main process's
 * thread, so each call blocks it. 1 M floats is 6 MobileNet images or a whole batch
 * of 64 glyph crops. Measured classifying 256 photos with MobileNet (batch 64): the
 * event loop's longest stall fell from 913 ms (one call per batch) to 160–220 ms,
 * at the same 80–88 images/s.
 */
const MAX_INPUT_FLOATS_PER_CALL = 1 << 20;

/** One member's class probabilities for `count` preprocessed images in `inputs` (count·h·w·c floats). */
export async function predictMember(
  member: ClassifierMember,
  inputs: Float32Array,
  count: number,
): Promise<Float32Array> {
  const { width, height, channels } = member.preprocessing.input;
  const floats = width * height * channels;
  const { graph } = member;
  const rowsPerCall = Math.max(1, Math.floor(MAX_INPUT_FLOATS_PER_CALL / floats));
  let result: Float32Array | null = null;
  for (let start = 0; start < count; start += rowsPerCall) {
    // Let other work (IPC, thumbnails) run between calls.
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    const rows = Math.min(rowsPerCall, count - start);
    const output = tf.tidy(() => {
      const x = tf.tensor4d(inputs.subarray(start * floats, (start + rows) * floats), [rows, height, width, channels]);
      return graph.predict(x);
    });
    try {
      const part = (await output.data()) as Float32Array; // asynchronous: webgpu cannot read back synchronously in Node
      if (rows === count) return part;
      const classes = part.length / rows;
      result ??= new Float32Array(count * classes);
      result.set(part, start * classes);
    } finally {
      output.dispose();
    }
  }
  return result ?? new Float32Array(0);
}

/** The k most probable classes of one probability row, most probable first. */
export function topK(row: ArrayLike<number>, labels: string[], k: number): TopKEntry[] {
  const order = Array.from({ length: row.length }, (_, i) => i).sort((a, b) => row[b]! - row[a]!);
  return order
    .slice(0, Math.min(k, row.length))
    .map((index) => ({ label: labels[index] ?? String(index), index, probability: row[index]! }));
}

/**
 * Runs the model over images in batches. Calls `consume(start, probabilities, errors)`
 * per batch, where `errors[i]` is set for an image that could not be decoded.
 */
async function forEachBatch(
  classifier: Classifier,
  sources: PixelSource[],
  options: PredictOptions,
  consume: (start: number, probabilities: Float32Array, errors: Array<string | null>) => void,
): Promise<void> {
  const batchSize = options.batchSize ?? 32;
  // Each member's pixels of a chunk, or why an image could not be decoded.
  const decodeChunk = (start: number) =>
    Promise.all(
      classifier.members.map((member) =>
        Promise.all(
          sources.slice(start, start + batchSize).map((source) =>
            decodePixels(source, member.preprocessing.input).then(
              (pixels) => pixels,
              (error: unknown) => (error instanceof Error ? error.message : String(error)),
            ),
          ),
        ),
      ),
    );
  // A chunk decoded, scaled, and with the helpers' shares sent (inference-helpers.ts).
  const prepare = async (start: number) => {
    const decodedByMember = await decodeChunk(start);
    const rows = Math.min(batchSize, sources.length - start);
    const errors: Array<string | null> = Array.from({ length: rows }, () => null);
    const shares = classifier.members.map((member, m) => {
      const bytes = imageBytes(member.preprocessing.input);
      const { scale, offset } = member.preprocessing;
      const inputs = new Float32Array(rows * bytes);
      decodedByMember[m]!.forEach((pixels, i) => {
        if (typeof pixels === 'string') errors[i] ??= pixels;
        else for (let p = 0; p < bytes; p++) inputs[i * bytes + p] = pixels[p]! * scale + offset;
      });
      return startShared(member, inputs, rows);
    });
    return { rows, errors, shares };
  };
  // Chunk k + 1 decodes (on sharp's threads) and goes to the helpers while chunk k is
  // inferred and stored here, so that neither this thread nor a helper waits for the other.
  let next = sources.length > 0 ? prepare(0) : null;
  try {
    for (let start = 0; start < sources.length; start += batchSize) {
      throwIfAborted(options.signal);
      const chunk = await next!;
      next = start + batchSize < sources.length ? prepare(start + batchSize) : null;
      const outputs: Float32Array[] = [];
      for (const [m, member] of classifier.members.entries())
        outputs.push(await chunk.shares[m]!.finish((part, rows) => predictMember(member, part, rows)));
      const combined =
        outputs.length === 1
          ? outputs[0]!
          : combineProbabilities(
              outputs,
              classifier.members.map((member) => member.weight),
              classifier.labels.length,
            );
      const probabilities = correctProbabilities(combined, classifier.labels.length, classifier.correction);
      consume(start, probabilities, chunk.errors);
      options.onProgress?.(Math.min(sources.length, start + chunk.rows), sources.length);
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    // A batch prepared ahead of an abort or a failure is dropped, not left to reject unheard.
    next?.catch(() => {});
  }
}

/** Top-k predictions for each image; unreadable images get `error` instead. */
export async function predictImages(
  classifier: Classifier,
  images: Array<{ id: string; source: PixelSource }>,
  options: PredictOptions = {},
): Promise<Prediction[]> {
  const k = options.topK ?? 5;
  const n = classifier.labels.length;
  const results: Prediction[] = [];
  await forEachBatch(
    classifier,
    images.map((image) => image.source),
    options,
    (start, probabilities, errors) => {
      errors.forEach((error, i) => {
        const id = images[start + i]!.id;
        results.push(
          error ? { id, error } : { id, top: topK(probabilities.subarray(i * n, (i + 1) * n), classifier.labels, k) },
        );
      });
    },
  );
  return results;
}

export interface EvaluationReport extends Evaluation {
  /** Images whose label the model does not know (left out of the metrics). */
  unknownLabels: string[];
  /** Images that could not be decoded (left out of the metrics). */
  failed: Array<{ id: string; error: string }>;
}

/** Accuracy, top-k, macro-F1, per-class metrics and confusion matrix on labelled images. */
export async function evaluateClassifier(
  classifier: Classifier,
  images: Array<{ id: string; source: PixelSource; label: string }>,
  options: PredictOptions = {},
): Promise<EvaluationReport> {
  const { probabilities, labels, unknownLabels, failed } = await labelledProbabilities(classifier, images, options);
  return {
    ...evaluatePredictions(probabilities, labels, classifier.labels, options.topK ?? 5),
    unknownLabels,
    failed,
  };
}

/** Every class's probability for each readable labelled image the model knows the class of, with its label index. */
export async function labelledProbabilities(
  classifier: Classifier,
  images: Array<{ id: string; source: PixelSource; label: string }>,
  options: PredictOptions = {},
): Promise<{
  probabilities: Float32Array;
  labels: number[];
  unknownLabels: string[];
  failed: EvaluationReport['failed'];
}> {
  const index = new Map(classifier.labels.map((label, i) => [label, i]));
  const known = images.filter((image) => index.has(image.label));
  const unknownLabels = [...new Set(images.filter((image) => !index.has(image.label)).map((image) => image.label))];
  const n = classifier.labels.length;
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  const failed: EvaluationReport['failed'] = [];
  await forEachBatch(
    classifier,
    known.map((image) => image.source),
    options,
    (start, probabilities, errors) => {
      errors.forEach((error, i) => {
        const image = known[start + i]!;
        if (error) {
          failed.push({ id: image.id, error });
          return;
        }
        rows.push(probabilities.slice(i * n, (i + 1) * n));
        labels.push(index.get(image.label)!);
      });
    },
  );
  const all = new Float32Array(rows.length * n);
  rows.forEach((row, i) => all.set(row, i * n));
  return { probabilities: all, labels, unknownLabels, failed };
}
