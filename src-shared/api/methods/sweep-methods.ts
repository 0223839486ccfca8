/** Hyper-parameter sweeps: trials of one preset, each an ordinary run, compared on validation. */
import { z } from 'zod';
import { SWEEP_PARAMETERS, type SweepDetails, type SweepSummary } from '../wire-sweeps.js';
import { method } from './define.js';
import { empty, folderPath, id } from './schemas.js';
import { trainSettings } from './training-methods.js';

const parameter = z.enum(SWEEP_PARAMETERS);
const value = z.union([z.number().finite(), z.string().max(40), z.boolean()]);
const range = z
  .object({ min: z.number().finite(), max: z.number().finite(), scale: z.enum(['linear', 'log']).default('linear') })
  .strict()
  .refine((r) => r.max > r.min, 'a range needs max > min')
  .refine((r) => r.scale !== 'log' || r.min > 0, 'a log range needs min > 0');

export const sweepSpec = z
  .object({
    base: trainSettings,
    space: z
      .object({
        grid: z.partialRecord(parameter, z.array(value).min(1).max(50)).default({}),
        random: z.number().int().min(2).max(500).optional(),
        ranges: z.partialRecord(parameter, range).optional(),
        seed: z.number().int().optional(),
      })
      .strict(),
    halving: z.boolean().default(true),
    eta: z.number().int().min(2).max(8).default(3),
  })
  .strict();

export const sweepMethods = {
  /** Plans the trials and trains them one after another as one task (cancel keeps the finished ones). */
  startSweep: method<{ taskId: string; sweepId: number }>()(z.object({ spec: sweepSpec }).strict(), {
    taskChanges: ['runs'],
  }),
  /** Goes on with a cancelled or interrupted sweep from where its trials are. */
  resumeSweep: method<{ taskId: string; sweepId: number }>()(z.object({ sweepId: id }).strict(), {
    taskChanges: ['runs'],
  }),
  listSweeps: method<SweepSummary[]>()(empty),
  /** A sweep with every trial's parameters, status and best validation figures. */
  getSweep: method<SweepDetails>()(z.object({ sweepId: id }).strict()),
  /**
   * Trains the sweep's best trial again on train and validation together, for as many
   * epochs as its best epoch: the model to keep. Its figures are then on the test split.
   */
  /** The trials as CSV, or a TensorBoard log folder with one sub-folder per trial. */
  exportSweepMetrics: method<{ fileName: string; text: string } | { dir: string; files: string[] }>()(
    z.discriminatedUnion('format', [
      z.object({ sweepId: id, format: z.literal('csv') }).strict(),
      z.object({ sweepId: id, format: z.literal('tensorboard'), outDir: folderPath }).strict(),
    ]),
  ),
  trainBestOfSweep: method<{ taskId: string }>()(z.object({ sweepId: id }).strict(), { taskChanges: ['runs'] }),
} as const;
