/** Evaluate and Predict. */
import { z } from 'zod';
import type { DroppedImageResult, PredictionItem, RunEvaluation } from '../types.js';
import { method } from './define.js';
import { folderPath, id, split } from './schemas.js';

export const predictMethods = {
  startEvaluation: method<{ taskId: string }>()(
    z.object({ runId: id.optional(), split: split.default('test') }).strict(),
    { taskChanges: ['runs', 'predictions'] },
  ),
  getEvaluation: method<RunEvaluation | null>()(z.object({ runId: id, split: split.default('test') }).strict()),
  getPredictionImages: method<PredictionItem[]>()(
    z
      .object({
        runId: id,
        split: split.optional(),
        trueClassId: id.optional(),
        predictedClassId: id.optional(),
        mistakesOnly: z.boolean().optional(),
        unlabeledOnly: z.boolean().optional(),
        maxConfidence: z.number().min(0).max(1).optional(),
        order: z.enum(['confident-first', 'unsure-first']).default('confident-first'),
        limit: z.number().int().min(1).max(1000).default(200),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
  ),
  /** Classify folders (imported as unlabelled), or every unlabelled image in the project. */
  startPrediction: method<{ taskId: string }>()(
    z
      .object({
        runId: id.optional(),
        target: z.discriminatedUnion('kind', [
          z
            .object({
              kind: z.literal('folders'),
              roots: z.array(folderPath).min(1).max(50),
              /** Re-estimate the model's batch-norm statistics on these images first (a new wall, other light). */
              adapt: z.boolean().default(true),
            })
            .strict(),
          z.object({ kind: z.literal('unlabeled') }).strict(),
        ]),
      })
      .strict(),
    { taskChanges: ['images', 'predictions'] },
  ),
  /** One dropped, pasted or uploaded image (base64), classified at once. */
  predictImage: method<DroppedImageResult>()(
    z
      .object({ name: z.string().min(1).max(500), data: z.string().min(1).max(60_000_000), runId: id.optional() })
      .strict(),
  ),
  /** Takes the model's guess number `rank` (1: its best guess, 2: its second, …) as each image's label. */
  acceptPredictions: method<{ changed: number }>()(
    z
      .object({ runId: id, imageIds: z.array(id).min(1).max(500_000), rank: z.number().int().min(1).max(5).default(1) })
      .strict(),
    { changes: ['labels', 'splits'] },
  ),
  /** The run's predictions as CSV: all of them, or those of the images under `folder` (a classified folder). */
  getPredictionsCsv: method<string>()(z.object({ runId: id, folder: folderPath.optional() }).strict()),
  exportModel: method<{ dir: string }>()(z.object({ runId: id, outDir: folderPath }).strict()),
  /**
   * A run's per-epoch metrics: CSV text for the renderer to download, or a TensorBoard
   * event file written under `outDir` (a log folder; each run gets its own subfolder).
   */
  exportRunMetrics: method<{ fileName: string; text: string } | { dir: string; files: string[] }>()(
    z.discriminatedUnion('format', [
      z.object({ runId: id, format: z.literal('csv') }).strict(),
      z.object({ runId: id, format: z.literal('tensorboard'), outDir: folderPath }).strict(),
    ]),
  ),
  importModel: method<{ runId: number }>()(
    z.object({ dir: folderPath, name: z.string().trim().min(1).max(200).optional() }).strict(),
    { changes: ['runs'] },
  ),
} as const;
