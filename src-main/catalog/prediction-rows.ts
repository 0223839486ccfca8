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

export function queryPredictions(db: Database.Database, query: PredictionQuery): PredictionRow[] {
  const where = ['p.run_id = ?'];
  const params: unknown[] = [query.runId];
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
  params.push(query.limit ?? 200, query.offset ?? 0);
  const rows = db
    .prepare(
      `SELECT p.image_id AS imageId, r.path AS rootPath, i.rel_path AS relPath, i.hash, l.class_id AS labelClassId,
              p.class_id AS predictedClassId, p.confidence, p.top_k AS topK
       FROM predictions p
       JOIN images i ON i.id = p.image_id
       JOIN roots r ON r.id = i.root_id
       LEFT JOIN labels l ON l.image_id = p.image_id
       LEFT JOIN splits s ON s.image_id = p.image_id
       WHERE ${where.join(' AND ')}
       ORDER BY ${order}, p.image_id
       LIMIT ? OFFSET ?`,
    )
    .all(...params) as RawRow[];
  return rows.map((row) => ({ ...row, topK: JSON.parse(row.topK) as PredictionRow['topK'] }));
}

export function countPredictions(db: Database.Database, runId: number): number {
  return db.prepare('SELECT COUNT(*) FROM predictions WHERE run_id = ?').pluck().get(runId) as number;
}
