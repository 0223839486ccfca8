/**
 * What a training run is asked to do and what it reports. All plain data: a
 * request is posted to the training worker and events come back as messages.
 */
import type { JobContext } from '../../../src-shared/progress.js';

import type { Dataset } from '../data/dataset.js';
import type { PresetId } from '../models/presets.js';
import type { Evaluation } from '../inference/metrics.js';
import type { EpochEvent } from '../../../src-shared/api/wire-training.js';
export type { EpochEvent } from '../../../src-shared/api/wire-training.js';

import type { TrainOptions } from '../../../src-shared/api/wire-training.js';
import type { Calibration } from '../inference/calibration.js';
export type { OptimizerName, TrainOptions } from '../../../src-shared/api/wire-training.js';
export { MAX_LABEL_SMOOTHING } from '../../../src-shared/api/wire-training.js';

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
  /** Leave the confidences as the model gives them (the companion: its ensemble is calibrated whole). */
  skipCalibration?: boolean;
  /** Stop after this epoch as a cancel does, checkpoint kept, to be resumed (a sweep's rung). */
  pauseAfterEpoch?: number | null;
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
  /** The temperature fitted on the validation split (calibration.json), or null when none was fitted. */
  calibration?: Calibration | null;
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
