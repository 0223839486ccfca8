/**
 * What becomes of runs whose trainer is gone. When a project opens, a run still
 * `running` whose owner process is dead (kill -9 of the app or the trainer, a power
 * cut) becomes `interrupted`: resumable from its last checkpoint, or deletable. A
 * damaged checkpoint makes the run `failed`, so it is never offered for resume.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { RunRecord } from '../../src-shared/catalog-records.js';
import { inspectCheckpoint } from '../ml/training/checkpoint-check.js';
import { runDirOf } from './run-paths.js';

export interface RecoveryReport {
  interrupted: number[];
  failed: Array<{ runId: number; problem: string }>;
}

export function recoverRuns(
  catalog: Catalog,
  modelsDir: string,
  activeHere: ReadonlySet<number> = new Set(),
): RecoveryReport {
  const interrupted = catalog.runs.markInterrupted(activeHere);
  // A sweep whose trial in training lost its trainer stops with it (not "running" for ever).
  catalog.sweeps.markInterrupted();
  const failed: RecoveryReport['failed'] = [];
  for (const run of catalog.runs.list()) {
    if (run.status !== 'interrupted' && run.status !== 'cancelled') continue;
    const checkpoint = inspectCheckpoint(runDirOf(modelsDir, run.id));
    if (checkpoint.state !== 'damaged') continue;
    const metrics = { ...(run.metrics ?? {}), error: `Cannot resume: ${checkpoint.problem}` };
    catalog.runs.update(run.id, { status: 'failed', metrics });
    failed.push({ runId: run.id, problem: checkpoint.problem });
  }
  return { interrupted: interrupted.filter((id) => !failed.some((f) => f.runId === id)), failed };
}

/** A run can continue when it stopped before the end (cancelled, interrupted, its trainer crashed) and left a whole checkpoint. */
export function isResumable(run: RunRecord, modelsDir: string, active: boolean): boolean {
  if (active || (run.status !== 'cancelled' && run.status !== 'interrupted' && run.status !== 'failed')) return false;
  return inspectCheckpoint(runDirOf(modelsDir, run.id)).state === 'ok';
}
