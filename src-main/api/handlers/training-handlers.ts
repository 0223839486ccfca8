import { rm } from 'node:fs/promises';
import { AppError } from '../../../src-shared/errors.js';
import type { AppServices } from '../../app/app-services.js';
import type { RunRecord } from '../../../src-shared/catalog-records.js';
import { PRESETS, PRESET_IDS } from '../../ml/models/presets.js';
import { resolveTrainOptions } from '../../ml/training/options.js';
import { isResumable } from '../../runs/run-recovery.js';
import { runDirOf } from '../../runs/run-paths.js';
import { trainRun, type TrainSettings } from '../../runs/training-service.js';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import type { RunSummary } from '../../../src-shared/api/types.js';

type TrainingHandlers = Pick<ApiHandlers, 'listPresets' | 'startTraining' | 'resumeRun' | 'listRuns' | 'getRun' | 'renameRun' | 'deleteRun'>;

export function trainingHandlers(services: AppServices): TrainingHandlers {
  /** runId → taskId of the task training it now. */
  const active = new Map<number, string>();

  const runDir = (runId: number) => runDirOf(services.project.modelsDir, runId);
  const summary = (run: RunRecord): RunSummary => ({
    ...run,
    active: active.has(run.id),
    resumable: isResumable(run, services.project.modelsDir, active.has(run.id)),
  });

  function start(settings: TrainSettings, keepBestOnCancel: boolean, resumeRunId?: number): { taskId: string } {
    const catalog = services.catalog;
    let currentRun: number | null = resumeRunId ?? null;
    const title = resumeRunId ? `Resume training run ${resumeRunId}` : `Train ${PRESETS[settings.preset].title}`;
    const taskId = services.tasks.start('train', title, async (job) => {
      try {
        const outcome = await trainRun(
          {
            catalog,
            modelsDir: services.project.modelsDir,
            cacheDir: services.project.cacheDir,
            embeddingCache: services.embeddingCache(),
            keepBestOnCancel,
            onRunCreated: (run) => {
              currentRun = run.id;
              active.set(run.id, taskId);
              services.emit({ type: 'run', run: summary(run) });
            },
            onEpoch: (runId, epoch) => services.emit({ type: 'training', runId, epoch }),
          },
          settings,
          job,
          resumeRunId,
        );
        return { runId: outcome.run.id, status: outcome.result.status, bestEpoch: outcome.result.bestEpoch, evaluation: outcome.result.evaluation };
      } finally {
        if (currentRun !== null) {
          active.delete(currentRun);
          const run = catalog.runs.get(currentRun);
          if (run) services.emit({ type: 'run', run: summary(run) });
        }
      }
    });
    return { taskId };
  }

  return {
    listPresets: async () => {
      const stats = services.catalog.stats();
      const photos = stats.classes > 0 && stats.classes < 50;
      return PRESET_IDS.map((id) => {
        const defaults = resolveTrainOptions({ preset: id, input: { width: 64, height: 64 } });
        return {
          id,
          title: PRESETS[id].title,
          description: PRESETS[id].description,
          recommended: id === (photos ? 'mobilenet' : 'cnn-plus'),
          defaults: {
            epochs: defaults.epochs,
            batchSize: defaults.batchSize,
            learningRate: defaults.learningRate,
            learningRateSchedule: defaults.learningRateSchedule,
            labelSmoothing: defaults.labelSmoothing,
            earlyStoppingPatience: defaults.earlyStopping?.patience ?? null,
          },
        };
      });
    },
    startTraining: ({ settings, keepBestOnCancel }) => start(settings as TrainSettings, keepBestOnCancel),
    resumeRun: ({ runId }) => {
      const run = services.catalog.runs.require(runId);
      if (active.has(runId)) throw new AppError('CONFLICT', `Run ${run.name} is training now`);
      if (!summary(run).resumable) throw new AppError('CONFLICT', `Run ${run.name} has no checkpoint to resume from`);
      return start(run.options ?? { preset: run.preset as TrainSettings['preset'] }, false, runId);
    },
    listRuns: () => services.catalog.runs.list().map(summary),
    getRun: ({ runId }) => ({ ...summary(services.catalog.runs.require(runId)), epochs: services.catalog.runs.epochs(runId) }),
    renameRun: ({ runId, name }) => summary(services.catalog.runs.update(runId, { name })),
    deleteRun: async ({ runId }) => {
      if (active.has(runId)) throw new AppError('CONFLICT', 'Cancel the run before deleting it');
      const deleted = services.catalog.runs.delete(runId);
      await rm(runDir(runId), { recursive: true, force: true });
      return { deleted };
    },
  };
}
