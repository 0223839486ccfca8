import path from 'node:path';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import type { AppServices } from '../../app/app-services.js';
import { ClassifierCache } from '../../runs/classifier-cache.js';
import { evaluateRun, storedEvaluation } from '../../runs/evaluate-service.js';
import { runMetricsCsv, writeRunMetricsEvents } from '../../runs/metrics-export.js';
import { exportRunModel, importRunModel } from '../../runs/model-files.js';
import {
  acceptPredictions,
  classifyFolders,
  classifyUnlabelled,
  predictDroppedImage,
  predictionsCsv,
} from '../../runs/predict-service.js';

type PredictHandlers = Pick<
  ApiHandlers,
  | 'startEvaluation'
  | 'getEvaluation'
  | 'getPredictionImages'
  | 'startPrediction'
  | 'predictImage'
  | 'acceptPredictions'
  | 'getPredictionsCsv'
  | 'exportModel'
  | 'exportRunMetrics'
  | 'importModel'
>;

export function predictHandlers(services: AppServices): PredictHandlers {
  return {
    startEvaluation: ({ runId, split }) => {
      const catalog = services.catalog;
      const run = ClassifierCache.resolveRun(catalog, runId);
      return {
        taskId: services.tasks.start('evaluate', `Evaluate ${run.name} on ${split}`, async (job) => {
          const result = await evaluateRun(catalog, run, await services.classifiers.get(run), split, job);
          return { runId: run.id, split, accuracy: result.accuracy, macroF1: result.macroF1 };
        }),
      };
    },
    getEvaluation: ({ runId, split }) => storedEvaluation(services.catalog.runs.require(runId), split),
    getPredictionImages: (query) => services.catalog.predictionRows(query).map(({ rootPath: _root, ...row }) => row),
    startPrediction: ({ runId, target }) => {
      const catalog = services.catalog;
      const run = ClassifierCache.resolveRun(catalog, runId);
      const title =
        target.kind === 'folders'
          ? `Classify ${target.roots.length === 1 ? path.basename(target.roots[0]!) : `${target.roots.length} folders`}`
          : 'Classify unlabelled images';
      return {
        taskId: services.tasks.start('predict', title, async (job) => {
          const classifier = await services.classifiers.get(run);
          return target.kind === 'folders'
            ? classifyFolders(catalog, run, classifier, target.roots, services.project.thumbnailsDir, job, target.adapt)
            : classifyUnlabelled(catalog, run, classifier, job);
        }),
      };
    },
    predictImage: (input) => predictDroppedImage(services.catalog, services.classifiers, input),
    acceptPredictions: ({ runId, imageIds, rank }) => acceptPredictions(services.catalog, runId, imageIds, rank),
    getPredictionsCsv: ({ runId, folder }) => predictionsCsv(services.catalog, runId, folder),
    exportModel: ({ runId, outDir }) => exportRunModel(services.catalog, runId, outDir),
    exportRunMetrics: (input) =>
      input.format === 'csv'
        ? runMetricsCsv(services.catalog, input.runId)
        : writeRunMetricsEvents(services.catalog, input.runId, input.outDir),
    importModel: ({ dir, name }) => importRunModel(services.catalog, services.project.modelsDir, dir, name),
  };
}
