/**
 * Library shapes that cross the API: the grid's filter, pages and counts, label changes.
 * Pure TypeScript: the renderer, the preload and the main process all import it.
 */
import type { ImageStatus, LabelOrigin, Split } from '../catalog-records.js';

export interface ImageFilter {
  rootId?: number;
  /** Only images labelled with this class. */
  classId?: number;
  /** Only images without a label (cannot be combined with classId or labelSource). */
  unlabeled?: boolean;
  /** A split, or 'none' for images not assigned to one. */
  split?: Split | 'none';
  labelSource?: LabelOrigin;
  /** Filters on the predictions of `runId` (default: the latest run that predicted anything). */
  predictedClassId?: number;
  confidenceMin?: number;
  confidenceMax?: number;
  runId?: number;
  /** Case-insensitive (ASCII) substring of `<imported folder's name>/<path inside it>`. */
  pathContains?: string;
  status?: ImageStatus;
}

export interface GridItem {
  id: number;
  rootId: number;
  relPath: string;
  hash: string;
  width: number;
  height: number;
  format: string;
  status: ImageStatus;
  classId: number | null;
  labelSource: LabelOrigin | null;
  split: Split | null;
  predictedClassId: number | null;
  confidence: number | null;
}

export interface GridPage {
  items: GridItem[];
  total: number;
  /** The first row's cursor: pass as `before` for the page above, or `from` to load this page again; null when empty. */
  firstCursor: string | null;
  /** The last row's cursor: pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
  /** The run whose predictions fill predictedClassId/confidence, or null. */
  runId: number | null;
}

export interface ClassCounts {
  /** classId → images of that class matching the filter (class and unlabeled filters ignored). */
  byClass: Record<number, number>;
  unlabeled: number;
}

export interface LabelChangeResult {
  operationId: number;
  /** Images whose label actually changed (already-equal ones are not recorded). */
  changed: number;
}
