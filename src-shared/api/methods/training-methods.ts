/** Training runs. */
import { z } from 'zod';
import {
  ARCHITECTURE_LIMITS,
  FINE_TUNE_MODES,
  MAX_LABEL_SMOOTHING,
  MAX_LOGIT_ADJUSTMENT,
  PRESET_IDS,
} from '../wire-training.js';
import type { PresetSummary, RunComparison, RunDetails, RunSummary } from '../types.js';
import { method } from './define.js';
import { empty, id } from './schemas.js';

const augment = z
  .object({
    shift: z.number().min(0).max(0.5).optional(),
    zoom: z.number().min(0).max(0.5).optional(),
    rotation: z.number().min(0).max(45).optional(),
    brightness: z.number().min(0).max(0.5).optional(),
    contrast: z.number().min(0).max(0.5).optional(),
    flip: z.boolean().optional(),
    gamma: z.number().min(0).max(1).optional(),
    blur: z.number().min(0).max(1).optional(),
    noise: z.number().min(0).max(0.3).optional(),
    stroke: z.number().min(0).max(1).optional(),
  })
  .strict();

const { dropout, denseUnits, convBlocks, convFilters } = ARCHITECTURE_LIMITS;
const architecture = z
  .object({
    dropout: z.number().min(dropout.min).max(dropout.max).optional(),
    denseUnits: z.number().int().min(denseUnits.min).max(denseUnits.max).optional(),
    convBlocks: z.number().int().min(convBlocks.min).max(convBlocks.max).optional(),
    convFilters: z.number().int().min(convFilters.min).max(convFilters.max).optional(),
  })
  .strict();

export const trainSettings = z
  .object({
    preset: z.enum(PRESET_IDS),
    input: z
      .object({ width: z.number().int().min(8).max(1024), height: z.number().int().min(8).max(1024) })
      .strict()
      .optional(),
    colorMode: z.enum(['grayscale', 'rgb']).optional(),
    epochs: z.number().int().min(1).max(10_000).optional(),
    batchSize: z.number().int().min(1).max(4096).optional(),
    learningRate: z.number().positive().max(10).optional(),
    optimizer: z.enum(['adam', 'sgd', 'rmsprop']).optional(),
    momentum: z.number().min(0).max(0.999).optional(),
    earlyStopping: z
      .object({ patience: z.number().int().min(1).max(1000), minDelta: z.number().min(0).max(1) })
      .strict()
      .nullable()
      .optional(),
    learningRateSchedule: z.enum(['plateau', 'cosine']).optional(),
    labelSmoothing: z.number().min(0).max(MAX_LABEL_SMOOTHING).optional(),
    classWeights: z.enum(['none', 'balanced']).optional(),
    logitAdjustment: z.number().min(0).max(MAX_LOGIT_ADJUSTMENT).optional(),
    fineTune: z.enum(FINE_TUNE_MODES).optional(),
    augment: z.union([augment, z.literal(false)]).optional(),
    glyphMode: z.boolean().optional(),
    ensemble: z.boolean().optional(),
    seed: z.number().int().optional(),
    architecture: architecture.optional(),
    includeValidation: z.boolean().optional(),
  })
  .strict();

export const trainingMethods = {
  listPresets: method<PresetSummary[]>()(empty),
  startTraining: method<{ taskId: string }>()(
    z.object({ settings: trainSettings, keepBestOnCancel: z.boolean().default(false) }).strict(),
  ),
  resumeRun: method<{ taskId: string }>()(z.object({ runId: id }).strict()),
  listRuns: method<RunSummary[]>()(empty),
  getRun: method<RunDetails>()(z.object({ runId: id }).strict()),
  renameRun: method<RunSummary>()(z.object({ runId: id, name: z.string().trim().min(1).max(200) }).strict(), {
    changes: ['runs'],
  }),
  deleteRun: method<{ deleted: boolean }>()(z.object({ runId: id }).strict(), { changes: ['runs', 'predictions'] }),
  /** Runs side by side: train, validation and test figures, settings, time, and per-class F1. */
  getRunComparison: method<RunComparison>()(z.object({ runIds: z.array(id).min(2).max(50) }).strict()),
} as const;
