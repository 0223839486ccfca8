/**
 * Reads of stored predictions for Evaluate and Predict: the images behind a
 * confusion-matrix cell, the mistakes gallery (most confident first), the review
 * queue (least confident first) and CSV export.
 */
import type Database from 'better-sqlite3';
import type { Split } from '../../src-shared/catalog-records.js';

export interface PredictionRow {
  imageId: number;
  rootPath: string;
  relPath: string;
  hash: string;
  labelClassId: number | null;
  predictedClassId: number | null;
  confidence: number;
  topK: Array<{ classId: number; p: number }>;
}

export interface PredictionQuery {
  runId: number;
  /** Only these images (a folder's, for its CSV). */
  imageIds?: readonly number[];
  split?: Split;
  trueClassId?: number;
  predictedClassId?: number;
  /** Only images whose label differs from the prediction. */
  mistakesOnly?: boolean;
  /** Only images without a label (the review queue of a classified folder). */
  unlabeledOnly?: boolean;
  maxConfidence?: number;
  /** Most confident first (mistakes) or least confident first (review). */
  order?: 'confident-first' | 'unsure-first';
  limit?: number;
  offset?: number;
}

interface RawRow extends Omit<PredictionRow, 'topK'> {
  topK: string;
}

/** The statement and values of a query, without its page (LIMIT/OFFSET). */
function predictionsSql(query: PredictionQuery): { sql: string; params: unknown[] } {
  const where = ['p.run_id = ?'];
  const params: unknown[] = [query.runId];
  if (query.imageIds) {
    // One bound JSON array, whatever the count.
    where.push('p.image_id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(query.imageIds));
  }
  if (query.split) {
    where.push('s.split = ?');
    params.push(query.split);
  }
  if (query.trueClassId !== undefined) {
    where.push('l.class_id = ?');
    params.push(query.trueClassId);
  }
  if (query.predictedClassId !== undefined) {
    where.push('p.class_id = ?');
    params.push(query.predictedClassId);
  }
  if (query.mistakesOnly) where.push('l.class_id IS NOT NULL AND (p.class_id IS NULL OR p.class_id != l.class_id)');
  if (query.unlabeledOnly) where.push('l.class_id IS NULL');
  if (query.maxConfidence !== undefined) {
    where.push('p.confidence <= ?');
    params.push(query.maxConfidence);
  }
  const order = query.order === 'unsure-first' ? 'p.confidence ASC' : 'p.confidence DESC';
  const sql = `SELECT p.image_id AS imageId, r.path AS rootPath, i.rel_path AS relPath, i.hash, l.class_id AS labelClassId,
              p.class_id AS predictedClassId, p.confidence, p.top_k AS topK
       FROM predictions p
       JOIN images i ON i.id = p.image_id
       JOIN roots r ON r.id = i.root_id
       LEFT JOIN labels l ON l.image_id = p.image_id
       LEFT JOIN splits s ON s.image_id = p.image_id
       WHERE ${where.join(' AND ')}
       ORDER BY ${order}, p.image_id`;
  return { sql, params };
}

const toRow = (row: RawRow): PredictionRow => ({ ...row, topK: JSON.parse(row.topK) as PredictionRow['topK'] });

export function queryPredictions(db: Database.Database, query: PredictionQuery): PredictionRow[] {
  const { sql, params } = predictionsSql(query);
  const rows = db.prepare(`${sql} LIMIT ? OFFSET ?`).all(...params, query.limit ?? 200, query.offset ?? 0) as RawRow[];
  return rows.map(toRow);
}

/**
 * Every row of a query, in its order, sorted once and read as they are needed (an
 * export). Paging by OFFSET instead sorted the whole run again for every page: 147 s
 * for a CSV of 500k predictions.
 */
export function* eachPrediction(db: Database.Database, query: PredictionQuery): Generator<PredictionRow> {
  const { sql, params } = predictionsSql(query);
  for (const row of db.prepare(sql).iterate(...params) as IterableIterator<RawRow>) yield toRow(row);
}

export function countPredictions(db: Database.Database, runId: number): number {
  return db.prepare('SELECT COUNT(*) FROM predictions WHERE run_id = ?').pluck().get(runId) as number;
}
