/** Splits and dataset export. */
import { z } from 'zod';
import type { ExportReport, SplitOverview, SplitPlan } from '../types.js';
import { method } from './define.js';
import { empty, folderPath, id, split } from './schemas.js';

const ratios = z
  .object({ train: z.number().min(0), validation: z.number().min(0), test: z.number().min(0) })
  .strict()
  .refine((r) => r.train > 0, 'the train ratio must be above 0');
const groupMode = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('folder') }).strict(),
  z
    .object({ kind: z.literal('regex'), pattern: z.string().min(1).max(500), on: z.enum(['name', 'path']).optional() })
    .strict(),
]);
const splitRequest = z
  .object({
    ratios: ratios.optional(),
    seed: z.union([z.number().int(), z.string().max(100)]).optional(),
    group: groupMode.nullable().optional(),
  })
  .strict();

export const datasetMethods = {
  getSplitOverview: method<SplitOverview>()(empty),
  previewSplit: method<SplitPlan>()(splitRequest),
  applySplit: method<SplitPlan>()(splitRequest, { changes: ['splits'] }),
  /** A person's choice for some images: pinned (locked) so re-splitting keeps it. */
  setImageSplit: method<{ changed: number }>()(
    z.object({ imageIds: z.array(id).min(1).max(500_000), split: split.nullable() }).strict(),
    { changes: ['splits'] },
  ),
  lockSplit: method<{ changed: number }>()(z.object({ split, locked: z.boolean() }).strict(), { changes: ['splits'] }),
  startExport: method<{ taskId: string }>()(
    z
      .object({
        outDir: folderPath,
        mode: z.enum(['copy', 'link', 'symlink']).default('copy'),
        overwrite: z.boolean().default(false),
      })
      .strict(),
  ),
} as const;

export type { ExportReport };
