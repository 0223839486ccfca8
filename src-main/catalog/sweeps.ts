/**
 * Hyper-parameter sweeps: what varied and each trial's parameters, status and run. A
 * trial's epochs and model belong to its run (runs.ts); this records how the sweep
 * used it (paused at a rung, stopped by halving, trained to the end).
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors.js';
import type { SweepSpec, SweepStatus, SweepTrial, TrialStatus } from '../../src-shared/api/wire-sweeps.js';

export interface SweepRecord {
  id: number;
  name: string;
  preset: string;
  spec: SweepSpec;
  status: SweepStatus;
  measuredOn: 'validation';
  rungs: number[];
  createdAt: number;
  finishedAt: number | null;
}

export interface TrialRecord {
  trial: number;
  params: SweepTrial['params'];
  runId: number | null;
  status: TrialStatus;
}

interface SweepRow {
  id: number;
  name: string;
  preset: string;
  spec: string;
  status: SweepStatus;
  measured_on: 'validation';
  rungs: string;
  created_at: number;
  finished_at: number | null;
}

interface TrialRow {
  trial: number;
  params: string;
  run_id: number | null;
  status: TrialStatus;
}

const sweepOf = (row: SweepRow): SweepRecord => ({
  id: row.id,
  name: row.name,
  preset: row.preset,
  spec: JSON.parse(row.spec) as SweepSpec,
  status: row.status,
  measuredOn: row.measured_on,
  rungs: JSON.parse(row.rungs) as number[],
  createdAt: row.created_at,
  finishedAt: row.finished_at,
});

const trialOf = (row: TrialRow): TrialRecord => ({
  trial: row.trial,
  params: JSON.parse(row.params) as TrialRecord['params'],
  runId: row.run_id,
  status: row.status,
});

export class SweepRepo {
  private readonly insertSweep: Database.Statement;
  private readonly insertTrial: Database.Statement;
  private readonly byId: Database.Statement<[number], SweepRow>;
  private readonly all: Database.Statement<[], SweepRow>;
  private readonly trialsOf: Database.Statement<[number], TrialRow>;
  private readonly setTrial: Database.Statement;
  private readonly setStatus: Database.Statement;
  private readonly orphans: Database.Statement<[], { sweep_id: number; trial: number }>;

  constructor(private readonly db: Database.Database) {
    this.insertSweep = db.prepare(
      `INSERT INTO sweeps (name, preset, spec, rungs, created_at) VALUES (@name, @preset, @spec, @rungs, @createdAt)`,
    );
    this.insertTrial = db.prepare('INSERT INTO sweep_trials (sweep_id, trial, params) VALUES (?, ?, ?)');
    this.byId = db.prepare('SELECT * FROM sweeps WHERE id = ?');
    this.all = db.prepare('SELECT * FROM sweeps ORDER BY id DESC');
    this.trialsOf = db.prepare(
      'SELECT trial, params, run_id, status FROM sweep_trials WHERE sweep_id = ? ORDER BY trial',
    );
    this.setTrial = db.prepare(
      `UPDATE sweep_trials SET status = @status, run_id = coalesce(@runId, run_id) WHERE sweep_id = @sweepId AND trial = @trial`,
    );
    this.orphans = db.prepare(
      `SELECT sweep_trials.sweep_id, sweep_trials.trial FROM sweep_trials
         JOIN sweeps ON sweeps.id = sweep_trials.sweep_id
         JOIN runs ON runs.id = sweep_trials.run_id
       WHERE sweeps.status = 'running' AND sweep_trials.status = 'running' AND runs.status <> 'running'`,
    );
    this.setStatus = db.prepare(
      `UPDATE sweeps SET status = @status, finished_at = CASE WHEN @status = 'running' THEN NULL ELSE @at END WHERE id = @id`,
    );
  }

  /**
   * Sweeps left `running` whose trial in training has a run that is no longer running
   * (its trainer died and runs.markInterrupted said so): the sweep is interrupted, and
   * that trial cancelled (its run stays resumable). Returns the sweep ids it marked.
   */
  markInterrupted(): number[] {
    return this.db
      .transaction(() => {
        const rows = this.orphans.all();
        const at = Date.now();
        for (const row of rows) {
          this.setTrial.run({ sweepId: row.sweep_id, trial: row.trial, status: 'cancelled', runId: null });
          this.setStatus.run({ id: row.sweep_id, status: 'interrupted', at });
        }
        return [...new Set(rows.map((row) => row.sweep_id))];
      })
      .immediate();
  }

  /** A new sweep with its planned trials, in one transaction. */
  create(input: { name: string; spec: SweepSpec; rungs: number[]; trials: TrialRecord['params'][] }): SweepRecord {
    return this.db.transaction(() => {
      const { lastInsertRowid } = this.insertSweep.run({
        name: input.name,
        preset: input.spec.base.preset,
        spec: JSON.stringify(input.spec),
        rungs: JSON.stringify(input.rungs),
        createdAt: Date.now(),
      });
      const id = Number(lastInsertRowid);
      input.trials.forEach((params, trial) => this.insertTrial.run(id, trial, JSON.stringify(params)));
      return this.require(id);
    })();
  }

  get(id: number): SweepRecord | undefined {
    const row = this.byId.get(id);
    return row ? sweepOf(row) : undefined;
  }

  require(id: number): SweepRecord {
    const sweep = this.get(id);
    if (!sweep) throw new AppError('NOT_FOUND', `No sweep with id ${id} in this project`);
    return sweep;
  }

  list(): SweepRecord[] {
    return this.all.all().map(sweepOf);
  }

  trials(id: number): TrialRecord[] {
    return this.trialsOf.all(id).map(trialOf);
  }

  updateTrial(sweepId: number, trial: number, patch: { status: TrialStatus; runId?: number | null }): void {
    this.setTrial.run({ sweepId, trial, status: patch.status, runId: patch.runId ?? null });
  }

  finish(id: number, status: SweepStatus): SweepRecord {
    this.setStatus.run({ id, status, at: Date.now() });
    return this.require(id);
  }
}
