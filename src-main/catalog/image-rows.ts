/**
 * Whole-catalog reads for splitting, exporting and training: one row per image with
 * its label and split, in a single indexed pass (no per-image queries).
 */
import type Database from 'better-sqlite3';
import type { LabelOrigin, Split } from '../../src-shared/catalog-records.js';

export interface CatalogRow {
  id: number;
  rootId: number;
  rootPath: string;
  relPath: string;
  hash: string;
  width: number;
  height: number;
  channels: number;
  classId: number | null;
  className: string | null;
  labelSource: LabelOrigin | null;
  split: Split | null;
  locked: boolean;
}

interface RawRow extends Omit<CatalogRow, 'locked'> {
  locked: number | null;
}

export function readImageRows(db: Database.Database, options: { labelledOnly?: boolean } = {}): CatalogRow[] {
  const rows = db
    .prepare(
      `SELECT i.id, i.root_id AS rootId, r.path AS rootPath, i.rel_path AS relPath, i.hash, i.width, i.height, i.channels,
              l.class_id AS classId, c.name AS className, l.source AS labelSource, s.split, s.locked
       FROM images i
       JOIN roots r ON r.id = i.root_id
       LEFT JOIN labels l ON l.image_id = i.id
       LEFT JOIN classes c ON c.id = l.class_id
       LEFT JOIN splits s ON s.image_id = i.id
       WHERE i.status = 'present' ${options.labelledOnly ? 'AND l.class_id IS NOT NULL' : ''}
       ORDER BY i.id`,
    )
    .all() as RawRow[];
  return rows.map((row) => ({ ...row, locked: row.locked === 1 }));
}
