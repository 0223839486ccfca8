/**
 * Training runs (a finished run is a model), their per-epoch metrics, and the
 * predictions a run made. Options and metrics are JSON: their shape belongs to the
 * training code and changes without a migration.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import type { EpochRecord, PredictionInput, PredictionRecord, RunRecord, RunStatus } from './types.js';

interface RunRow {
  id: number;
  name: string;
  preset: string;
  options: string;
  dataset_hash: string | null;
  status: RunStatus;
  metrics: string | null;
  weights_path: string | null;
  created_at: number;
  finished_at: number | null;
}

function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    name: row.name,
    preset: row.preset,
    options: JSON.parse(row.options) as unknown,
    datasetHash: row.dataset_hash,
    status: row.status,
    metrics: row.metrics === null ? null : (JSON.parse(row.metrics) as unknown),
    weightsPath: row.weights_path,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

export interface NewRun {
  name: string;
  preset: string;
  options?: unknown;
  datasetHash?: string | null;
}

export interface RunPatch {
  name?: string;
  status?: RunStatus;
  metrics?: unknown;
  weightsPath?: string | null;
  datasetHash?: string | null;
  /** Set automatically when status becomes done, failed or cancelled. */
  finishedAt?: number | null;
}

export class RunRepo {
  constructor(private readonly db: Database.Database) {}

  create(input: NewRun): RunRecord {
    const info = this.db
      .prepare('INSERT INTO runs (name, preset, options, dataset_hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(input.name, input.preset, JSON.stringify(input.options ?? {}), input.datasetHash ?? null, Date.now());
    return this.require(Number(info.lastInsertRowid));
  }

  get(id: number): RunRecord | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && toRun(row);
  }

  require(id: number): RunRecord {
    const run = this.get(id);
    if (!run) throw new AppError('NOT_FOUND', `No training run with id ${id}`);
    return run;
  }

  /** Newest first. */
  list(): RunRecord[] {
    return (this.db.prepare('SELECT * FROM runs ORDER BY id DESC').all() as RunRow[]).map(toRun);
  }

  update(id: number, patch: RunPatch): RunRecord {
    const current = this.require(id);
    const status = patch.status ?? current.status;
    const finishing = patch.status !== undefined && ['done', 'failed', 'cancelled'].includes(patch.status);
    this.db
      .prepare(
        `UPDATE runs SET name = ?, status = ?, metrics = ?, weights_path = ?, dataset_hash = ?, finished_at = ?
         WHERE id = ?`,
      )
      .run(
        patch.name ?? current.name,
        status,
        patch.metrics === undefined ? JSON.stringify(current.metrics) : JSON.stringify(patch.metrics),
        patch.weightsPath === undefined ? current.weightsPath : patch.weightsPath,
        patch.datasetHash === undefined ? current.datasetHash : patch.datasetHash,
        patch.finishedAt !== undefined ? patch.finishedAt : finishing ? Date.now() : current.finishedAt,
        id,
      );
    return this.require(id);
  }

  /** Deletes a run with its epochs and predictions (cascade). Weights files are the caller's to remove. */
  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
  }

  /** Records (or replaces) one epoch's metrics. */
  addEpoch(runId: number, epoch: number, metrics: Record<string, number>): void {
    this.db
      .prepare('INSERT OR REPLACE INTO run_epochs (run_id, epoch, metrics, at) VALUES (?, ?, ?, ?)')
      .run(runId, epoch, JSON.stringify(metrics), Date.now());
  }

  epochs(runId: number): EpochRecord[] {
    const rows = this.db
      .prepare('SELECT run_id, epoch, metrics, at FROM run_epochs WHERE run_id = ? ORDER BY epoch')
      .all(runId) as Array<{ run_id: number; epoch: number; metrics: string; at: number }>;
    return rows.map((r) => ({ runId: r.run_id, epoch: r.epoch, metrics: JSON.parse(r.metrics) as Record<string, number>, at: r.at }));
  }

  /** Stores a batch of predictions of one run in one transaction (replacing earlier ones per image). */
  savePredictions(runId: number, predictions: PredictionInput[]): number {
    this.require(runId);
    const stmt = this.db.prepare(
      'INSERT OR REPLACE INTO predictions (run_id, image_id, class_id, confidence, top_k, at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const at = Date.now();
    return this.db.transaction(() => {
      for (const p of predictions) stmt.run(runId, p.imageId, p.classId, p.confidence, JSON.stringify(p.topK), at);
      return predictions.length;
    })();
  }

  prediction(runId: number, imageId: number): PredictionRecord | undefined {
    const row = this.db
      .prepare('SELECT run_id, image_id, class_id, confidence, top_k, at FROM predictions WHERE run_id = ? AND image_id = ?')
      .get(runId, imageId) as
      | { run_id: number; image_id: number; class_id: number | null; confidence: number; top_k: string; at: number }
      | undefined;
    return (
      row && {
        runId: row.run_id,
        imageId: row.image_id,
        classId: row.class_id,
        confidence: row.confidence,
        topK: JSON.parse(row.top_k) as PredictionRecord['topK'],
        at: row.at,
      }
    );
  }
}
