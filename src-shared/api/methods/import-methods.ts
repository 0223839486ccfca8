/** Import and rescan of image folders. */
import { z } from 'zod';
import type { ImportPreviewResult, ImportSettings, ImportUndoResult, RootRecord, StoredReport } from '../types.js';
import { method } from './define.js';
import { empty, folderPath, id, labelSource } from './schemas.js';

const roots = z.array(folderPath).min(1, 'choose at least one folder').max(50);

export const importMethods = {
  previewImport: method<ImportPreviewResult>()(z.object({ roots, labelSource }).strict()),
  /** This project's last import settings (null for a project that never imported): each project has its own. */
  getImportSettings: method<ImportSettings | null>()(empty),
  /** Undoes one import as a step: its images, the labels and classes it made go, labels it changed come back. */
  undoImport: method<ImportUndoResult>()(z.object({ reportId: id }).strict(), {
    changes: ['images', 'labels', 'classes', 'splits'],
  }),
  startImport: method<{ taskId: string }>()(
    z.object({ roots, labelSource, duplicates: z.enum(['skip', 'keep']).default('skip') }).strict(),
    { taskChanges: ['images', 'labels', 'classes', 'splits'] },
  ),
  startRescan: method<{ taskId: string }>()(z.object({ rootId: id.optional() }).strict(), {
    taskChanges: ['images', 'labels', 'classes', 'splits'],
  }),
  listRoots: method<RootRecord[]>()(empty),
  getLatestImportReport: method<StoredReport | null>()(empty),
} as const;
