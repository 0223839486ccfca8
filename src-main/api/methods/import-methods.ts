/** Import and rescan of image folders. */
import { z } from 'zod';
import type { ImportPreview, RootRecord, StoredReport } from '../types.js';
import { method } from './define.js';
import { empty, folderPath, id, labelSource } from './schemas.js';

const roots = z.array(folderPath).min(1, 'choose at least one folder').max(50);

export const importMethods = {
  previewImport: method<ImportPreview>()(z.object({ roots, labelSource }).strict()),
  startImport: method<{ taskId: string }>()(
    z.object({ roots, labelSource, duplicates: z.enum(['skip', 'keep']).default('skip') }).strict(),
  ),
  startRescan: method<{ taskId: string }>()(z.object({ rootId: id.optional() }).strict()),
  listRoots: method<RootRecord[]>()(empty),
  getLatestImportReport: method<StoredReport | null>()(empty),
} as const;
