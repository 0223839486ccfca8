/**
 * Training runs (a finished run is a model), their per-epoch metrics, and the
 * predictions a run made. Options and metrics are JSON: their shape belongs to the
 * training code and changes without a migration.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors.js';
import { fromProjectRelative, toProjectRelative } from './project-paths.js';
import type {
  EpochRecord,
  PredictionInput,
  PredictionRecord,
  RunRecord,
  RunStatus,
} from '../../src-shared/catalog-records.js';
import type { RunMetrics, TrainSettings } from '../../src-shared/api/wire-training.js';

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
  owner_pid: number | null;
  heartbeat_at: number | null;
}

/** A run not heard from for this long is taken for dead even if a process with its pid exists (pid reuse). */
export const RUN_HEARTBEAT_STALE_MS = 120_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function toRun(row: RunRow, projectDir: string | null): RunRecord {
  return {
    id: row.id,
    name: row.name,
    preset: row.preset,
    // Stored by this repo from the typed fields below; older rows hold a subset of them.
    options: JSON.parse(row.options) as TrainSettings | null,
    datasetHash: row.dataset_hash,
    status: row.status,
    metrics: row.metrics === null ? null : (JSON.parse(row.metrics) as RunMetrics),
    weightsPath: row.weights_path === null ? null : fromProjectRelative(projectDir, row.weights_path),
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

export interface NewRun {
  name: string;
  preset: string;
  options?: TrainSettings | null;
  datasetHash?: string | null;
}

export interface RunPatch {
  name?: string;
  status?: RunStatus;
  metrics?: RunMetrics | null;
  weightsPath?: string | null;
  datasetHash?: string | null;
  /** Set automatically when status becomes done, failed or cancelled. */
  finishedAt?: number | null;
}

export class RunRepo {
  /** `projectDir`: model paths inside it are stored relative, so a copied project uses its own models. */
  constructor(
    private readonly db: Database.Database,
    private readonly projectDir: string | null,
  ) {}

  create(input: NewRun): RunRecord {
    const info = this.db
      .prepare('INSERT INTO runs (name, preset, options, dataset_hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(input.name, input.preset, JSON.stringify(input.options ?? {}), input.datasetHash ?? null, Date.now());
    return this.require(Number(info.lastInsertRowid));
  }

  get(id: number): RunRecord | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && toRun(row, this.projectDir);
  }

  require(id: number): RunRecord {
    const run = this.get(id);
    if (!run) throw new AppError('NOT_FOUND', `No training run with id ${id}`);
    return run;
  }

  /** Newest first. */
  list(): RunRecord[] {
    return (this.db.prepare('SELECT * FROM runs ORDER BY id DESC').all() as RunRow[]).map((row) =>
      toRun(row, this.projectDir),
    );
  }

  update(id: number, patch: RunPatch): RunRecord {
    const current = this.require(id);
    const status = patch.status ?? current.status;
    const finishing =
      patch.status !== undefined && ['done', 'failed', 'cancelled', 'interrupted'].includes(patch.status);
    const weightsPath = patch.weightsPath === undefined ? current.weightsPath : patch.weightsPath;
    // A run that is running belongs to this process until it ends (see markInterrupted).
    const owner = status === 'running' ? process.pid : null;
    this.db
      .prepare(
        `UPDATE runs SET name = ?, status = ?, metrics = ?, weights_path = ?, dataset_hash = ?, finished_at = ?,
           owner_pid = ?, heartbeat_at = ?
         WHERE id = ?`,
      )
      .run(
        patch.name ?? current.name,
        status,
        patch.metrics === undefined ? JSON.stringify(current.metrics) : JSON.stringify(patch.metrics),
        weightsPath === null || this.projectDir === null
          ? weightsPath
          : toProjectRelative(this.projectDir, weightsPath),
        patch.datasetHash === undefined ? current.datasetHash : patch.datasetHash,
        patch.finishedAt !== undefined ? patch.finishedAt : finishing ? Date.now() : current.finishedAt,
        owner,
        owner === null ? null : Date.now(),
        id,
      );
    return this.require(id);
  }

  /** The trainer of a running run says it is alive (every epoch and every few seconds). */
  heartbeat(id: number): void {
    this.db.prepare("UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'").run(Date.now(), id);
  }

  /**
   * Runs left `running` by a trainer that is gone become `interrupted`: the process
   * that owned them is dead, or silent for too long, or is this process but no longer
   * training them (`activeHere` lists the runs this process trains now). Returns the
   * ids it marked. Called when a project opens and when the app shuts down.
   */
  markInterrupted(activeHere: ReadonlySet<number> = new Set(), options: { all?: boolean } = {}): number[] {
    const rows = this.db
      .prepare(
        "SELECT id, status, owner_pid, heartbeat_at, created_at FROM runs WHERE status IN ('running', 'pending')",
      )
      .all() as Array<{
      id: number;
      status: RunStatus;
      owner_pid: number | null;
      heartbeat_at: number | null;
      created_at: number;
    }>;
    const now = Date.now();
    const dead = rows.filter((row) => {
      // A run is created pending and set running at once; only an old pending run is an orphan.
      if (row.status === 'pending') return now - row.created_at > RUN_HEARTBEAT_STALE_MS;
      if (options.all) return row.owner_pid === null || row.owner_pid === process.pid;
      if (row.owner_pid === null) return true;
      if (row.owner_pid === process.pid) return !activeHere.has(row.id);
      return !isAlive(row.owner_pid) || now - (row.heartbeat_at ?? 0) > RUN_HEARTBEAT_STALE_MS;
    });
    const stmt = this.db.prepare(
      "UPDATE runs SET status = 'interrupted', finished_at = ?, owner_pid = NULL WHERE id = ? AND status IN ('running', 'pending')",
    );
    this.db.transaction(() => dead.forEach((row) => stmt.run(now, row.id))).immediate();
    return dead.map((row) => row.id);
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
    return rows.map((r) => ({
      runId: r.run_id,
      epoch: r.epoch,
      metrics: JSON.parse(r.metrics) as Record<string, number>,
      at: r.at,
    }));
  }

  /** Stores a batch of predictions of one run in one transaction (replacing earlier ones per image). */
  savePredictions(runId: number, predictions: PredictionInput[]): number {
    this.require(runId);
    const stmt = this.db.prepare(
      'INSERT OR REPLACE INTO predictions (run_id, image_id, class_id, confidence, top_k, at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const at = Date.now();
    return this.db
      .transaction(() => {
        for (const p of predictions) stmt.run(runId, p.imageId, p.classId, p.confidence, JSON.stringify(p.topK), at);
        return predictions.length;
      })
      .immediate();
  }

  prediction(runId: number, imageId: number): PredictionRecord | undefined {
    const row = this.db
      .prepare(
        'SELECT run_id, image_id, class_id, confidence, top_k, at FROM predictions WHERE run_id = ? AND image_id = ?',
      )
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
