/**
 * A grid page's rows as the API gives them, and the cursors that page through them: a
 * cursor is a row's sort key, which is unique (path within a folder; image id), as
 * base64url JSON so that it crosses every transport as an opaque string.
 */
import { AppError } from '../../src-shared/errors.js';
import type { ImageStatus, LabelOrigin, Split } from '../../src-shared/catalog-records.js';
import type { GridItem } from '../../src-shared/api/wire-library.js';
import type { GridSort } from './grid-sql.js';

export interface PageRow {
  id: number;
  root_id: number;
  rel_path: string;
  hash: string;
  width: number;
  height: number;
  format: string;
  status: ImageStatus;
  /** The image's label and split as copied onto its row: 0 and '' for none. */
  grid_class_id: number;
  grid_source: LabelOrigin | '';
  grid_split: Split | '';
  predicted_class_id: number | null;
  confidence: number | null;
}

export function toItem(row: PageRow): GridItem {
  return {
    id: row.id,
    rootId: row.root_id,
    relPath: row.rel_path,
    hash: row.hash,
    width: row.width,
    height: row.height,
    format: row.format,
    status: row.status,
    classId: row.grid_class_id === 0 ? null : row.grid_class_id,
    labelSource: row.grid_source === '' ? null : row.grid_source,
    split: row.grid_split === '' ? null : row.grid_split,
    predictedClassId: row.predicted_class_id,
    confidence: row.confidence,
  };
}

/** The cursor of a row: its sort key, which is unique (path within a folder; image id). */
export function keyOf(sort: GridSort, row: PageRow): unknown[] {
  return sort === 'path' ? [row.root_id, row.rel_path] : sort === 'confidence' ? [row.confidence, row.id] : [row.id];
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(values) &&
      values.length === length &&
      values.every((v) => typeof v === 'number' || typeof v === 'string')
    ) {
      return values;
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError('INVALID_INPUT', `Invalid page cursor ${JSON.stringify(cursor.slice(0, 40))}`);
}
