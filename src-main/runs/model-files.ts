/**
 * A run's model as a folder people can take away or bring in: export copies a run's
 * model to an empty folder; import checks a folder (before anything is created, so a
 * damaged one leaves no run behind) and adds it as a finished run of this project.
 */
import { cp, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../src-shared/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import { hasExportedModel } from '../ml/models/model-folder.js';
import { checkModelFolder } from '../ml/models/model-check.js';
import { ClassifierCache } from './classifier-cache.js';
import { runDirOf } from './run-paths.js';

export async function exportRunModel(
  catalog: Catalog,
  runId: number | undefined,
  outDir: string,
): Promise<{ dir: string }> {
  const run = ClassifierCache.resolveRun(catalog, runId);
  const target = path.resolve(outDir);
  await mkdir(target, { recursive: true });
  if ((await readdir(target)).length > 0)
    throw new AppError('CONFLICT', `${target} is not empty; choose an empty folder`);
  await cp(run.weightsPath!, target, { recursive: true });
  return { dir: target };
}

export async function importRunModel(
  catalog: Catalog,
  modelsDir: string,
  dir: string,
  name?: string,
): Promise<{ runId: number }> {
  const source = path.resolve(dir);
  if (!hasExportedModel(source))
    throw new AppError(
      'INVALID_INPUT',
      `${source} is not a Seshat/TF.js model folder (model.json and labels.json are needed)`,
    );
  const metadata = await checkModelFolder(source);
  const run = catalog.runs.create({
    name: name ?? `Imported ${path.basename(source)}`,
    preset: metadata.preprocessing.preset,
    options: null,
  });
  const target = path.join(runDirOf(modelsDir, run.id), 'model');
  await cp(source, target, { recursive: true });
  catalog.runs.update(run.id, {
    status: 'done',
    weightsPath: target,
    metrics: { imported: true, importedFrom: source, classes: metadata.labels },
  });
  return { runId: run.id };
}
