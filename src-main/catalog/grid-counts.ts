/**
 * Reads of `grid_counts` and `run_counts` (migration 10): images per (class, split,
 * label source), overall and among each run's predictions, kept exact by triggers. A
 * filter made only of class, "unlabeled", split and label source is answered from a
 * few thousand rows at any catalog size; other filters (path, folder, predicted class)
 * are counted by grid-sql.ts.
 */
import type Database from 'better-sqlite3';
import type { ImageFilter, ClassCounts } from '../../src-shared/api/wire-library.js';

/** One cell: class 0, split '' and source '' stand for "none". */
export interface CountCell {
  classId: number;
  split: string;
  source: string;
  n: number;
}

/** Filter keys the cells answer; runId only picks the predictions, which these filters do not read. */
const CELL_KEYS = new Set<keyof ImageFilter>(['classId', 'unlabeled', 'split', 'labelSource', 'runId']);

const CELL_ORDER = 'ORDER BY class_id, split, source';

export class GridCounts {
  constructor(private readonly db: Database.Database) {}

  /** Whether `filter` can be counted from the cells alone. */
  static covers(filter: ImageFilter): boolean {
    return (Object.keys(filter) as Array<keyof ImageFilter>).every(
      (key) => filter[key] === undefined || CELL_KEYS.has(key),
    );
  }

  /** Images matching a filter that `covers` accepts; with `predictedBy`, only those that run predicted. */
  count(filter: ImageFilter, predictedBy?: number | null): number {
    if (predictedBy === null) return 0;
    const { where, params } = cellConditions(filter, true, predictedBy);
    const table = predictedBy === undefined ? 'grid_counts' : 'run_counts';
    return this.db
      .prepare(`SELECT COALESCE(SUM(n), 0) FROM ${table} ${where}`)
      .pluck()
      .get(...params) as number;
  }

  /** The sidebar's counts under a filter that `covers` accepts (its class and unlabeled parts ignored). */
  classCounts(filter: ImageFilter): ClassCounts {
    const { where, params } = cellConditions(filter, false);
    const rows = this.db
      .prepare(`SELECT class_id AS classId, SUM(n) AS n FROM grid_counts ${where} GROUP BY class_id`)
      .all(...params) as Array<{ classId: number; n: number }>;
    const byClass: Record<number, number> = {};
    let unlabeled = 0;
    for (const row of rows) {
      if (row.classId === 0) unlabeled = row.n;
      else byClass[row.classId] = row.n;
    }
    return { byClass, unlabeled };
  }

  /** The cells as stored. */
  stored(): CountCell[] {
    return this.db
      .prepare(`SELECT class_id AS classId, split, source, n FROM grid_counts ${CELL_ORDER}`)
      .all() as CountCell[];
  }

  /** The cells counted afresh from images, labels and splits (what `stored` must always equal). */
  recount(): CountCell[] {
    return this.db
      .prepare(`SELECT ${RECOUNT_CELL}, COUNT(*) AS n ${RECOUNT_FROM} GROUP BY 1, 2, 3 ${CELL_ORDER}`)
      .all() as CountCell[];
  }

  /** Each run's cells as stored. */
  storedByRun(): Array<CountCell & { runId: number }> {
    return this.db
      .prepare(
        `SELECT run_id AS runId, class_id AS classId, split, source, n FROM run_counts ORDER BY run_id, class_id, split, source`,
      )
      .all() as Array<CountCell & { runId: number }>;
  }

  /** Predictions whose copy of their image's cell (migration 13) differs from its label and split: always 0. */
  stalePredictionCells(): number {
    return this.db
      .prepare(
        `SELECT COUNT(*) ${RECOUNT_FROM} JOIN predictions p ON p.image_id = i.id
         WHERE p.grid_class_id IS NOT COALESCE(l.class_id, 0) OR p.grid_split IS NOT COALESCE(s.split, '')
           OR p.grid_source IS NOT COALESCE(l.source, '')`,
      )
      .pluck()
      .get() as number;
  }

  /** Each run's cells counted afresh from its predictions (what `storedByRun` must always equal). */
  recountByRun(): Array<CountCell & { runId: number }> {
    return this.db
      .prepare(
        `SELECT p.run_id AS runId, ${RECOUNT_CELL}, COUNT(*) AS n ${RECOUNT_FROM} JOIN predictions p ON p.image_id = i.id
         GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
      )
      .all() as Array<CountCell & { runId: number }>;
  }
}

/** From the source tables, not the copies on each image row: a recount checks those too. */
const RECOUNT_CELL =
  "COALESCE(l.class_id, 0) AS classId, COALESCE(s.split, '') AS split, COALESCE(l.source, '') AS source";
const RECOUNT_FROM = 'FROM images i LEFT JOIN labels l ON l.image_id = i.id LEFT JOIN splits s ON s.image_id = i.id';

function cellConditions(filter: ImageFilter, withClass: boolean, runId?: number): { where: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (runId !== undefined) {
    where.push('run_id = ?');
    params.push(runId);
  }
  if (withClass && filter.classId !== undefined) {
    where.push('class_id = ?');
    params.push(filter.classId);
  }
  if (withClass && filter.unlabeled) where.push('class_id = 0');
  if (filter.split !== undefined) {
    where.push('split = ?');
    params.push(filter.split === 'none' ? '' : filter.split);
  }
  if (filter.labelSource !== undefined) {
    where.push('source = ?');
    params.push(filter.labelSource);
  }
  return { where: where.length > 0 ? `WHERE ${where.join(' AND ')}` : '', params };
}
