/**
 * Turns a Dataset into batch sources for the loop: decoded pixels (conv presets) or
 * backbone embeddings (mobilenet). Images that fail to decode are left out and
 * reported, not fatal: one corrupt file should not sink a 10 000-image run.
 */
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../src-shared/errors.js';
import { resolveAugment } from '../data/augment.js';
import { FeatureBatchSource, ImageBatchSource } from '../data/batches.js';
import type { Dataset, Sample } from '../data/dataset.js';
import { PixelStore } from '../data/pixel-store.js';
import { deriveSeed } from '../data/rng.js';
import type { EmbeddingCache } from '../inference/embedding-cache.js';
import { EMBEDDING_SIZE, embedSamples, loadMobilenetBackbone, releaseWeights } from '../models/mobilenet.js';
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
        close: () => {},
      };
    } catch (error) {
      releaseWeights(backbone);
      throw error;
    }
  }

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
  const preprocessing = PRESETS[options.preset].preprocessing;
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
    close: () => store.close(),
  };
}
