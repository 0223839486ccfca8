/**
 * The MobileNet-features companion of an ensemble run (see ensemble.ts): trained on
 * the same data after the conv model, attached to its exported folder, and the
 * pair evaluated the way Predict will run it.
 *
 * Whatever goes wrong here (a cancel, a missing backbone, a full disk) leaves the
 * conv model alone and intact, with a warning: the run's own model was already
 * trained and must not be lost to its optional companion.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../../src-shared/errors.js';
import { PRESETS } from '../models/presets.js';
import { attachCompanion, detachCompanion } from '../inference/ensemble.js';
import type { Evaluation } from '../inference/metrics.js';
import { evaluateClassifier, loadClassifier } from '../inference/predict.js';
import type { TrainServices } from './prepare.js';
import type { TrainJob, TrainOptions, TrainRequest, TrainResult } from './types.js';

type Trainer = (request: TrainRequest, job: TrainJob, services: TrainServices) => Promise<TrainResult>;

export interface Companion {
  /** The ensemble's validation metrics (null without validation images). */
  evaluation: Evaluation | null;
  member: { preset: 'mobilenet'; accuracy: number | null };
}

/** Validation metrics of the model folder `modelDir` as Predict loads it. */
async function evaluateFolder(
  modelDir: string,
  request: TrainRequest,
  signal: AbortSignal,
): Promise<Evaluation | null> {
  if (request.dataset.validation.length === 0) return null;
  const classifier = await loadClassifier(modelDir);
  try {
    const validation = request.dataset.validation.map((s) => ({
      id: s.id,
      source: s.source,
      label: request.dataset.classes[s.label]!,
    }));
    const {
      unknownLabels: _unknown,
      failed: _failed,
      ...evaluation
    } = await evaluateClassifier(classifier, validation, { signal, batchSize: 32 });
    return evaluation;
  } finally {
    classifier.dispose();
  }
}

/**
 * Trains the companion (with `train`, the caller's trainClassifier) and attaches
 * it to `modelDir`. Returns null, with a warning, when there is no ensemble in the
 * end; `modelDir` then holds the conv model alone.
 */
export async function addCompanion(
  train: Trainer,
  request: TrainRequest,
  job: TrainJob,
  services: TrainServices,
  options: TrainOptions,
  modelDir: string,
  warnings: string[],
): Promise<Companion | null> {
  const companionDir = join(request.runDir, 'companion');
  const alone = `the model is ${PRESETS[options.preset].title} alone`;
  try {
    const result = await train(
      {
        dataset: request.dataset,
        // A head on cached embeddings: the six-wall figures were measured with it, and it takes seconds.
        options: { preset: 'mobilenet', fineTune: 'head', seed: options.seed, classWeights: options.classWeights },
        runDir: companionDir,
        skipCalibration: true,
        ...(request.mobilenetDir ? { mobilenetDir: request.mobilenetDir } : {}),
      },
      {
        signal: job.signal,
        // Its epochs are its own (a head on frozen features, with its preset's schedule),
        // not the ones asked for the conv model: say so, or "epoch 23/40" after asking for 8 reads as a bug.
        onProgress: (progress) =>
          job.onProgress({
            ...progress,
            message: `Step 2 of 2 · companion model (MobileNet features, its own schedule) · ${progress.message ?? ''}`,
          }),
      },
      services,
    );
    if (result.status === 'cancelled') {
      warnings.push(`The MobileNet companion was cancelled; ${alone}.`);
      return null;
    }
    if (!result.modelDir) {
      warnings.push(`The MobileNet companion produced no model; ${alone}.`);
      return null;
    }
    warnings.push(...result.warnings.map((warning) => `MobileNet companion: ${warning}`));
    await attachCompanion(modelDir, result.modelDir);
    const evaluation = await evaluateFolder(modelDir, request, job.signal);
    return { evaluation, member: { preset: 'mobilenet', accuracy: result.evaluation?.accuracy ?? null } };
  } catch (error) {
    // Back to the conv model alone: a half-made ensemble must not reach Predict.
    await detachCompanion(modelDir);
    const cancelled = error instanceof AppError && error.code === 'CANCELLED';
    warnings.push(
      cancelled
        ? `The MobileNet companion was cancelled; ${alone}.`
        : `The MobileNet companion failed (${error instanceof Error ? error.message : String(error)}); ${alone}.`,
    );
    return null;
  } finally {
    await rm(companionDir, { recursive: true, force: true });
  }
}
