/**
 * Runs a sweep's trials one after another as one task. With halving, every trial first
 * trains to the first rung (paused there: its run keeps a checkpoint), the best 1/η by
 * validation loss resume to the next rung, and so on; the others stop for good and keep
 * their best-so-far model. Without halving each trial trains to the end. Cancelling
 * stops the trial in training; finished trials stay, paused ones stay resumable runs.
 *
 * The trainer is a parameter, so the schedule is tested without training anything.
 */
import { AppError } from '../../src-shared/errors.js';
import type { JobContext } from '../../src-shared/progress.js';
import type { TrainSettings } from '../../src-shared/api/wire-training.js';
import type { SweepSpec } from '../../src-shared/api/wire-sweeps.js';
import type { Catalog } from '../catalog/catalog.js';
import type { SweepRecord } from '../catalog/sweeps.js';
import { halvingRungs, planTrials, promote, type TrialParams } from './sweep-plan.js';

/** Rungs of halving: three, each η times as long as the one before, the last the full length. */
const HALVING_RUNGS = 3;

/**
 * Records a new sweep with its planned trials. `fullEpochs` is what one trial trains at
 * most (the base settings' epochs, or the preset's default).
 */
export function createSweep(catalog: Catalog, spec: SweepSpec, fullEpochs: number): SweepRecord {
  const trials = planTrials(spec.space);
  if (trials.some((trial) => trial.epochs !== undefined) && spec.halving)
    throw new AppError('INVALID_INPUT', 'Halving compares trials at fixed epochs: sweep epochs with halving off');
  const rungs = spec.halving ? halvingRungs(fullEpochs, spec.eta, HALVING_RUNGS) : [fullEpochs];
  const varied = Object.keys({ ...spec.space.grid, ...spec.space.ranges }).join(' × ');
  const name = `${spec.base.preset} · ${trials.length} trials · ${varied}`;
  return catalog.sweeps.create({ name, spec, rungs, trials });
}

export interface TrialOutcome {
  /** Null when the trial failed before its run was recorded. */
  runId: number | null;
  /** Epochs its run has trained so far, and its best validation loss over them. */
  epochs: number;
  bestValLoss: number | null;
  /** The run ended on its own (trained to the end or stopped early), not paused at a rung. */
  ended: boolean;
}

export interface TrialTrainer {
  /**
   * Trains a trial (a new run, or `resumeRunId` from its checkpoint) until it has
   * `pauseAfterEpoch` epochs, or to the end when that is null.
   */
  train(input: {
    trial: number;
    settings: TrainSettings;
    resumeRunId: number | null;
    pauseAfterEpoch: number | null;
    signal: AbortSignal;
  }): Promise<TrialOutcome & { runId: number }>;
  /** A trial halving stopped: its run becomes a finished run with its best-so-far model. */
  stop(runId: number): void;
  /** How far a trial's run has trained: what a resumed sweep starts from. */
  progress(runId: number): { epochs: number; bestValLoss: number | null };
}

export interface SweepRunResult {
  sweepId: number;
  status: 'done' | 'cancelled';
  /** Trials that trained to the end, and epochs trained over all trials. */
  completed: number;
  epochsTrained: number;
}

export async function runSweep(
  catalog: Catalog,
  sweepId: number,
  settingsOf: (params: TrialParams) => TrainSettings,
  trainer: TrialTrainer,
  job: JobContext,
): Promise<SweepRunResult> {
  const sweep = catalog.sweeps.require(sweepId);
  const trials = catalog.sweeps.trials(sweepId);
  const rungs = sweep.rungs;
  // A resumed sweep (its app was killed, or it was cancelled) goes on from where its
  // trials are: finished and stopped ones stay, the others continue from their runs, and
  // the rungs whose halving already stopped trials are not decided again.
  const outcomes = new Map<number, TrialOutcome>();
  for (const trial of trials) {
    if (trial.runId === null || trial.status === 'pending') continue;
    const { epochs, bestValLoss } = trainer.progress(trial.runId);
    const ended = trial.status === 'done' || trial.status === 'failed';
    outcomes.set(trial.trial, {
      runId: trial.runId,
      epochs,
      bestValLoss: trial.status === 'failed' ? null : bestValLoss,
      ended,
    });
  }
  const decided = trials
    .filter((trial) => trial.status === 'stopped')
    .map((trial) => rungs.indexOf(outcomes.get(trial.trial)?.epochs ?? -1));
  const firstRung = decided.length > 0 ? Math.max(...decided) + 1 : 0;
  let alive = trials.filter((trial) => trial.status !== 'stopped').map((trial) => trial.trial);
  let trained = 0;
  const total = trials.length;
  const finish = (status: 'done' | 'cancelled'): SweepRunResult => {
    catalog.sweeps.finish(sweepId, status);
    const epochsTrained = [...outcomes.values()].reduce((sum, outcome) => sum + outcome.epochs, 0);
    const completed = catalog.sweeps.trials(sweepId).filter((trial) => trial.status === 'done').length;
    return { sweepId, status, completed, epochsTrained };
  };
  try {
    for (const [rungIndex, rung] of rungs.entries()) {
      if (rungIndex < firstRung) continue;
      const last = rungIndex === rungs.length - 1;
      for (const index of alive) {
        const previous = outcomes.get(index);
        if (previous?.ended) continue; // stopped early on its own before this rung
        if (!last && previous && previous.epochs >= rung) continue; // paused here before a resume
        if (job.signal.aborted) return finish('cancelled');
        const trial = trials[index]!;
        catalog.sweeps.updateTrial(sweepId, index, { status: 'running' });
        job.onProgress({
          done: trained,
          total,
          message: `Trial ${index + 1}/${total}${rungs.length > 1 ? ` · to epoch ${rung}` : ''}`,
        });
        try {
          const outcome = await trainer.train({
            trial: index,
            settings: settingsOf(trial.params),
            resumeRunId: previous?.runId ?? null,
            pauseAfterEpoch: last ? null : rung,
            signal: job.signal,
          });
          outcomes.set(index, outcome);
          if (job.signal.aborted && !outcome.ended) {
            catalog.sweeps.updateTrial(sweepId, index, { status: 'cancelled', runId: outcome.runId });
            return finish('cancelled');
          }
          catalog.sweeps.updateTrial(sweepId, index, {
            status: last || outcome.ended ? 'done' : 'paused',
            runId: outcome.runId,
          });
        } catch (error) {
          if (error instanceof AppError && error.code === 'CANCELLED') {
            catalog.sweeps.updateTrial(sweepId, index, { status: 'cancelled' });
            return finish('cancelled');
          }
          // One broken trial (its settings, its images) does not end the sweep: it ranks last.
          catalog.sweeps.updateTrial(sweepId, index, { status: 'failed' });
          outcomes.set(index, {
            runId: previous?.runId ?? null,
            epochs: previous?.epochs ?? 0,
            bestValLoss: null,
            ended: true,
          });
        }
        if (last || outcomes.get(index)?.ended) trained++;
      }
      if (last) break;
      const kept = promote(
        alive.map((trial) => ({ trial, bestValLoss: outcomes.get(trial)?.bestValLoss ?? null })),
        sweep.spec.eta,
      );
      for (const index of alive) {
        const outcome = outcomes.get(index);
        if (kept.includes(index) || !outcome || outcome.ended || outcome.runId === null) continue;
        trainer.stop(outcome.runId);
        catalog.sweeps.updateTrial(sweepId, index, { status: 'stopped' });
        trained++;
      }
      alive = kept;
    }
  } catch (error) {
    catalog.sweeps.finish(sweepId, 'failed');
    throw error instanceof AppError ? error : new AppError('INTERNAL', String(error));
  }
  job.onProgress({ done: total, total, message: 'Sweep finished' });
  return finish('done');
}
