/**
 * What a training run is asked to do and what it reports. All plain data: a
 * request is posted to the training worker and events come back as messages.
 */
import type { JobContext } from '../../tasks/progress.js';
import type { AugmentOptions } from '../data/augment.js';
import type { ClassWeightMode, Dataset } from '../data/dataset.js';
import type { PresetId } from '../models/presets.js';
import type { Evaluation } from './metrics.js';

export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';

/** The most label smoothing any caller may ask for (API, CLI, Train view and the trainer itself). */
export const MAX_LABEL_SMOOTHING = 0.5;

export interface TrainOptions {
  preset: PresetId;
  /** Size the conv presets take images at (the `mobilenet` preset always uses 224×224 RGB). */
  input: { width: number; height: number };
  colorMode: 'grayscale' | 'rgb';
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  /** SGD momentum (ignored by the others). */
  momentum: number;
  /** Stop when the validation loss has not improved by `minDelta` for `patience` epochs; null: never. */
  earlyStopping: { patience: number; minDelta: number } | null;
  /**
   * Multiply the learning rate by `factor` after every `patience` epochs without
   * improvement, down to learningRate/64 (Keras' ReduceLROnPlateau; default
   * patience 3, factor 0.5); null: constant.
   */
  reduceLearningRate: { patience: number; factor: number } | null;
  /**
   * 'plateau': the rate changes only through `reduceLearningRate`. 'cosine': it
   * falls from `learningRate` to a hundredth of it along a half cosine over the
   * epochs, whatever the validation loss does (`reduceLearningRate` resolves to null).
   */
  learningRateSchedule: 'plateau' | 'cosine';
  /**
   * Label smoothing ε (0 … MAX_LABEL_SMOOTHING): training targets give the true class
   * 1 − ε + ε/k and every other class ε/k, so the model is not pushed towards
   * certainty on a few examples. The training loss is then measured against these
   * targets (it cannot fall below their entropy); validation loss never is.
   */
  labelSmoothing: number;
  classWeights: ClassWeightMode;
  /** Training-time augmentation; false for none. Not used by `mobilenet` (its embeddings are computed once). */
  augment: Partial<AugmentOptions> | false;
  /** Glyph images: forbids horizontal flips (a mirrored sign is another sign). */
  glyphMode: boolean;
  /**
   * Conv presets: also train a MobileNet-features head on the same data and combine
   * both models' probabilities (see ensemble.ts). Default on for CNN+. The companion
   * trains with its own preset's defaults (epochs, rate, schedule, no smoothing);
   * only the seed and class weights carry over.
   */
  ensemble: boolean;
  /** Seeds initial weights, shuffling and augmentation (dropout masks are not seeded). */
  seed: number;
}

export interface TrainRequest {
  dataset: Dataset;
  /** Options; anything left out takes the preset's default (see resolveTrainOptions). */
  options: Partial<TrainOptions> & { preset: PresetId };
  /** Folder for this run: `checkpoint/` each epoch, `model/` (the exported best model). */
  runDir: string;
  /** Folder for the decoded-pixel cache shared by runs (omit: decode into memory only). */
  cacheDir?: string;
  /** Continue from `runDir/checkpoint` if there is one (otherwise start fresh). */
  resume?: boolean;
  /** Folder of the MobileNetV2 model (default: the bundled resources/models copy). */
  mobilenetDir?: string;
  /**
   * Threads that share each training step (data-parallel). Default: every core, up
   * to 4, for the conv presets on wasm if the first batches show that is faster,
   * else 1. A number given here is used as is.
   */
  parallelism?: number;
  /** Decoded pixels above this many bytes stay on disk and are streamed per batch (default 512 MiB). */
  memoryBudgetBytes?: number;
}

/** Sent after every epoch (also to `onEpoch`). */
export interface EpochEvent {
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** Mean training loss against the training targets (smoothed ones too, see TrainOptions.labelSmoothing). */
  loss: number;
  accuracy: number;
  /** null when there is no validation set. */
  valLoss: number | null;
  valAccuracy: number | null;
  /** Training throughput of this epoch (validation excluded). */
  imagesPerSecond: number;
  /** Wall time of this epoch, validation and checkpoint included. */
  epochSeconds: number;
  elapsedSeconds: number;
  /** Estimated time for the remaining epochs (if none stops early). */
  etaSeconds: number;
  /** Learning rate used in this epoch. */
  learningRate: number;
  /** This epoch is the best so far (it is now the exported model). */
  improved: boolean;
}

export interface TrainResult {
  /** `cancelled` still returns normally: see `modelDir` for a usable best-so-far model. */
  status: 'completed' | 'early-stopped' | 'cancelled';
  epochsCompleted: number;
  /** Epoch whose weights the exported model holds (1-based), or null. */
  bestEpoch: number | null;
  history: EpochEvent[];
  /** Folder of the exported model (TF.js layers + labels.json + preprocessing.json), or null if none exists. */
  modelDir: string | null;
  /** Folder of the last checkpoint, or null. */
  checkpointDir: string | null;
  /** Validation metrics of the exported model (null without validation data or model). */
  evaluation: Evaluation | null;
  /** tfjs backend the run used. */
  backend: string;
  /** Threads each training step ran on (data-parallel when above 1); null when not known (a killed worker). */
  threads: number | null;
  /** Things the user should know (slow backend, skipped images, …). */
  warnings: string[];
  /** Images that could not be decoded and were left out. */
  skipped: Array<{ id: string; error: string }>;
  /** Epoch the run resumed after, or null for a fresh run. */
  resumedFromEpoch: number | null;
  /** The options after defaults were applied. */
  options: TrainOptions;
  /**
   * For an ensemble: each member's own validation accuracy (`evaluation` is the
   * combination's) and the seconds the companion took (training and evaluation).
   */
  ensemble: { members: Array<{ preset: PresetId; accuracy: number | null }>; seconds: number } | null;
}

/** What the training functions receive: the job context plus an optional per-epoch callback. */
export interface TrainJob extends JobContext {
  onEpoch?: (event: EpochEvent) => void;
  /** Called once the options are resolved, before any image is decoded. */
  onStart?: (info: { backend: string; options: TrainOptions }) => void;
}
