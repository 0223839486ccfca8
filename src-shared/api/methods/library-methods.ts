/** Library: browsing the catalog, labelling, classes, undo/redo. */
import { z } from 'zod';
import type { CatalogStats, ClassRecord, ImageDetails, LabelChangeResult, UndoResult, UndoState } from '../types.js';
import type { ClassCounts, GridPage } from '../types.js';
import { method } from './define.js';
import { empty, id, imageFilter } from './schemas.js';

const className = z.string().trim().min(1, 'a class needs a name').max(200);
const hotkey = z.string().length(1).nullable();
const colour = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'colour must look like #1f4fa3')
  .nullable();

const cursor = z.string().min(1).max(4000);
/**
 * Where a page starts. Keyset: right after a page (its nextCursor), the rows before a
 * page (its firstCursor), or a page again from its first row. `at` is a position in
 * the list, for a jump with no page loaded nearby: it steps over that many rows.
 */
const pageStart = z.union([
  z.object({ after: cursor }).strict(),
  z.object({ before: cursor }).strict(),
  z.object({ from: cursor }).strict(),
  z.object({ at: z.number().int().min(0) }).strict(),
]);

export const libraryMethods = {
  getCatalogStats: method<CatalogStats>()(empty),
  listClasses: method<ClassRecord[]>()(z.object({ includeArchived: z.boolean().default(false) }).strict()),
  getClassCounts: method<ClassCounts & { total: number }>()(z.object({ filter: imageFilter.default({}) }).strict()),
  getImagePage: method<GridPage>()(
    z
      .object({
        filter: imageFilter.default({}),
        sort: z.enum(['path', 'imported', 'confidence']).default('path'),
        descending: z.boolean().default(false),
        limit: z.number().int().min(1).max(1000).default(200),
        start: pageStart.default({ at: 0 }),
      })
      .strict(),
  ),
  /** Every id under a filter, for "select all" (capped). */
  getImageIds: method<number[]>()(z.object({ filter: imageFilter.default({}) }).strict()),
  getImageDetails: method<ImageDetails>()(z.object({ imageId: id }).strict()),

  setLabels: method<LabelChangeResult>()(
    z.object({ imageIds: z.array(id).min(1).max(500_000), classId: id.nullable() }).strict(),
    { changes: ['labels', 'splits'] },
  ),
  undo: method<UndoResult | null>()(empty, { changes: ['labels', 'classes', 'splits', 'images'] }),
  redo: method<UndoResult | null>()(empty, { changes: ['labels', 'classes', 'splits', 'images'] }),
  getUndoState: method<UndoState>()(empty),

  createClass: method<ClassRecord>()(
    z
      .object({
        name: className,
        description: z.string().max(2000).default(''),
        colour: colour.optional(),
        hotkey: hotkey.optional(),
      })
      .strict(),
    { changes: ['classes'] },
  ),
  updateClass: method<ClassRecord>()(
    z
      .object({
        classId: id,
        name: className.optional(),
        description: z.string().max(2000).optional(),
        colour: colour.optional(),
        hotkey: hotkey.optional(),
        archived: z.boolean().optional(),
      })
      .strict(),
    { changes: ['classes'] },
  ),
  mergeClasses: method<LabelChangeResult>()(z.object({ sourceId: id, targetId: id }).strict(), {
    changes: ['classes', 'labels'],
  }),
  deleteClass: method<{ unlabelled: number }>()(z.object({ classId: id }).strict(), { changes: ['classes', 'labels'] }),
  /** `name,description` lines (header optional); existing classes get the description. */
  importClassList: method<{ created: number; updated: number }>()(
    z.object({ text: z.string().max(5_000_000) }).strict(),
    { changes: ['classes'] },
  ),
} as const;
