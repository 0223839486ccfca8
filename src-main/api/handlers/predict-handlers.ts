import { cp, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../src-shared/errors.js';
import type { AppServices } from '../../app/app-services.js';
import { queryPredictions } from '../../catalog/prediction-rows.js';
import { readDatasetRows } from '../../catalog/dataset-rows.js';
import { hasExportedModel } from '../../ml/training/export.js';
import { checkModelFolder } from '../../ml/training/model-check.js';
import { ClassifierCache } from '../../runs/classifier-cache.js';
import { evaluateRun, storedEvaluation } from '../../runs/evaluate-service.js';
import { acceptPredictions, classifyFolders, predictBytes, predictCatalogImages, predictionsCsv } from '../../runs/predict-service.js';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import { runDirOf } from '../../runs/run-paths.js';

type PredictHandlers = Pick<
  ApiHandlers,
  'startEvaluation' | 'getEvaluation' | 'getPredictionImages' | 'startPrediction' | 'predictImage' | 'acceptPredictions' | 'getPredictionsCsv' | 'exportModel' | 'importModel'
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
    getPredictionImages: (query) => queryPredictions(services.catalog.db, query).map(({ rootPath: _root, ...row }) => row),
    startPrediction: ({ runId, target }) => {
      const catalog = services.catalog;
      const run = ClassifierCache.resolveRun(catalog, runId);
      const title = target.kind === 'folders' ? `Classify ${target.roots.length === 1 ? path.basename(target.roots[0]!) : `${target.roots.length} folders`}` : 'Classify unlabelled images';
      return {
        taskId: services.tasks.start('predict', title, async (job) => {
          const classifier = await services.classifiers.get(run);
          const summary =
            target.kind === 'folders'
              ? await classifyFolders(catalog, run, classifier, target.roots, services.project.thumbnailsDir, job)
              : await (async () => {
                  const ids = readDatasetRows(catalog.db).filter((row) => row.classId === null).map((row) => row.id);
                  const { predictions: _p, ...rest } = await predictCatalogImages(catalog, run, classifier, ids, job);
                  return rest;
                })();
          return summary;
        }),
      };
    },
    predictImage: async ({ name, data, runId }) => {
      const started = performance.now();
      const run = ClassifierCache.resolveRun(services.catalog, runId);
      const classifier = await services.classifiers.get(run);
      const top = await predictBytes(classifier, name, Buffer.from(data, 'base64'));
      return { name, run: { id: run.id, name: run.name }, top: top.map((t) => ({ label: t.label, probability: t.probability })), milliseconds: performance.now() - started };
    },
    acceptPredictions: ({ runId, imageIds, rank }) => acceptPredictions(services.catalog, runId, imageIds, rank),
    getPredictionsCsv: ({ runId, folder }) => predictionsCsv(services.catalog, runId, folder),
    exportModel: async ({ runId, outDir }) => {
      const run = ClassifierCache.resolveRun(services.catalog, runId);
      const target = path.resolve(outDir);
      await mkdir(target, { recursive: true });
      if ((await readdir(target)).length > 0) throw new AppError('CONFLICT', `${target} is not empty; choose an empty folder`);
      await cp(run.weightsPath!, target, { recursive: true });
      return { dir: target };
    },
    importModel: async ({ dir, name }) => {
      const source = path.resolve(dir);
      if (!hasExportedModel(source)) throw new AppError('INVALID_INPUT', `${source} is not a Seshat/TF.js model folder (model.json and labels.json are needed)`);
      // Checked before the run exists: a damaged folder must leave no run behind.
      const metadata = await checkModelFolder(source);
      const catalog = services.catalog;
      const run = catalog.runs.create({ name: name ?? `Imported ${path.basename(source)}`, preset: metadata.preprocessing.preset, options: null });
      const target = path.join(runDirOf(services.project.modelsDir, run.id), 'model');
      await cp(source, target, { recursive: true });
      catalog.runs.update(run.id, { status: 'done', weightsPath: target, metrics: { imported: true, importedFrom: source, classes: metadata.labels } });
      return { runId: run.id };
    },
  };
}
