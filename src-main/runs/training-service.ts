/**
 * Training runs for a project: snapshot the dataset, record the run in the catalog,
 * train in a worker thread (the UI's process stays responsive), record every epoch,
 * and register the model only when the run produced one the user keeps.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../src-shared/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import type { RunRecord } from '../../src-shared/catalog-records.js';
import { applySplit } from '../dataset/split-service.js';
import type { EmbeddingCache } from '../ml/inference/embedding-cache.js';
import { runTrainingInWorker } from '../ml/worker/run-in-worker.js';
import type { EpochEvent, TrainResult } from '../ml/training/types.js';
import type { BackendName } from '../../src-shared/api/types.js';
import { currentBackend } from '../ml/backend.js';
import type { JobContext } from '../../src-shared/progress.js';
import { DATASET_RECORD_FILE, snapshotDataset, trainingImagesPerClass } from './dataset-snapshot.js';
import { runDirOf } from './run-paths.js';
import type { TrainSettings } from '../../src-shared/api/wire-training.js';
export type { TrainSettings } from '../../src-shared/api/wire-training.js';

/** How often a training process says it is alive; see RunRepo.markInterrupted. */
const HEARTBEAT_MS = 15_000;

export interface TrainingContext {
  catalog: Catalog;
  modelsDir: string;
  cacheDir: string;
  embeddingCache?: EmbeddingCache | undefined;
  backend?: BackendName | undefined;
  /** Keep a cancelled run's best-so-far model (otherwise it is not registered). */
  keepBestOnCancel?: boolean;
  onEpoch?: (runId: number, event: EpochEvent) => void;
  onRunCreated?: (run: RunRecord) => void;
  /** Stop after this epoch, checkpoint kept (status cancelled), to be resumed: a sweep's rung. */
  pauseAfterEpoch?: number | null;
  /** The new run's name (default: preset and time). */
  runName?: string;
}

export interface TrainingOutcome {
  run: RunRecord;
  result: TrainResult;
}

function runName(settings: TrainSettings): string {
  const stamp = new Date().toISOString().slice(0, 16).replace('T', ' ');
  return `${settings.preset} · ${stamp}`;
}

/** Makes sure the labelled images are split; a project never split gets the default 70/15/15. */
export function ensureSplit(catalog: Catalog): string | null {
  const placed = catalog.splits.placeLabelled();
  const stats = catalog.stats();
  if (stats.bySplit.train + stats.bySplit.validation + stats.bySplit.test > 0) {
    return placed > 0 ? `${placed} labelled images without a split were placed by the project's split rule` : null;
  }
  applySplit(catalog, {});
  return "The project had no split: Seshat split it by the project's rule (70/15/15, stratified, seed 42 unless set in Splits).";
}

export async function trainRun(
  context: TrainingContext,
  settings: TrainSettings,
  job: JobContext,
  resumeRunId?: number,
): Promise<TrainingOutcome> {
  const { catalog } = context;
  let run: RunRecord;
  const notes: string[] = [];
  if (resumeRunId !== undefined) {
    run = catalog.runs.require(resumeRunId);
    if (run.status === 'done')
      throw new AppError('CONFLICT', `Run ${run.name} already finished; start a new run instead`);
  } else {
    const note = ensureSplit(catalog);
    if (note) notes.push(note);
  }
  const requestedSettings = resumeRunId === undefined ? settings : (run!.options ?? settings);
  const snapshot = snapshotDataset(catalog, { includeValidation: requestedSettings.includeValidation === true });
  if (snapshot.unvalidated.length)
    notes.push(`${snapshot.unvalidated.length} classes have no validation images, so their accuracy is not measured`);
  if (resumeRunId === undefined) {
    run = catalog.runs.create({
      name: context.runName ?? runName(settings),
      preset: settings.preset,
      options: settings,
      datasetHash: snapshot.record.hash,
    });
  }
  run = catalog.runs.update(run!.id, { status: 'running' });
  context.onRunCreated?.(run);
  const runDir = runDirOf(context.modelsDir, run.id);
  const pixelCache = path.join(context.cacheDir, 'pixels');
  await mkdir(runDir, { recursive: true });
  await mkdir(pixelCache, { recursive: true });
  if (resumeRunId === undefined)
    await writeFile(path.join(runDir, DATASET_RECORD_FILE), JSON.stringify(snapshot.record));
  // The conv presets train at the images' own size; glyph projects default to grayscale without mirroring.
  const requested = resumeRunId === undefined ? settings : (run.options ?? settings);
  const options: TrainSettings = { input: snapshot.nativeSize, glyphMode: snapshot.glyphProject, ...requested };
  if (resumeRunId === undefined) catalog.runs.update(run.id, {});
  const runId = run.id;
  // The worker uses the backend this process already chose, so a GPU driver is
  // probed once, on the main thread, and never again inside the worker.
  const backend = context.backend ?? (await currentBackend())?.name;
  let result: TrainResult;
  const heartbeat = setInterval(() => catalog.isOpen && catalog.runs.heartbeat(runId), HEARTBEAT_MS);
  heartbeat.unref();
  try {
    result = await runTrainingInWorker(
      {
        dataset: snapshot.dataset,
        options,
        runDir,
        cacheDir: pixelCache,
        resume: resumeRunId !== undefined,
        pauseAfterEpoch: context.pauseAfterEpoch ?? null,
      },
      {
        ...job,
        onEpoch: (event) => {
          if (!catalog.isOpen) return; // the app is shutting down; the checkpoint has the epoch
          catalog.runs.addEpoch(runId, event.epoch, {
            loss: event.loss,
            accuracy: event.accuracy,
            ...(event.valLoss === null ? {} : { valLoss: event.valLoss }),
            ...(event.valAccuracy === null ? {} : { valAccuracy: event.valAccuracy }),
            imagesPerSecond: event.imagesPerSecond,
            epochSeconds: event.epochSeconds,
            learningRate: event.learningRate,
          });
          context.onEpoch?.(runId, event);
        },
      },
      {
        ...(context.embeddingCache ? { embeddingCache: context.embeddingCache } : {}),
        ...(backend ? { backend } : {}),
      },
    );
  } catch (error) {
    if (catalog.isOpen && catalog.runs.get(runId)?.status === 'running') {
      catalog.runs.update(runId, { status: 'failed', metrics: { error: (error as Error).message } });
    }
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
  const cancelled = result.status === 'cancelled';
  const keepModel = result.modelDir !== null && (!cancelled || context.keepBestOnCancel === true);
  const metrics = {
    status: result.status,
    bestEpoch: result.bestEpoch,
    epochsCompleted: result.epochsCompleted,
    backend: result.backend,
    threads: result.threads,
    evaluation: result.evaluation,
    calibration: result.calibration ?? null,
    ensemble: result.ensemble,
    warnings: [...notes, ...result.warnings],
    skipped: result.skipped.length,
    durationSeconds: (result.history.at(-1)?.elapsedSeconds ?? 0) + (result.ensemble?.seconds ?? 0),
    classes: snapshot.record.classes,
    counts: snapshot.record.counts,
    trainingImages: trainingImagesPerClass(snapshot.dataset, new Set(result.skipped.map((skip) => skip.id))),
    options: result.options,
  };
  if (!catalog.isOpen) throw new AppError('CANCELLED', 'Seshat stopped while this run was training; it can be resumed');
  // A shutdown marks the run interrupted before it cancels it: that stays, so it can be resumed.
  const interrupted = catalog.runs.get(runId)?.status === 'interrupted';
  run = catalog.runs.update(runId, {
    ...(interrupted ? {} : { status: cancelled ? 'cancelled' : 'done' }),
    metrics,
    weightsPath: keepModel && !interrupted ? result.modelDir : null,
  });
  return { run, result };
}
