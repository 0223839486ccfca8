/**
 * Training runs as the app sees them: which run a task is training now, starting,
 * resuming, renaming and deleting runs, and the presets offered. One instance per app
 * (tasks outlive a window), so every caller — window, web mode, CLI — sees the same
 * active runs.
 */
import { rm } from 'node:fs/promises';
import { AppError } from '../../src-shared/errors.js';
import type { ApiEvent } from '../../src-shared/api/contract.js';
import type { PresetDefaults, PresetSummary, RunDetails, RunSummary } from '../../src-shared/api/types.js';
import type { TrainSettings } from '../../src-shared/api/wire-training.js';
import type { RunRecord } from '../../src-shared/catalog-records.js';
import type { Catalog } from '../catalog/catalog.js';
import type { EmbeddingCache } from '../ml/inference/embedding-cache.js';
import { PRESETS, PRESET_IDS } from '../ml/models/presets.js';
import { resolveTrainOptions } from '../ml/training/options.js';
import type { TrainOptions } from '../ml/training/types.js';
import type { ProjectPaths } from '../projects/project.js';
import type { TaskRunner } from '../tasks/task-runner.js';
import { isResumable } from './run-recovery.js';
import { runDirOf } from './run-paths.js';
import type { SweepSpec } from '../../src-shared/api/wire-sweeps.js';
import type { SweepRecord } from '../catalog/sweeps.js';
import { isGlyphProject, snapshotDataset } from './dataset-snapshot.js';
import { createSweep, runSweep, type TrialTrainer } from './sweep-runner.js';
import { runTrainer, sweepDetails } from './sweep-service.js';
import { trialSettings } from './sweep-settings.js';
import { ensureSplit, trainRun } from './training-service.js';

export interface TrainingRunsDeps {
  tasks: TaskRunner;
  catalog(): Catalog;
  project(): ProjectPaths;
  embeddingCache(): EmbeddingCache;
  emit(event: ApiEvent): void;
}

export class TrainingRuns {
  /** runId → id of the task training it now. */
  private readonly active = new Map<number, string>();

  constructor(private readonly deps: TrainingRunsDeps) {}

  summary(run: RunRecord): RunSummary {
    const active = this.active.has(run.id);
    return { ...run, active, resumable: isResumable(run, this.deps.project().modelsDir, active) };
  }

  list(): RunSummary[] {
    return this.deps
      .catalog()
      .runs.list()
      .map((run) => this.summary(run));
  }

  details(runId: number): RunDetails {
    const catalog = this.deps.catalog();
    return { ...this.summary(catalog.runs.require(runId)), epochs: catalog.runs.epochs(runId) };
  }

  /** The presets, each with its defaults; MobileNet is recommended for photo-like projects (few classes). */
  presets(): PresetSummary[] {
    const catalog = this.deps.catalog();
    const stats = catalog.stats();
    const photos = stats.classes > 0 && stats.classes < 50;
    const glyphMode = isGlyphProject(catalog.classes.list().map((cls) => cls.name));
    return PRESET_IDS.map((id) => ({
      id,
      title: PRESETS[id].title,
      description: PRESETS[id].description,
      recommended: id === (photos ? 'mobilenet' : 'cnn-plus'),
      defaults: presetDefaults(resolveTrainOptions({ preset: id, input: { width: 64, height: 64 } })),
      wholeNetworkDefaults:
        id === 'mobilenet' ? presetDefaults(resolveTrainOptions({ preset: id, fineTune: 'all', glyphMode })) : null,
    }));
  }

  start(
    settings: TrainSettings,
    keepBestOnCancel: boolean,
    resumeRunId?: number,
    runName?: string,
  ): { taskId: string } {
    const { deps } = this;
    const catalog = deps.catalog();
    const project = deps.project();
    let currentRun: number | null = resumeRunId ?? null;
    const title = resumeRunId ? `Resume training run ${resumeRunId}` : `Train ${PRESETS[settings.preset].title}`;
    const taskId = deps.tasks.start('train', title, async (job) => {
      try {
        const outcome = await trainRun(
          {
            catalog,
            modelsDir: project.modelsDir,
            cacheDir: project.cacheDir,
            embeddingCache: deps.embeddingCache(),
            keepBestOnCancel,
            ...(runName ? { runName } : {}),
            onRunCreated: (run) => {
              currentRun = run.id;
              this.active.set(run.id, taskId);
              deps.emit({ type: 'run', run: this.summary(run) });
            },
            onEpoch: (runId, epoch) => deps.emit({ type: 'training', runId, epoch }),
          },
          settings,
          job,
          resumeRunId,
        );
        return {
          runId: outcome.run.id,
          status: outcome.result.status,
          bestEpoch: outcome.result.bestEpoch,
          evaluation: outcome.result.evaluation,
        };
      } finally {
        if (currentRun !== null) {
          this.active.delete(currentRun);
          const run = catalog.runs.get(currentRun);
          if (run) deps.emit({ type: 'run', run: this.summary(run) });
        }
      }
    });
    return { taskId };
  }

  /**
   * Plans a sweep and trains its trials one after another as one task; each trial is a
   * run of its own, shown as it trains like any other.
   */
  startSweep(spec: SweepSpec): { taskId: string; sweepId: number } {
    const catalog = this.deps.catalog();
    ensureSplit(catalog);
    const nativeSize = snapshotDataset(catalog).nativeSize;
    const fullEpochs =
      spec.base.epochs ?? resolveTrainOptions({ ...spec.base, input: spec.base.input ?? nativeSize }).epochs;
    const sweep = createSweep(catalog, spec, fullEpochs);
    return { taskId: this.sweepTask(sweep, nativeSize), sweepId: sweep.id };
  }

  /** Goes on with a sweep that was cancelled or whose app was killed, from where its trials are. */
  resumeSweep(sweepId: number): { taskId: string; sweepId: number } {
    const catalog = this.deps.catalog();
    const sweep = catalog.sweeps.require(sweepId);
    if (sweep.status !== 'cancelled' && sweep.status !== 'interrupted')
      throw new AppError('CONFLICT', `Sweep ${sweep.name} is ${sweep.status}: only a stopped sweep resumes`);
    const nativeSize = snapshotDataset(catalog).nativeSize;
    catalog.sweeps.finish(sweepId, 'running');
    return { taskId: this.sweepTask(catalog.sweeps.require(sweepId), nativeSize), sweepId };
  }

  /** Trains a sweep's trials as one task; each trial's run shows as it trains, like any run. */
  private sweepTask(sweep: SweepRecord, nativeSize: { width: number; height: number }): string {
    const { deps } = this;
    const catalog = deps.catalog();
    const project = deps.project();
    const spec = sweep.spec;
    const taskId = deps.tasks.start('train', `Sweep: ${sweep.name}`, async (job) => {
      let current: number | null = null;
      const trainer = runTrainer(
        {
          catalog,
          modelsDir: project.modelsDir,
          cacheDir: project.cacheDir,
          embeddingCache: deps.embeddingCache(),
          onRunCreated: (run) => {
            current = run.id;
            this.active.set(run.id, taskId);
            deps.emit({ type: 'run', run: this.summary(run) });
          },
          onEpoch: (runId, epoch) => deps.emit({ type: 'training', runId, epoch }),
        },
        job.onProgress,
        sweep,
      );
      const tracked: TrialTrainer = {
        ...trainer,
        train: async (input) => {
          try {
            return await trainer.train(input);
          } finally {
            if (current !== null) {
              this.active.delete(current);
              const run = catalog.runs.get(current);
              if (run) deps.emit({ type: 'run', run: this.summary(run) });
            }
          }
        },
      };
      return runSweep(catalog, sweep.id, (params) => trialSettings(spec.base, params, nativeSize), tracked, job);
    });
    return taskId;
  }

  /** The sweep's best trial, trained again on train and validation for its best epoch count. */
  trainBestOfSweep(sweepId: number): { taskId: string } {
    const catalog = this.deps.catalog();
    const sweep = catalog.sweeps.require(sweepId);
    const best = sweepDetails(catalog, sweepId).best;
    const run = best?.runId ? catalog.runs.get(best.runId) : undefined;
    if (!best || !run) throw new AppError('CONFLICT', `Sweep ${sweep.name} has no trial with a validation figure yet`);
    const epochs = run.metrics?.bestEpoch ?? catalog.runs.epochs(run.id).length;
    if (!(epochs >= 1))
      throw new AppError('CONFLICT', `Trial ${best.trial + 1} of sweep ${sweep.name} trained no epoch`);
    const settings: TrainSettings = {
      ...trialSettings(sweep.spec.base, best.params, snapshotDataset(catalog).nativeSize),
      epochs,
      // No validation images are left to stop on or to fit a temperature with.
      earlyStopping: null,
      includeValidation: true,
    };
    return this.start(
      settings,
      false,
      undefined,
      `Sweep ${sweep.id} · best (trial ${best.trial + 1}), train + validation`,
    );
  }

  resume(runId: number): { taskId: string } {
    const run = this.deps.catalog().runs.require(runId);
    if (this.active.has(runId)) throw new AppError('CONFLICT', `Run ${run.name} is training now`);
    if (!this.summary(run).resumable)
      throw new AppError('CONFLICT', `Run ${run.name} has no checkpoint to resume from`);
    return this.start(run.options ?? { preset: run.preset as TrainSettings['preset'] }, false, runId);
  }

  rename(runId: number, name: string): RunSummary {
    return this.summary(this.deps.catalog().runs.update(runId, { name }));
  }

  /** Deletes the run, its predictions and its files (checkpoint, model, dataset record). */
  async delete(runId: number): Promise<{ deleted: boolean }> {
    if (this.active.has(runId)) throw new AppError('CONFLICT', 'Cancel the run before deleting it');
    const deleted = this.deps.catalog().runs.delete(runId);
    await rm(runDirOf(this.deps.project().modelsDir, runId), { recursive: true, force: true });
    return { deleted };
  }
}

function presetDefaults(options: TrainOptions): PresetDefaults {
  return {
    epochs: options.epochs,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    learningRateSchedule: options.learningRateSchedule,
    labelSmoothing: options.labelSmoothing,
    earlyStoppingPatience: options.earlyStopping?.patience ?? null,
    mirror: options.augment !== false && options.augment.flip === true,
  };
}
