/**
 * Predictions with a trained model: over catalog images (stored per run), over a
 * new folder (imported as unlabelled, then classified), and for dropped bytes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { AppError } from '../../src-shared/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import type { PredictionInput, RunRecord } from '../../src-shared/catalog-records.js';
import { DECODE_OPTIONS, MAX_PIXELS } from '../images/probe.js';
import { importFolders } from '../import/index.js';
import { scanFolder } from '../import/scan.js';
import { sha256Hex } from '../images/hash.js';
import { adaptClassifier, MAX_ADAPT_IMAGES, MIN_ADAPT_IMAGES } from '../ml/inference/adapt.js';
import {
  loadClassifier,
  predictImages,
  type Classifier,
  type Prediction,
  type TopKEntry,
} from '../ml/inference/predict.js';
import type { JobContext } from '../../src-shared/progress.js';
import type { DroppedImageResult } from '../../src-shared/api/types.js';
import { ClassifierCache } from './classifier-cache.js';

export interface PredictSummary {
  runId: number;
  predicted: number;
  failed: Array<{ imageId: number; error: string }>;
  imported?: number;
  imagesPerSecond: number;
  /** Batch-norm layers re-estimated on the folder's images and how many images measured them (null: not adapted). */
  adapted?: { layers: number; images: number } | null;
}

/**
 * Each label's class id, looked up once per label: a folder's top-5s name the same few
 * hundred classes thousands of times.
 */
function classIds(catalog: Catalog): (label: string) => number | null {
  const ids = new Map<string, number | null>();
  return (label) => {
    let id = ids.get(label);
    if (id === undefined) ids.set(label, (id = catalog.classes.findByName(label)?.id ?? null));
    return id;
  };
}

function toInput(classId: (label: string) => number | null, imageId: number, top: TopKEntry[]): PredictionInput {
  const topK = top
    .map((entry) => ({ classId: classId(entry.label), p: entry.probability }))
    .filter((e): e is { classId: number; p: number } => e.classId !== null);
  return { imageId, classId: top[0] ? classId(top[0].label) : null, confidence: top[0]?.probability ?? 0, topK };
}

/** Classifies catalog images and stores top-5 predictions for the run. */
export async function predictCatalogImages(
  catalog: Catalog,
  run: RunRecord,
  classifier: Classifier,
  imageIds: number[] | 'all',
  job: JobContext,
  topK = 5,
): Promise<PredictSummary & { predictions: Map<number, Prediction> }> {
  const rows = imageIds === 'all' ? catalog.imageRows() : catalog.imageRowsByIds(imageIds);
  const started = Date.now();
  const predictions = await predictImages(
    classifier,
    rows.map((row) => ({
      id: String(row.id),
      source: { kind: 'file' as const, path: path.join(row.rootPath, row.relPath) },
    })),
    {
      topK,
      // The batch PyTorch's figure uses too; larger batches amortise each wasm call.
      batchSize: 64,
      signal: job.signal,
      onProgress: (done, total) => {
        const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
        job.onProgress({
          done,
          total,
          message: `Classified ${done} of ${total}`,
          rate,
          etaSeconds: (total - done) / Math.max(rate, 1e-6),
        });
      },
    },
  );
  const failed: PredictSummary['failed'] = [];
  const inputs: PredictionInput[] = [];
  const byId = new Map<number, Prediction>();
  const classId = classIds(catalog);
  for (const prediction of predictions) {
    const imageId = Number(prediction.id);
    byId.set(imageId, prediction);
    if ('error' in prediction) failed.push({ imageId, error: prediction.error });
    else inputs.push(toInput(classId, imageId, prediction.top.slice(0, 5)));
  }
  catalog.runs.savePredictions(run.id, inputs);
  const seconds = Math.max(0.001, (Date.now() - started) / 1000);
  return { runId: run.id, predicted: inputs.length, failed, imagesPerSecond: rows.length / seconds, predictions: byId };
}

/** "Classify all unlabelled": every catalogued image without a label, top-5 stored. */
export async function classifyUnlabelled(
  catalog: Catalog,
  run: RunRecord,
  classifier: Classifier,
  job: JobContext,
): Promise<PredictSummary> {
  const ids = catalog
    .imageRows()
    .filter((row) => row.classId === null)
    .map((row) => row.id);
  const { predictions: _predictions, ...summary } = await predictCatalogImages(catalog, run, classifier, ids, job);
  return summary;
}

/**
 * Imports a folder's images as unlabelled (new ones only) and classifies every image
 * under it. With `adapt`, the model first re-estimates its batch-norm statistics on
 * these images (see ml/inference/adapt.ts): a wall photographed in other light is read
 * with its own statistics. That runs on a fresh copy of the model, so the shared one
 * (dropped images, Evaluate) stays as trained.
 */
export async function classifyFolders(
  catalog: Catalog,
  run: RunRecord,
  classifier: Classifier,
  roots: string[],
  thumbnailsDir: string | null,
  job: JobContext,
  adapt = false,
): Promise<PredictSummary> {
  // Files skipped as copies of images catalogued elsewhere are read through their twin,
  // or the folder's results would silently lack them.
  const twins: number[] = [];
  const onDuplicateSkipped = (_path: string, imageId: number) => twins.push(imageId);
  const report = await importFolders(
    catalog,
    { roots, labelSource: { kind: 'none' }, thumbnailsDir, onDuplicateSkipped },
    job,
  );
  // Every catalogued image under the folders, whichever root it was first imported with.
  const rows = catalog.imageRowsAt(roots);
  const ids = [...new Set([...rows.map((row) => row.id), ...twins])];
  const read = twins.length === 0 ? rows : catalog.imageRowsByIds(ids);
  let reader = classifier;
  let adapted: PredictSummary['adapted'] = null;
  if (adapt && run.weightsPath && read.length >= MIN_ADAPT_IMAGES) {
    job.onProgress({ done: 0, total: read.length, message: 'Adapting the model to these images' });
    reader = await loadClassifier(run.weightsPath, { warmHelpers: false });
    const sources = read.map((row) => ({ kind: 'file' as const, path: path.join(row.rootPath, row.relPath) }));
    const layers = await adaptClassifier(reader, sources, { signal: job.signal }).catch((error: unknown) => {
      reader.dispose();
      throw error;
    });
    adapted = layers > 0 ? { layers, images: Math.min(read.length, MAX_ADAPT_IMAGES) } : null;
  }
  try {
    const { predictions: _p, ...summary } = await predictCatalogImages(catalog, run, reader, ids, job);
    return { ...summary, imported: report.counts.imported ?? 0, adapted };
  } finally {
    if (reader !== classifier) reader.dispose();
  }
}

/** One dropped or pasted image (not catalogued): the model's top guesses, and how long they took. */
export async function predictDroppedImage(
  catalog: Catalog,
  classifiers: ClassifierCache,
  input: { name: string; data: string; runId?: number | undefined },
): Promise<DroppedImageResult> {
  const started = performance.now();
  const run = ClassifierCache.resolveRun(catalog, input.runId);
  const classifier = await classifiers.get(run);
  const top = await predictBytes(classifier, input.name, Buffer.from(input.data, 'base64'));
  return {
    name: input.name,
    run: { id: run.id, name: run.name },
    top: top.map((entry) => ({ label: entry.label, probability: entry.probability })),
    milliseconds: performance.now() - started,
  };
}

export async function predictBytes(classifier: Classifier, name: string, bytes: Buffer): Promise<TopKEntry[]> {
  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    // Decoded here (EXIF-oriented, RGBA) so the model sees exactly what a file on disk would give it.
    raw = await sharp(bytes, { ...DECODE_OPTIONS, limitInputPixels: MAX_PIXELS })
      .rotate()
      .toColourspace('srgb')
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new AppError(
      'IMAGE_UNREADABLE',
      `${name} is not an image Seshat can read (${(error as Error).message.split('\n')[0]})`,
    );
  }
  const source = {
    kind: 'raw' as const,
    data: new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength),
    width: raw.info.width,
    height: raw.info.height,
    channels: 4 as const,
  };
  const [prediction] = await predictImages(classifier, [{ id: name, source }], { topK: 5 });
  if (!prediction || 'error' in prediction)
    throw new AppError(
      'IMAGE_UNREADABLE',
      `${name}: ${prediction && 'error' in prediction ? prediction.error : 'no result'}`,
    );
  return prediction.top;
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * `path,label,predicted,confidence,top5`: the image, its current label (empty when it
 * has none), the model's best guess with its probability, and the top 5 as
 * `class:prob` pairs separated by spaces. With `folder`, only the images under it.
 */
export async function predictionsCsv(catalog: Catalog, runId: number, folder?: string): Promise<string> {
  const names = new Map(catalog.classes.list({ includeArchived: true }).map((c) => [c.id, c.name]));
  const name = (classId: number | null) => (classId === null ? '' : (names.get(classId) ?? ''));
  const lines = ['path,label,predicted,confidence,top5'];
  const line = (file: string, label: number | null, predicted: number | null, confidence: number, topK: TopK) =>
    [
      file,
      name(label),
      name(predicted),
      confidence.toFixed(4),
      topK.map((e) => `${names.get(e.classId) ?? e.classId}:${e.p.toFixed(4)}`).join(' '),
    ]
      .map(csvField)
      .join(',');
  // A folder's own images only, found on the path index, and every row in one sorted pass.
  const imageIds = folder === undefined ? undefined : catalog.imageRowsAt([folder]).map((row) => row.id);
  for (const row of catalog.eachPredictionRow({ runId, order: 'confident-first', ...(imageIds ? { imageIds } : {}) })) {
    const file = path.join(row.rootPath, row.relPath);
    lines.push(line(file, row.labelClassId, row.predictedClassId, row.confidence, row.topK));
  }
  if (folder !== undefined) lines.push(...(await copiesOfCatalogued(catalog, runId, folder, line)));
  return `${lines.join('\n')}\n`;
}

type TopK = { classId: number; p: number }[];

/**
 * The folder's files that are not catalogued because they copy a catalogued image
 * (classify folder skips them as duplicates and reads the twin): one line each, under
 * the copy's own path, so the folder's CSV has a row for every image in it.
 */
async function copiesOfCatalogued(
  catalog: Catalog,
  runId: number,
  folder: string,
  line: (file: string, label: number | null, predicted: number | null, confidence: number, topK: TopK) => string,
): Promise<string[]> {
  const scan = await scanFolder(folder).catch(() => null);
  if (!scan) return [];
  const catalogued = new Set(catalog.imageRowsAt([folder]).map((row) => path.join(row.rootPath, row.relPath)));
  const lines: string[] = [];
  for (const file of scan.files) {
    if (catalogued.has(file.absPath)) continue;
    const bytes = await readFile(file.absPath).catch(() => null);
    if (!bytes) continue;
    const twin = catalog.images.findByHash(await sha256Hex(bytes))[0];
    const prediction = twin && catalog.runs.prediction(runId, twin.id);
    if (!twin || !prediction) continue;
    const label = catalog.labels.get(twin.id)?.classId ?? null;
    lines.push(line(file.absPath, label, prediction.classId, prediction.confidence, prediction.topK));
  }
  return lines;
}

const ORDINALS = ['', 'best', '2nd', '3rd', '4th', '5th'];

/**
 * Takes the model's guess number `rank` (1 = its best) as the label (source `model`)
 * of each image, as one undoable operation. Images whose prediction has no such guess
 * are left alone.
 */
export function acceptPredictions(catalog: Catalog, runId: number, imageIds: number[], rank = 1): { changed: number } {
  const assignments = imageIds.flatMap((imageId) => {
    const prediction = catalog.runs.prediction(runId, imageId);
    const classId = rank === 1 ? prediction?.classId : prediction?.topK[rank - 1]?.classId;
    return classId != null ? [{ imageId, classId }] : [];
  });
  if (assignments.length === 0) return { changed: 0 };
  const guess = rank === 1 ? '' : ` (the model's ${ORDINALS[rank] ?? `#${rank}`} guess)`;
  const description = `Accept ${assignments.length} prediction${assignments.length === 1 ? '' : 's'}${guess}`;
  return { changed: catalog.labels.setLabels(assignments, { source: 'model', description }).changed };
}
