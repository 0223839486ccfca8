/**
 * trainClassifier: one training run from a Dataset to an exported model folder.
 *
 * Runs in whatever thread calls it, on the tfjs backend already selected (the
 * worker picks it; see backend-choice.ts). Layout of `request.runDir`:
 *   checkpoint/  weights, best weights, optimizer state, loop state — every epoch
 *   model/       the exported best-so-far model (see export.ts) — on each improvement
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../src-shared/errors.js';
import { classWeights, validateDataset } from '../data/dataset.js';
import { deriveSeed } from '../data/rng.js';
import { registerWasmTrainingKernels } from '../kernels/index.js';
import { composeMobilenetClassifier, EMBEDDING_SIZE, releaseWeights } from '../models/mobilenet.js';
import { buildConvPreset, buildEmbeddingHead, PRESETS, type PresetId } from '../models/presets.js';
import { composeFineTunedClassifier, mapClassifier } from '../models/mobilenet-top.js';
import { TwoRateOptimizer } from './two-rate-optimizer.js';
import { warmStartHead } from './warm-head.js';
import {
  assignWeights,
  CHECKPOINT_DIR,
  hasCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
  type LoopState,
} from './checkpoint.js';
import { addCompanion } from './companion.js';
import { exportModel, hasExportedModel, MODEL_DIR, type ExportedMetadata } from '../models/model-folder.js';
import { evaluateSource, initialState, runTrainingLoop } from './loop.js';
import type { Calibration } from '../inference/calibration.js';
import { evaluatePredictions, type Evaluation } from '../inference/metrics.js';
import { calibrateModelFolder } from './calibrate.js';
import { trainingCores } from '../cores.js';
import { MIN_SHARD } from '../worker/parallel-step.js';
import { createOptimizer, getOptimizerState, setOptimizerState } from './optimizers.js';
import { architectureKey, nativeSize, pixelFormatOf, resolveTrainOptions } from './options.js';
import { prepareData, type TrainServices } from './prepare.js';
import type { TrainJob, TrainOptions, TrainRequest, TrainResult } from './types.js';
import type { FineTuneMode } from '../../../src-shared/api/wire-training.js';

export type { TrainServices } from './prepare.js';

/** Warnings about the backend; also makes sure wasm can train (kernels registered). */
function backendWarnings(): string[] {
  const backend = tf.getBackend();
  if (backend === 'wasm') registerWasmTrainingKernels();
  if (backend === 'cpu') {
    return [
      'Training on the plain-JavaScript "cpu" backend: expect well under 10 images/s. Install a native or WebAssembly backend.',
    ];
  }
  return [];
}

async function resolveOptions(request: TrainRequest): Promise<TrainOptions> {
  const fixed = PRESETS[request.options.preset]?.fixedInput;
  if (request.options.input || fixed || request.dataset.train.length === 0) return resolveTrainOptions(request.options);
  const input = await nativeSize(request.dataset.train[0]!.source);
  return resolveTrainOptions({ ...request.options, input });
}

/**
 * Threads per training step when the request does not say: the training cores for
 * the native-size presets on wasm (single-threaded under Node, see parallel-step.ts), as
 * long as each shard keeps MIN_SHARD examples, and only if the first batches run
 * faster that way (adaptive). The mobilenet head (and its top blocks) train on vectors
 * and maps in milliseconds and gain nothing; MobileNet fine-tuned whole does.
 */
function defaultParallelism(options: TrainOptions): number {
  if (tf.getBackend() !== 'wasm' || (options.preset === 'mobilenet' && options.fineTune !== 'all')) return 1;
  return Math.max(1, Math.min(trainingCores(), Math.floor(options.batchSize / MIN_SHARD)));
}

/**
 * Fine-tuning MobileNet: its pretrained layers learn at this fraction of the head's rate
 * (TwoRateOptimizer). Measured on flowers-sample (README): the whole network after a
 * warm head, 6 epochs, read 0.722 with 5e-5 under a 5e-4 head and 0.757 with 2e-4 under
 * 1e-3 (0.2); 5e-4 under 1e-3 collapsed to 0.32 in its first epoch.
 */
const FINE_TUNE_RATE_RATIO: Record<Exclude<FineTuneMode, 'head'>, number> = { top: 0.1, all: 0.2 };
/** The head's warm start before fine-tuning MobileNet whole (warm-head.ts): seconds on features. */
const WARM_HEAD_EPOCHS = 40;
const WARM_HEAD_LEARNING_RATE = 1e-3;
function isCancellation(error: unknown): boolean {
  return error instanceof AppError && error.code === 'CANCELLED';
}

/** Trains a classifier; never throws for cancellation (see `status`). */
export async function trainClassifier(
  request: TrainRequest,
  job: TrainJob,
  services: TrainServices = {},
): Promise<TrainResult> {
  const warnings = backendWarnings();
  let options: TrainOptions;
  try {
    validateDataset(request.dataset);
    options = await resolveOptions(request);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('INVALID_INPUT', error instanceof Error ? error.message : String(error));
  }
  job.onStart?.({ backend: tf.getBackend(), options });
  const { dataset, runDir } = request;
  const modelDir = join(runDir, MODEL_DIR);
  const base: Omit<TrainResult, 'status'> = {
    epochsCompleted: 0,
    bestEpoch: null,
    history: [],
    modelDir: null,
    checkpointDir: null,
    evaluation: null,
    backend: tf.getBackend(),
    threads: null,
    warnings,
    skipped: [],
    resumedFromEpoch: null,
    options,
    ensemble: null,
  };

  const resume = request.resume === true && hasCheckpoint(runDir);
  if (!resume) {
    await rm(join(runDir, CHECKPOINT_DIR), { recursive: true, force: true });
    await rm(modelDir, { recursive: true, force: true });
  }

  let prepared;
  try {
    prepared = await prepareData(dataset, options, request, job, services);
  } catch (error) {
    if (!isCancellation(error)) throw error;
    return { ...base, status: 'cancelled', modelDir: hasExportedModel(modelDir) ? modelDir : null };
  }
  if (prepared.skipped.length > 0) {
    warnings.push(`${prepared.skipped.length} image(s) could not be decoded and were left out`);
  }

  const numClasses = dataset.classes.length;
  const isMobilenet = options.preset === 'mobilenet';
  const head = isMobilenet
    ? buildEmbeddingHead(EMBEDDING_SIZE, numClasses, deriveSeed(options.seed, 'init'), options.architecture)
    : null;
  const split = prepared.split;
  const whole = prepared.wholeNetwork;
  // Pretrained layers being fine-tuned: they learn at a fraction of the head's rate.
  const pretrained = split?.top ?? whole;
  const pretrainedRatio = FINE_TUNE_RATE_RATIO[options.fineTune === 'all' ? 'all' : 'top'];
  const model = head
    ? split
      ? mapClassifier(split, head)
      : whole
        ? tf.sequential({ layers: [whole, head], name: 'mobilenet_classifier' })
        : head
    : buildConvPreset(
        options.preset as Exclude<PresetId, 'mobilenet'>,
        pixelFormatOf(options),
        numClasses,
        deriveSeed(options.seed, 'init'),
        options.architecture,
      );
  const optimizer = pretrained
    ? new TwoRateOptimizer(
        createOptimizer(options.optimizer, options.learningRate, options.momentum),
        createOptimizer(options.optimizer, options.learningRate * pretrainedRatio, options.momentum),
        new Set(pretrained.trainableWeights.map((w) => (w.read() as tf.Variable).name)),
        pretrainedRatio,
        options.learningRate,
      )
    : createOptimizer(options.optimizer, options.learningRate, options.momentum);
  const metadata: ExportedMetadata = {
    labels: dataset.classes,
    preprocessing: {
      preset: options.preset,
      input: pixelFormatOf(options),
      ...PRESETS[options.preset].preprocessing,
      resize: 'stretch',
      background: '#ffffff',
      autoOrient: true,
    },
  };
  // The exported model maps images to probabilities: the head alone is not enough for mobilenet.
  const exportable = head
    ? split
      ? composeFineTunedClassifier(split, head)
      : whole
        ? model
        : composeMobilenetClassifier(prepared.backbone!, head)
    : model;

  let state: LoopState = initialState(
    deriveSeed(options.seed, 'shuffle'),
    deriveSeed(options.seed, 'augment'),
    options.learningRate,
  );
  let best: tf.Tensor[] | null = null;
  let bestWeights: tf.Tensor[] | null = null;
  try {
    if (resume) {
      const checkpoint = await loadCheckpoint(runDir);
      try {
        if (
          architectureKey(checkpoint.options) !== architectureKey(options) ||
          checkpoint.classes.join('\n') !== dataset.classes.join('\n')
        ) {
          throw new AppError(
            'CONFLICT',
            'The checkpoint was made with other classes or another model shape; start a new run instead',
          );
        }
        assignWeights(model, checkpoint.weights);
        await setOptimizerState(optimizer, checkpoint.optimizer);
        state = checkpoint.state;
        best = checkpoint.best;
        base.resumedFromEpoch = state.epoch;
      } finally {
        checkpoint.weights.forEach((t) => t.dispose());
        checkpoint.optimizer.forEach((t) => t.tensor.dispose());
      }
    }

    if (whole && !resume) {
      await warmStartHead(whole, head!, prepared.train, numClasses, {
        epochs: WARM_HEAD_EPOCHS,
        learningRate: WARM_HEAD_LEARNING_RATE,
        batchSize: 32,
        labelSmoothing: options.labelSmoothing,
        seed: deriveSeed(options.seed, 'warm-head'),
        signal: job.signal,
        onProgress: (done, total) =>
          job.onProgress({ done, total, message: 'Training the head on the pretrained features' }),
      });
    }
    const batches = Math.ceil(prepared.train.source.size / options.batchSize);
    const totalBatches = batches * options.epochs;
    const outcome = await runTrainingLoop(
      {
        model,
        optimizer,
        train: prepared.train,
        validation: prepared.validation,
        numClasses,
        classWeights: classWeights(prepared.train.labels, numClasses, options.classWeights),
        batchSize: options.batchSize,
        epochs: options.epochs,
        augment: options.augment !== false,
        earlyStopping: options.earlyStopping,
        reduceOnPlateau: options.reduceLearningRate
          ? { ...options.reduceLearningRate, minLearningRate: options.learningRate / 64 }
          : null,
        // Cosine decay ends lower than the plateau rule's floor (÷64): it gets there only in the last epochs, by design.
        cosineDecay:
          options.learningRateSchedule === 'cosine'
            ? { initial: options.learningRate, final: options.learningRate / 100 }
            : null,
        labelSmoothing: options.labelSmoothing,
        parallelism: request.parallelism ?? defaultParallelism(options),
        adaptiveParallelism: request.parallelism === undefined,
        // MobileNet fine-tuned whole: 57 img/s in shards on two cores, 38 with the team, 36 on one.
        preferShards: whole !== null,
        signal: job.signal,
        pauseAfterEpoch: request.pauseAfterEpoch ?? null,
        onBatch: (info) => {
          const done = (info.epoch - 1) * batches + info.batch;
          const perBatch = info.batch > 0 ? options.batchSize / info.imagesPerSecond : 0;
          job.onProgress({
            done,
            total: totalBatches,
            message: `Epoch ${info.epoch}/${options.epochs} · batch ${info.batch}/${info.batches}`,
            rate: info.imagesPerSecond,
            etaSeconds: (totalBatches - done) * perBatch,
            counts: { epoch: info.epoch, loss: info.loss, accuracy: info.accuracy },
          });
        },
        onEpochEnd: async (event, loopState, currentBest) => {
          if (event.improved) await exportModel(exportable, modelDir, metadata);
          const optimizerState = await getOptimizerState(optimizer);
          try {
            base.checkpointDir = await saveCheckpoint(runDir, {
              options,
              classes: dataset.classes,
              state: loopState,
              weights: model.getWeights(),
              best: currentBest,
              optimizer: optimizerState,
            });
          } finally {
            optimizerState[0]?.tensor.dispose(); // the iteration count is a fresh tensor; the rest are live slots
          }
          job.onEpoch?.(event);
        },
      },
      state,
      best,
    );
    best = null; // now owned by the outcome
    bestWeights = outcome.bestWeights;
    base.threads = outcome.threads;
    if (outcome.parallelFailure)
      warnings.push(`Training went on with one thread: a helper thread failed (${outcome.parallelFailure}).`);
    state = outcome.state;

    let evaluation: Evaluation | null = null;
    if (bestWeights) model.setWeights(bestWeights);
    if (prepared.validation && state.bestEpoch !== null) {
      const val = await evaluateSource(model, prepared.validation, numClasses, options.batchSize * 2);
      evaluation = evaluatePredictions(val.probabilities, prepared.validation.labels, dataset.classes);
    }
    const status = outcome.status;
    if (options.ensemble && status !== 'cancelled' && hasExportedModel(modelDir)) {
      const started = performance.now();
      const companion = await addCompanion(trainClassifier, request, job, services, options, modelDir, warnings);
      if (companion) {
        const seconds = Math.round((performance.now() - started) / 100) / 10;
        base.ensemble = {
          members: [{ preset: options.preset, accuracy: evaluation?.accuracy ?? null }, companion.member],
          seconds,
        };
        evaluation = companion.evaluation ?? evaluation;
      }
    }
    let calibration: Calibration | null = null;
    if (status !== 'cancelled' && hasExportedModel(modelDir) && !request.skipCalibration) {
      try {
        const calibrated = await calibrateModelFolder(modelDir, dataset, job.signal, options.logitAdjustment);
        if (calibrated) {
          calibration = calibrated.calibration;
          evaluation = calibrated.evaluation ?? evaluation;
        }
      } catch (error) {
        if (job.signal.aborted) throw error;
        warnings.push(`Confidences were not calibrated: ${(error as Error).message}`);
      }
    }
    return {
      calibration,
      ...base,
      status,
      epochsCompleted: state.epoch,
      bestEpoch: state.bestEpoch,
      history: state.history,
      modelDir: hasExportedModel(modelDir) ? modelDir : null,
      evaluation,
      skipped: prepared.skipped,
    };
  } finally {
    best?.forEach((t) => t.dispose());
    bestWeights?.forEach((t) => t.dispose());
    optimizer.dispose();
    // The composed mobilenet classifier holds the backbone's and head's weights.
    if (isMobilenet) releaseWeights(exportable);
    else model.dispose();
    // Cut for fine-tuning, the backbone's own top is in no exported model.
    if (split) releaseWeights(prepared.backbone!);
    prepared.close();
  }
}
