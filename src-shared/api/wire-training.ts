/**
 * Training shapes that cross the API.
 * Pure TypeScript: the renderer, the preload and the main process all import it.
 */
import type { SplitCounts } from './wire-dataset.js';
import type { Evaluation, RunEvaluation } from './wire-evaluation.js';
import type { Split } from '../catalog-records.js';

/** The most label smoothing any caller may ask for (API, CLI, Train view and the trainer itself). */
/** Above 2 the adjustment favours a class seen once over one seen a hundred times at any odds. */
export const MAX_LOGIT_ADJUSTMENT = 2;

export const MAX_LABEL_SMOOTHING = 0.5;

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

export const PRESET_IDS = ['small-cnn', 'cnn-plus', 'mobilenet', 'mlp', 'resnet'] as const;

export type PresetId = (typeof PRESET_IDS)[number];

/**
 * What a MobileNet run trains: 'head' only a classifier on the frozen network's
 * features; 'top' also its last blocks (13–16 and the final 1×1 convolution); 'all'
 * every layer, on augmented photos, after the head has learnt on the frozen features.
 * Batch-norm statistics stay frozen, and pretrained layers learn at a fraction of the
 * head's rate.
 */
export const FINE_TUNE_MODES = ['head', 'top', 'all'] as const;
export type FineTuneMode = (typeof FINE_TUNE_MODES)[number];

export interface AugmentOptions {
  /** Max shift as a fraction of width/height (0.1 = ±10 %). */
  shift: number;
  /** Max zoom change (0.1 = scale in [0.9, 1.1]). */
  zoom: number;
  /** Max rotation in degrees (±). */
  rotation: number;
  /** Max brightness change as a fraction of full scale (±). */
  brightness: number;
  /** Max contrast change (0.2 = factor in [0.8, 1.2]). */
  contrast: number;
  /** Random horizontal mirror. Off by default; never for glyphs (a mirrored sign is another sign). */
  flip: boolean;
  /** Max gamma change as |log γ| (0.3 = γ in [0.74, 1.35]): lighting that darkens mid-tones, not the whole range. */
  gamma?: number;
  /** Chance of a slight 3×3 blur (focus, weathered edges). */
  blur?: number;
  /** Max Gaussian noise, as a fraction of full scale (grain, stone texture). */
  noise?: number;
  /** Chance of thinning or thickening strokes by one pixel (wear, paint, another carver's chisel). */
  stroke?: number;
}

/**
 * Architecture knobs a sweep can turn, where the preset has them (left out: the preset's
 * own). Small CNN and CNN+: `convBlocks` conv blocks, the first with `convFilters`
 * filters and each next one twice as many, then an optional hidden dense layer of
 * `denseUnits` and `dropout` before the softmax. MLP: the first hidden layer's width
 * (the second is half) and the dropout after each. ResNet: stages and the first stage's
 * filters, and dropout before the softmax. MobileNet's head: dropout only.
 */
export interface ArchitectureOptions {
  dropout?: number;
  denseUnits?: number;
  convBlocks?: number;
  convFilters?: number;
}

export const ARCHITECTURE_LIMITS = {
  dropout: { min: 0, max: 0.9 },
  denseUnits: { min: 8, max: 4096 },
  convBlocks: { min: 1, max: 6 },
  convFilters: { min: 4, max: 256 },
} as const;

export type ClassWeightMode = 'none' | 'balanced' | number[];

export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';

export interface TrainOptions {
  preset: PresetId;
  /** Size the native-size presets take images at (the `mobilenet` preset always uses 224×224 RGB). */
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
  /**
   * Logit adjustment τ at prediction time (Menon et al. 2021): each class's probability
   * is divided by its share of the training images to the power τ, which undoes the
   * model's lean toward classes it saw often. 0: off. Default 0.75, or 0 with balanced
   * class weights (which correct the same lean during training). On the six unas walls,
   * each read by a model that never saw it, it is what lifts rare signs most.
   */
  logitAdjustment: number;
  /** MobileNet only (conv presets always train whole): see FINE_TUNE_MODES. */
  fineTune: FineTuneMode;
  /**
   * Training-time augmentation; false for none. `mobilenet` takes none: its head trains on
   * features computed once; with fineTune 'top' it draws mirrored and cropped views, with
   * 'all' it augments the photos themselves.
   */
  augment: Partial<AugmentOptions> | false;
  /** Glyph images: forbids horizontal flips (a mirrored sign is another sign). */
  glyphMode: boolean;
  /**
   * Native-size presets (all but MobileNet): also train a MobileNet-features head on
   * the same data and combine both models' probabilities (see ensemble.ts). Default
   * on for CNN+. The companion trains with its own preset's defaults (epochs, rate,
   * schedule, no smoothing); only the seed and class weights carry over.
   */
  ensemble: boolean;
  /** Seeds initial weights, shuffling and augmentation (dropout masks are not seeded). */
  seed: number;
  /** Architecture changes from the preset's own (sweeps vary them); absent: the preset as it is. */
  architecture?: ArchitectureOptions;
  /**
   * Train on the validation images too, for a fixed number of epochs (a sweep's best
   * settings, trained for good): no early stopping, no temperature fitted, and the run's
   * own figures are only on the test split.
   */
  includeValidation?: boolean;
}

export type TrainSettings = Partial<TrainOptions> & { preset: TrainOptions['preset'] };

/**
 * What a run stores as its metrics, filled in over its life: the trainer's summary when
 * it finishes, each split's evaluation when it is evaluated, the reason when it failed.
 * Every field is optional: runs from older versions, imported models and failed starts
 * hold only some of them.
 */
export interface RunMetrics {
  status?: string;
  bestEpoch?: number | null;
  epochsCompleted?: number;
  backend?: string;
  threads?: number | null;
  /** The final model on the validation split (confidence bins included). */
  evaluation?: Evaluation | null;
  /** The companion ensemble: each member's validation accuracy, and its training time. */
  ensemble?: { members: Array<{ preset: string; accuracy: number | null }>; seconds: number } | null;
  warnings?: string[];
  skipped?: number;
  durationSeconds?: number;
  classes?: string[];
  counts?: SplitCounts;
  /** Training images per class name, as the last start trained on them. */
  trainingImages?: Record<string, number>;
  /** The options the trainer resolved (presets and defaults filled in). */
  options?: TrainOptions;
  evaluations?: Partial<Record<Split, RunEvaluation>>;
  /** The temperature its confidences are divided by, fitted on the validation split (null: none fitted). */
  calibration?: {
    temperature: number;
    fittedOn: number;
    nllBefore: number;
    nllAfter: number;
    logitAdjustment?: { tau: number; trainingCounts: number[] };
  } | null;
  /** Why the run failed or cannot resume. */
  error?: string;
  /** An imported model, not trained here, and the folder it was imported from. */
  imported?: boolean;
  importedFrom?: string;
}

/**
 * Whether a preset trains the MobileNet companion when the caller does not say: on for
 * CNN+ only (the Small CNN, the MLP and the ResNet are baselines, compared alone;
 * MobileNet needs no companion). The Train view and the trainer both read it, so
 * their defaults cannot drift apart.
 */
export function ensembleByDefault(preset: PresetId): boolean {
  return preset === 'cnn-plus';
}
