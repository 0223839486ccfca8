/**
 * Turns a Dataset into batch sources for the loop: decoded pixels (conv presets) or
 * backbone embeddings (mobilenet). Images that fail to decode are left out and
 * reported, not fatal: one corrupt file should not sink a 10 000-image run.
 */
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../src-shared/errors.js';
import { resolveAugment } from '../data/augment.js';
import {
  FeatureBatchSource,
  ImageBatchSource,
  SIGNED_SCALE,
  ViewBatchSource,
  type Preprocessing,
} from '../data/batches.js';
import type { Dataset, Sample } from '../data/dataset.js';
import { PixelStore } from '../data/pixel-store.js';
import { deriveSeed } from '../data/rng.js';
import type { EmbeddingCache } from '../inference/embedding-cache.js';
import { EMBEDDING_SIZE, embedSamples, loadMobilenetBackbone, releaseWeights } from '../models/mobilenet.js';
import { computeMaps, MAX_VIEWS } from '../models/mobilenet-maps.js';
import { foldedMobilenet, splitMobilenet, type SplitMobilenet } from '../models/mobilenet-top.js';
import { PRESETS } from '../models/presets.js';
import type { LabelledSource } from './loop.js';
import { pixelFormatOf } from './options.js';
import type { TrainJob, TrainOptions, TrainRequest } from './types.js';

export interface PreparedData {
  train: LabelledSource;
  validation: LabelledSource | null;
  skipped: Array<{ id: string; error: string }>;
  /** The frozen backbone (mobilenet preset only); the caller frees it (releaseWeights). */
  backbone: tf.LayersModel | null;
  /** The backbone cut for fine-tuning its top (fineTune 'top' only); shares the backbone's weights. */
  split: SplitMobilenet | null;
  /** The whole backbone as new trainable layers (fineTune 'all' only); the caller frees it. */
  wholeNetwork: tf.LayersModel | null;
  /** Releases the pixel store's file handle. */
  close(): void;
}

export interface TrainServices {
  /** Where mobilenet embeddings are looked up and stored (by `Sample.hash`). */
  embeddingCache?: EmbeddingCache | undefined;
}

/** Keeps the indices not in `failed`, with their labels. */
function keep(samples: Sample[], offset: number, failed: ReadonlySet<number>): { rows: number[]; labels: Int32Array } {
  const rows: number[] = [];
  const labels: number[] = [];
  samples.forEach((sample, i) => {
    if (failed.has(offset + i)) return;
    rows.push(offset + i);
    labels.push(sample.label);
  });
  return { rows, labels: Int32Array.from(labels) };
}

function progress(job: TrainJob, message: string): (done: number, total: number) => void {
  return (done, total) => job.onProgress({ done, total, message });
}

export async function prepareData(
  dataset: Dataset,
  options: TrainOptions,
  request: TrainRequest,
  job: TrainJob,
  services: TrainServices,
): Promise<PreparedData> {
  const all = [...dataset.train, ...dataset.validation];
  const trainCount = dataset.train.length;

  if (options.preset === 'mobilenet' && options.fineTune === 'top') {
    return prepareSplitMaps(dataset, options, request, job);
  }
  if (options.preset === 'mobilenet' && options.fineTune === 'all') {
    return prepareWholeNetwork(dataset, options, request, job);
  }
  if (options.preset === 'mobilenet') {
    const backbone = await loadMobilenetBackbone(request.mobilenetDir);
    try {
      const result = await embedSamples(backbone, all, {
        cache: services.embeddingCache,
        signal: job.signal,
        onProgress: progress(job, 'Computing image features'),
      });
      const failed = new Set(result.failures.map((f) => f.index));
      const source = (part: { rows: number[]; labels: Int32Array }): LabelledSource => {
        const features = new Float32Array(part.rows.length * EMBEDDING_SIZE);
        part.rows.forEach((row, i) =>
          features.set(result.vectors.subarray(row * EMBEDDING_SIZE, (row + 1) * EMBEDDING_SIZE), i * EMBEDDING_SIZE),
        );
        return { source: new FeatureBatchSource(features, EMBEDDING_SIZE), labels: part.labels };
      };
      const train = keep(dataset.train, 0, failed);
      const validation = keep(dataset.validation, trainCount, failed);
      if (train.rows.length === 0)
        throw new AppError('IMAGE_UNREADABLE', 'None of the training images could be decoded');
      return {
        train: source(train),
        validation: validation.rows.length > 0 ? source(validation) : null,
        skipped: result.failures.map(({ id, error }) => ({ id, error })),
        backbone,
        split: null,
        wholeNetwork: null,
        close: () => {},
      };
    } catch (error) {
      releaseWeights(backbone);
      throw error;
    }
  }

  return preparePixels(dataset, options, request, job, PRESETS[options.preset].preprocessing, null);
}

/**
 * Decoded pixels for every image (kept in memory or a cache file) as augmented training
 * batches and plain validation ones: the conv presets, and MobileNet fine-tuned whole
 * (`wholeNetwork`, which the caller then owns).
 */
async function preparePixels(
  dataset: Dataset,
  options: TrainOptions,
  request: TrainRequest,
  job: TrainJob,
  preprocessing: Preprocessing,
  wholeNetwork: tf.LayersModel | null,
): Promise<PreparedData> {
  const all = [...dataset.train, ...dataset.validation];
  const trainCount = dataset.train.length;
  const format = pixelFormatOf(options);
  const cacheFile = request.cacheDir
    ? join(request.cacheDir, `pixels-${format.width}x${format.height}x${format.channels}.u8`)
    : undefined;
  const { store, failures } = await PixelStore.build(all, format, {
    ...(cacheFile ? { cacheFile } : {}),
    ...(request.memoryBudgetBytes !== undefined ? { memoryBudgetBytes: request.memoryBudgetBytes } : {}),
    signal: job.signal,
    onProgress: progress(job, 'Decoding images'),
  });
  const train = keep(dataset.train, 0, store.failed);
  const validation = keep(dataset.validation, trainCount, store.failed);
  if (train.rows.length === 0) {
    store.close();
    throw new AppError('IMAGE_UNREADABLE', 'None of the training images could be decoded');
  }
  const augment = resolveAugment(options.augment, options.glyphMode);
  const seed = deriveSeed(options.seed, 'augment');
  return {
    train: { source: new ImageBatchSource(store, train.rows, preprocessing, augment, seed), labels: train.labels },
    validation:
      validation.rows.length > 0
        ? { source: new ImageBatchSource(store, validation.rows, preprocessing, null, seed), labels: validation.labels }
        : null,
    skipped: failures,
    backbone: null,
    split: null,
    wholeNetwork,
    close: () => store.close(),
  };
}

/** MobileNet fine-tuned whole: the backbone rebuilt with its batch norms folded, on 224-px pixels. */
async function prepareWholeNetwork(
  dataset: Dataset,
  options: TrainOptions,
  request: TrainRequest,
  job: TrainJob,
): Promise<PreparedData> {
  const bundled = await loadMobilenetBackbone(request.mobilenetDir);
  let whole: tf.LayersModel;
  try {
    whole = foldedMobilenet(bundled);
  } finally {
    releaseWeights(bundled); // folding copied every weight it needs
  }
  try {
    return await preparePixels(dataset, options, request, job, SIGNED_SCALE, whole);
  } catch (error) {
    releaseWeights(whole);
    throw error;
  }
}

/** Memory the training views of the maps may take (all views of all training images). */
const MAP_VIEW_BUDGET_BYTES = 1 << 30;

/**
 * Fine-tuning the top: maps at the cut for every image, several views of each training
 * image (as many as fit MAP_VIEW_BUDGET_BYTES, at most MAX_VIEWS), one of each
 * validation image. Mirrored views only where mirroring is allowed.
 */
async function prepareSplitMaps(
  dataset: Dataset,
  options: TrainOptions,
  request: TrainRequest,
  job: TrainJob,
): Promise<PreparedData> {
  const backbone = await loadMobilenetBackbone(request.mobilenetDir);
  try {
    const split = splitMobilenet(backbone);
    const mapBytes = split.mapShape.reduce((a, b) => a * b, 4);
    const augment = options.augment !== false;
    const views = augment
      ? Math.max(
          1,
          Math.min(MAX_VIEWS, Math.floor(MAP_VIEW_BUDGET_BYTES / (mapBytes * Math.max(1, dataset.train.length)))),
        )
      : 1;
    const seed = deriveSeed(options.seed, 'views');
    const report = progress(job, 'Computing image features');
    const total = dataset.train.length * views + dataset.validation.length;
    const trainMaps = await computeMaps(split.lower, dataset.train, {
      views,
      mirror: resolveAugment(options.augment, options.glyphMode).flip,
      seed,
      signal: job.signal,
      onProgress: (done) => report(done * views, total),
    });
    const validationMaps = await computeMaps(split.lower, dataset.validation, {
      views: 1,
      mirror: false,
      seed,
      signal: job.signal,
      onProgress: (done) => report(dataset.train.length * views + done, total),
    });
    const failures = [
      ...trainMaps.failures,
      ...validationMaps.failures.map((f) => ({ ...f, index: f.index + dataset.train.length })),
    ];
    const failed = new Set(failures.map((f) => f.index));
    const train = keep(dataset.train, 0, failed);
    const validation = keep(dataset.validation, dataset.train.length, failed);
    if (train.rows.length === 0) throw new AppError('IMAGE_UNREADABLE', 'None of the training images could be decoded');
    const mapSize = mapBytes / 4;
    // Copies only when some image failed: otherwise the rows are all there, in order.
    const pick = (maps: Float32Array, rows: number[], offset: number): Float32Array => {
      if (rows.length * mapSize === maps.length) return maps;
      const out = new Float32Array(rows.length * mapSize);
      rows.forEach((row, i) =>
        out.set(maps.subarray((row - offset) * mapSize, (row - offset + 1) * mapSize), i * mapSize),
      );
      return out;
    };
    const trainViews = trainMaps.views.map((maps) => pick(maps, train.rows, 0));
    return {
      train: { source: new ViewBatchSource(trainViews, split.mapShape, seed), labels: train.labels },
      validation:
        validation.rows.length > 0
          ? {
              source: new ViewBatchSource(
                [pick(validationMaps.views[0]!, validation.rows, dataset.train.length)],
                split.mapShape,
                seed,
              ),
              labels: validation.labels,
            }
          : null,
      skipped: failures.map(({ id, error }) => ({ id, error })),
      backbone,
      split,
      wholeNetwork: null,
      close: () => {},
    };
  } catch (error) {
    releaseWeights(backbone);
    throw error;
  }
}
