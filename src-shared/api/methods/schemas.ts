/** zod schemas shared by several areas of the contract. */
import { z } from 'zod';

export const empty = z.object({}).strict();
export const id = z.number().int().positive();
export const split = z.enum(['train', 'validation', 'test']);
export const labelOrigin = z.enum(['human', 'import', 'model']);
export const folderPath = z.string().min(1, 'a folder path is required').max(4096);

/** The Library's filters; they combine (AND). */
export const imageFilter = z
  .object({
    rootId: id.optional(),
    classId: id.optional(),
    unlabeled: z.boolean().optional(),
    split: z.union([split, z.literal('none')]).optional(),
    labelSource: labelOrigin.optional(),
    predictedClassId: id.optional(),
    confidenceMin: z.number().min(0).max(1).optional(),
    confidenceMax: z.number().min(0).max(1).optional(),
    runId: id.optional(),
    pathContains: z.string().max(500).optional(),
    status: z.enum(['present', 'missing']).optional(),
  })
  .strict();

export const labelSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('folders') }).strict(),
  z.object({ kind: z.literal('filename'), pattern: z.string().min(1).max(500) }).strict(),
  z.object({ kind: z.literal('csv'), file: folderPath }).strict(),
  z.object({ kind: z.literal('none') }).strict(),
]);
