/**
 * Evaluating a run's model on the test (or validation) split: one pass of
 * inference whose per-image predictions are stored (for the mistakes gallery and
 * the confusion-matrix drill-down) and whose metrics are stored with the run.
 */
import path from 'node:path';
import { AppError } from '../../src-shared/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import type { PredictionInput, RunRecord, Split } from '../../src-shared/catalog-records.js';
import { evaluatePredictions } from '../ml/inference/metrics.js';
import { predictImages, type Classifier } from '../ml/inference/predict.js';
import type { JobContext } from '../../src-shared/progress.js';
import { readDatasetRecord } from './dataset-snapshot.js';
import type { RunEvaluation } from '../../src-shared/api/wire-evaluation.js';
export type { RunEvaluation } from '../../src-shared/api/wire-evaluation.js';

export async function evaluateRun(
  catalog: Catalog,
  run: RunRecord,
  classifier: Classifier,
  split: Split,
  job: JobContext,
): Promise<RunEvaluation> {
  const labels = classifier.labels;
  const index = new Map(labels.map((label, i) => [label, i]));
  // One read of the catalog serves both the split's rows and the training pictures.
  const labelled = catalog.imageRows({ labelledOnly: true });
  const rows = labelled.filter((row) => row.split === split);
  if (rows.length === 0) throw new AppError('CONFLICT', `No labelled images are in the ${split} split`);
  const known = rows.filter((row) => index.has(row.className!));
  const unknownLabels = [
    ...new Set(rows.filter((row) => !index.has(row.className!)).map((row) => row.className!)),
  ].sort();
  const started = Date.now();
  // Every class's probability comes back (topK = all), so metrics and stored top-5 come from one pass.
  const predictions = await predictImages(
    classifier,
    known.map((row) => ({
      id: String(row.id),
      source: { kind: 'file' as const, path: path.join(row.rootPath, row.relPath) },
    })),
    {
      topK: labels.length,
      batchSize: 16,
      signal: job.signal,
      onProgress: (done, total) =>
        job.onProgress({
          done,
          total,
          message: `Evaluating ${done} of ${total}`,
          rate: done / Math.max(0.001, (Date.now() - started) / 1000),
        }),
    },
  );
  const n = labels.length;
  const probabilities: number[] = [];
  const truth: number[] = [];
  const stored: PredictionInput[] = [];
  let failed = 0;
  const classIdByName = new Map(catalog.classes.list({ includeArchived: true }).map((c) => [c.name, c.id]));
  predictions.forEach((prediction, i) => {
    if ('error' in prediction) {
      failed++;
      return;
    }
    const row = new Array<number>(n).fill(0);
    for (const entry of prediction.top) row[entry.index] = entry.probability;
    probabilities.push(...row);
    truth.push(index.get(known[i]!.className!)!);
    const top5 = prediction.top.slice(0, 5);
    stored.push({
      imageId: known[i]!.id,
      classId: classIdByName.get(top5[0]!.label) ?? null,
      confidence: top5[0]!.probability,
      topK: top5.flatMap((entry) =>
        classIdByName.has(entry.label) ? [{ classId: classIdByName.get(entry.label)!, p: entry.probability }] : [],
      ),
    });
  });
  catalog.runs.savePredictions(run.id, stored);
  const trainingImages = await trainingImagesOf(run, labels);
  const pictures = await picturesSeenInTraining(run, labelled, known);
  const evaluation = evaluatePredictions(Float32Array.from(probabilities), truth, labels, 5);
  const present = new Set(truth);
  const result: RunEvaluation = {
    ...evaluation,
    split,
    classes: labels,
    classesWithoutImages: labels.filter((_, i) => !present.has(i)),
    unknownLabels,
    trainingImages,
    pictures,
    failed,
    at: Date.now(),
  };
  const metrics = run.metrics ?? {};
  catalog.runs.update(run.id, { metrics: { ...metrics, evaluations: { ...metrics.evaluations, [split]: result } } });
  return result;
}

/** A stored evaluation of a run, if any (those stored before training counts were kept get null counts). */
export function storedEvaluation(run: RunRecord, split: Split): RunEvaluation | null {
  const evaluations = run.metrics?.evaluations;
  const stored = evaluations?.[split];
  return stored ? { ...stored, trainingImages: stored.trainingImages ?? null } : null;
}

/** A picture, for telling seen from unseen ones: the folder an image sits in. */
function pictureOf(row: { rootId: number; relPath: string }): string {
  return `${row.rootId}/${path.posix.dirname(row.relPath)}`;
}

/**
 * How many of the evaluated images' pictures (folders) also gave the run training
 * images, from the run's dataset record; null for a model without one. Zero means the
 * figure is on pictures the model never saw: what reading a new wall will look like.
 */
async function picturesSeenInTraining(
  run: RunRecord,
  labelled: ReadonlyArray<{ id: number; rootId: number; relPath: string }>,
  evaluated: ReadonlyArray<{ rootId: number; relPath: string }>,
): Promise<RunEvaluation['pictures']> {
  const record = run.weightsPath ? await readDatasetRecord(run.weightsPath) : null;
  if (!record) return null;
  const trainIds = new Set(record.images.filter((image) => image.split === 'train').map((image) => image.id));
  const trainPictures = new Set(labelled.filter((row) => trainIds.has(row.id)).map(pictureOf));
  const evaluatedPictures = new Set(evaluated.map(pictureOf));
  return {
    evaluated: evaluatedPictures.size,
    seenInTraining: [...evaluatedPictures].filter((picture) => trainPictures.has(picture)).length,
  };
}

/**
 * Training images per class of `labels` (the model's classes, in order) for `run`:
 * what its last training start recorded in its metrics; for runs from before that,
 * the dataset record beside its model if the record's hash is the run's. Null when
 * neither is there, or when they do not cover every class (not this model's data).
 */
export async function trainingImagesOf(run: RunRecord, labels: string[]): Promise<number[] | null> {
  let counts = run.metrics?.trainingImages ?? null;
  if (!counts && run.weightsPath) {
    const record = await readDatasetRecord(run.weightsPath);
    if (record && record.hash === run.datasetHash) {
      counts = {};
      for (const image of record.images)
        if (image.split === 'train') counts[image.label] = (counts[image.label] ?? 0) + 1;
    }
  }
  if (!counts || !labels.every((label) => (counts[label] ?? 0) > 0)) return null;
  return labels.map((label) => counts[label]!);
}
