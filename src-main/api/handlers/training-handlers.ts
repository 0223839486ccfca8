import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import type { AppServices } from '../../app/app-services.js';
import { compareRuns } from '../../runs/compare-runs.js';
import { sweepCsv, writeSweepEvents } from '../../runs/sweep-export.js';
import { sweepDetails, sweepSummary } from '../../runs/sweep-service.js';

type TrainingHandlers = Pick<
  ApiHandlers,
  | 'listPresets'
  | 'startTraining'
  | 'resumeRun'
  | 'listRuns'
  | 'getRun'
  | 'renameRun'
  | 'deleteRun'
  | 'startSweep'
  | 'resumeSweep'
  | 'listSweeps'
  | 'getSweep'
  | 'getRunComparison'
  | 'trainBestOfSweep'
  | 'exportSweepMetrics'
>;

export function trainingHandlers(services: AppServices): TrainingHandlers {
  const { training } = services;
  return {
    listPresets: () => training.presets(),
    startTraining: ({ settings, keepBestOnCancel }) => training.start(settings, keepBestOnCancel),
    resumeRun: ({ runId }) => training.resume(runId),
    listRuns: () => training.list(),
    getRun: ({ runId }) => training.details(runId),
    renameRun: ({ runId, name }) => training.rename(runId, name),
    deleteRun: ({ runId }) => training.delete(runId),
    startSweep: ({ spec }) => training.startSweep(spec),
    resumeSweep: ({ sweepId }) => training.resumeSweep(sweepId),
    listSweeps: () => services.catalog.sweeps.list().map((sweep) => sweepSummary(services.catalog, sweep)),
    getSweep: ({ sweepId }) => sweepDetails(services.catalog, sweepId),
    getRunComparison: ({ runIds }) => compareRuns(services.catalog, runIds),
    trainBestOfSweep: ({ sweepId }) => training.trainBestOfSweep(sweepId),
    exportSweepMetrics: (input) =>
      input.format === 'csv'
        ? sweepCsv(services.catalog, input.sweepId)
        : writeSweepEvents(services.catalog, input.sweepId, input.outDir),
  };
}
