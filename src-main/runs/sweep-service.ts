/**
 * Sweeps in a project: a trial is trained as an ordinary run (training-service.ts), paused
 * at a rung by the trainer itself once it has the rung's epochs (its checkpoint stays,
 * and a promoted trial resumes from it), and a trial halving stops becomes a finished
 * run with its best-so-far model. What the sweep looks like is read back from its trials' runs.
 */
import type { SweepDetails, SweepSpec, SweepSummary, SweepTrial } from '../../src-shared/api/wire-sweeps.js';
import type { Catalog } from '../catalog/catalog.js';
import type { SweepRecord } from '../catalog/sweeps.js';
import type { TrialTrainer } from './sweep-runner.js';
import { trainRun, type TrainingContext } from './training-service.js';

/** Epochs, best validation loss and accuracy, seconds and the validation curve of a run, from one read of its epochs. */
function runFigures(catalog: Catalog, runId: number | null) {
  const epochs = runId === null ? [] : catalog.runs.epochs(runId);
  const values = (name: string) =>
    epochs.map((epoch) => epoch.metrics[name]).filter((v): v is number => typeof v === 'number');
  // The epoch the run keeps (lowest validation loss): its accuracy is the kept model's, as Runs shows it.
  const best = epochs
    .filter((epoch) => typeof epoch.metrics.valLoss === 'number')
    .reduce<(typeof epochs)[number] | null>((a, b) => (a && a.metrics.valLoss! <= b.metrics.valLoss! ? a : b), null);
  return {
    epochs: epochs.length,
    bestValLoss: best?.metrics.valLoss ?? null,
    bestValAccuracy: best?.metrics.valAccuracy ?? null,
    seconds: values('epochSeconds').reduce((a, b) => a + b, 0),
    curve: epochs.map((epoch) => ({
      epoch: epoch.epoch,
      valLoss: epoch.metrics.valLoss ?? null,
      valAccuracy: epoch.metrics.valAccuracy ?? null,
    })),
  };
}

/** Each trial of a sweep with its run's figures: every run's epochs read once. */
function trialsWithFigures(catalog: Catalog, sweepId: number): SweepTrial[] {
  return catalog.sweeps.trials(sweepId).map((trial) => ({ ...trial, ...runFigures(catalog, trial.runId) }));
}

export function sweepSummary(
  catalog: Catalog,
  sweep: SweepRecord,
  trials: SweepTrial[] = trialsWithFigures(catalog, sweep.id),
): SweepSummary {
  const full = sweep.rungs.at(-1) ?? 0;
  return {
    id: sweep.id,
    name: sweep.name,
    preset: sweep.preset,
    status: sweep.status,
    measuredOn: sweep.measuredOn,
    halving: sweep.spec.halving,
    rungs: sweep.rungs,
    epochsTrained: trials.reduce((sum, trial) => sum + trial.epochs, 0),
    epochsFull: trials.reduce((sum, trial) => sum + (Number(trial.params.epochs) || full), 0),
    createdAt: sweep.createdAt,
    finishedAt: sweep.finishedAt,
  };
}

export function sweepDetails(catalog: Catalog, sweepId: number): SweepDetails {
  const sweep = catalog.sweeps.require(sweepId);
  const trials = trialsWithFigures(catalog, sweepId);
  // The best among trials trained to the end, since a stopped trial's figure is from fewer epochs.
  const ranked = (pool: SweepTrial[]) =>
    pool
      .filter((trial) => trial.bestValLoss !== null)
      .sort((a, b) => a.bestValLoss! - b.bestValLoss! || a.trial - b.trial)[0];
  const best = ranked(trials.filter((trial) => trial.status === 'done')) ?? ranked(trials);
  return {
    ...sweepSummary(catalog, sweep, trials),
    spec: sweep.spec,
    trials,
    best: best ? { trial: best.trial, runId: best.runId, params: best.params } : null,
  };
}

/** A trial run's name: its sweep, its number and what it varies, so Runs tells the trials apart. */
export function trialRunName(sweep: SweepRecord, trial: number, catalog: Catalog): string {
  const entry = catalog.sweeps.trials(sweep.id).find((t) => t.trial === trial);
  const params = Object.entries(entry?.params ?? {})
    .map(([name, value]) => `${name} ${String(value)}`)
    .join(', ');
  return `Sweep ${sweep.id} · trial ${trial + 1}${params ? ` · ${params}` : ''}`;
}

/** Trains trials as runs of the project in `context`. */
export function runTrainer(
  context: TrainingContext,
  onProgress: TrainingJobProgress,
  sweep?: SweepRecord,
): TrialTrainer {
  const { catalog } = context;
  return {
    async train({ trial, settings, resumeRunId, pauseAfterEpoch, signal }) {
      // The trainer stops itself after the rung's epoch (checkpoint kept), as a cancel would.
      const outcome = await trainRun(
        {
          ...context,
          keepBestOnCancel: true,
          pauseAfterEpoch,
          ...(sweep ? { runName: trialRunName(sweep, trial, catalog) } : {}),
        },
        settings,
        { signal, onProgress },
        resumeRunId ?? undefined,
      );
      const figures = runFigures(catalog, outcome.run.id);
      return {
        runId: outcome.run.id,
        epochs: figures.epochs,
        bestValLoss: figures.bestValLoss,
        ended: outcome.result.status !== 'cancelled',
      };
    },
    progress(runId) {
      const { epochs, bestValLoss } = runFigures(catalog, runId);
      return { epochs, bestValLoss };
    },
    stop(runId) {
      // Its model is the best of the epochs it had (kept when it paused): a finished run.
      const run = catalog.runs.require(runId);
      catalog.runs.update(runId, {
        status: 'done',
        ...(run.metrics ? { metrics: { ...run.metrics, status: 'stopped by halving' } } : {}),
      });
    },
  };
}

type TrainingJobProgress = Parameters<typeof trainRun>[2]['onProgress'];

export type { SweepSpec };
