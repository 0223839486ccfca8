/**
 * Defaults and validation for training options.
 */
import sharp from 'sharp';
import { AppError } from '../../../src-shared/errors.js';
import { resolveAugment } from '../data/augment.js';
import type { PixelSource } from '../data/dataset.js';
import type { PixelFormat } from '../data/decode.js';
import { inputProblem, isPresetId, PRESETS, type PresetId } from '../models/presets.js';
import {
  ARCHITECTURE_LIMITS,
  ensembleByDefault,
  FINE_TUNE_MODES,
  MAX_LOGIT_ADJUSTMENT,
  type ArchitectureOptions,
  type AugmentOptions,
  type FineTuneMode,
} from '../../../src-shared/api/wire-training.js';
import { MAX_LABEL_SMOOTHING, type TrainOptions } from './types.js';

/**
 * Per-preset defaults, chosen on the bundled datasets (see bench/train.ts). CNN+ runs
 * 60 epochs: on unas-glyphs its best epoch was the 37th–39th of 40 in every run, and
 * 60 epochs gave 0.946 alone and 0.956 with its companion (40: 0.937 and 0.946),
 * in less time than 40 took before the SIMD kernels.
 *
 * Cosine decay and label smoothing are there for users who want them, not defaults.
 * On unas-glyphs (random 80/20, CNN+ with its companion, which keeps its own
 * defaults; seeds 1 and 2) the plateau rule gave CNN+ 0.942 / 0.925 and the pair
 * 0.958 / 0.948; cosine decay 0.935 / 0.939 and 0.954 / 0.944; label smoothing 0.1
 * (seed 1) 0.921 and 0.946, stopped early at epoch 28. The same options differ by
 * about a point from run to run (dropout masks are not seeded): the bench's seed-1
 * run of the same defaults gave 0.946 and 0.956.
 */
const PRESET_DEFAULTS: Record<
  PresetId,
  Pick<TrainOptions, 'epochs' | 'batchSize' | 'learningRate' | 'earlyStopping' | 'learningRateSchedule'>
> = {
  'small-cnn': {
    epochs: 20,
    batchSize: 32,
    learningRate: 1e-3,
    earlyStopping: { patience: 5, minDelta: 0 },
    learningRateSchedule: 'plateau',
  },
  'cnn-plus': {
    epochs: 60,
    batchSize: 32,
    learningRate: 1e-3,
    earlyStopping: { patience: 8, minDelta: 0 },
    learningRateSchedule: 'plateau',
  },
  mobilenet: {
    epochs: 40,
    batchSize: 32,
    learningRate: 1e-3,
    earlyStopping: { patience: 6, minDelta: 0 },
    learningRateSchedule: 'plateau',
  },
  // The two baselines take Small CNN's and CNN+'s settings (the MLP has no batch norm,
  // the ResNet has); not tuned on the bundled datasets.
  mlp: {
    epochs: 20,
    batchSize: 32,
    learningRate: 1e-3,
    earlyStopping: { patience: 5, minDelta: 0 },
    learningRateSchedule: 'plateau',
  },
  resnet: {
    epochs: 60,
    batchSize: 32,
    learningRate: 1e-3,
    earlyStopping: { patience: 8, minDelta: 0 },
    learningRateSchedule: 'plateau',
  },
};

/**
 * MobileNet fine-tuned whole (fineTune 'all'): a few epochs, each one a full pass of the
 * network over augmented photos (about a minute per 1,000 photos on two cores). Batch 16:
 * 32 keeps more activations than wasm32's 4 GiB heap holds. The rate is the head's; the
 * pretrained layers take a fifth of it (train.ts). Measured on flowers-sample: README.
 */
const WHOLE_MOBILENET_DEFAULTS: (typeof PRESET_DEFAULTS)[PresetId] & { labelSmoothing: number } = {
  epochs: 10,
  batchSize: 16,
  learningRate: 1e-3,
  earlyStopping: null,
  learningRateSchedule: 'cosine',
  labelSmoothing: 0.1,
};

/**
 * Head only: on flowers-sample (stratified 80/20) fine-tuning the top read 0.687
 * against the head's 0.695, overfitting by its third epoch; it stays an option.
 */
const DEFAULT_MOBILENET_FINE_TUNE: FineTuneMode = 'head';

/** Fine-tuning MobileNet whole sees the photos themselves: stronger warps than the glyph defaults. */
const PHOTO_AUGMENT: Partial<AugmentOptions> = {
  shift: 0.1,
  zoom: 0.15,
  rotation: 10,
  brightness: 0.15,
  contrast: 0.15,
};

function invalid(message: string): AppError {
  return new AppError('INVALID_INPUT', message);
}

function positiveInt(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw invalid(`${name} must be an integer from 1 to ${max}`);
  return value;
}

/** The size to train at when none is given: the first training image's own size. */
export async function nativeSize(source: PixelSource): Promise<{ width: number; height: number }> {
  if (source.kind === 'raw') return { width: source.width, height: source.height };
  const meta = await sharp(source.path).metadata();
  if (!meta.width || !meta.height) throw new AppError('IMAGE_UNREADABLE', `Cannot read the size of ${source.path}`);
  // EXIF orientations 5–8 swap width and height once applied.
  const swapped = (meta.orientation ?? 1) >= 5;
  return swapped ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
}

/**
 * Fills in defaults and checks ranges; throws INVALID_INPUT with a readable message.
 * `input` must be present for the native-size presets (see `nativeSize`).
 */
export function resolveTrainOptions(requested: Partial<TrainOptions> & { preset: PresetId }): TrainOptions {
  if (!isPresetId(requested.preset)) throw invalid(`unknown model preset "${String(requested.preset)}"`);
  const preset = PRESETS[requested.preset];
  const wholeNetwork = requested.preset === 'mobilenet' && requested.fineTune === 'all';
  const defaults = wholeNetwork ? WHOLE_MOBILENET_DEFAULTS : PRESET_DEFAULTS[requested.preset];
  const glyphMode = requested.glyphMode ?? false;
  const fixed = preset.fixedInput;
  const input = fixed ? { width: fixed.width, height: fixed.height } : requested.input;
  if (!input) throw invalid('the input size is required for this preset');
  const fineTune = requested.fineTune ?? (requested.preset === 'mobilenet' ? DEFAULT_MOBILENET_FINE_TUNE : 'head');
  const options: TrainOptions = {
    preset: requested.preset,
    input: {
      width: positiveInt('input width', input.width, 1024),
      height: positiveInt('input height', input.height, 1024),
    },
    colorMode: fixed ? 'rgb' : (requested.colorMode ?? (glyphMode ? 'grayscale' : 'rgb')),
    epochs: positiveInt('epochs', requested.epochs ?? defaults.epochs, 10_000),
    batchSize: positiveInt('batch size', requested.batchSize ?? defaults.batchSize, 4096),
    learningRate: requested.learningRate ?? defaults.learningRate,
    optimizer: requested.optimizer ?? 'adam',
    momentum: requested.momentum ?? 0.9,
    earlyStopping: requested.earlyStopping === undefined ? defaults.earlyStopping : requested.earlyStopping,
    learningRateSchedule: requested.learningRateSchedule ?? defaults.learningRateSchedule,
    reduceLearningRate:
      requested.reduceLearningRate === undefined ? { patience: 3, factor: 0.5 } : requested.reduceLearningRate,
    labelSmoothing: requested.labelSmoothing ?? (wholeNetwork ? WHOLE_MOBILENET_DEFAULTS.labelSmoothing : 0),
    classWeights: requested.classWeights ?? 'none',
    logitAdjustment: requested.logitAdjustment ?? ((requested.classWeights ?? 'none') === 'none' ? 0.75 : 0),
    fineTune,
    // A frozen head trains on features computed once: nothing to augment. A fine-tuned top
    // draws views (mobilenet-maps.ts), mirrored ones too unless glyph mode forbids it.
    augment: fixed
      ? fineTune === 'head'
        ? false
        : wholeNetwork
          ? requested.augment === false
            ? false
            : { ...PHOTO_AUGMENT, flip: !glyphMode, ...(requested.augment ?? {}) }
          : (requested.augment ?? { flip: !glyphMode })
      : (requested.augment ?? {}),
    glyphMode,
    ensemble: fixed ? false : (requested.ensemble ?? ensembleByDefault(requested.preset)),
    seed: requested.seed ?? 1,
    ...(requested.architecture && Object.keys(requested.architecture).length > 0
      ? { architecture: { ...requested.architecture } }
      : {}),
  };
  if (!(options.learningRate > 0 && options.learningRate < 10)) throw invalid('learning rate must be between 0 and 10');
  if (!['adam', 'sgd', 'rmsprop'].includes(options.optimizer))
    throw invalid(`unknown optimizer "${options.optimizer}"`);
  if (!(options.momentum >= 0 && options.momentum < 1)) throw invalid('momentum must be in [0, 1)');
  if (options.colorMode !== 'grayscale' && options.colorMode !== 'rgb')
    throw invalid('colour mode must be grayscale or rgb');
  if (options.earlyStopping) positiveInt('early-stopping patience', options.earlyStopping.patience, 10_000);
  if (!(options.labelSmoothing >= 0 && options.labelSmoothing <= MAX_LABEL_SMOOTHING))
    throw invalid(`label smoothing must be from 0 to ${MAX_LABEL_SMOOTHING}`);
  if (!(options.logitAdjustment >= 0 && options.logitAdjustment <= MAX_LOGIT_ADJUSTMENT))
    throw invalid(`logit adjustment must be from 0 to ${MAX_LOGIT_ADJUSTMENT}`);
  // Cosine decay sets every epoch's rate itself; a plateau rule beside it would be a dead letter in the run record.
  if (options.learningRateSchedule === 'cosine') options.reduceLearningRate = null;
  if (!['plateau', 'cosine'].includes(options.learningRateSchedule))
    throw invalid(`unknown learning-rate schedule "${String(options.learningRateSchedule)}"`);
  if (options.reduceLearningRate) {
    positiveInt('learning-rate patience', options.reduceLearningRate.patience, 10_000);
    const factor = options.reduceLearningRate.factor;
    if (!(factor > 0 && factor < 1)) throw invalid('learning-rate reduction factor must be between 0 and 1');
  }
  if (!Number.isInteger(options.seed)) throw invalid('seed must be an integer');
  if (!(FINE_TUNE_MODES as readonly string[]).includes(options.fineTune))
    throw invalid(`unknown fine-tuning mode "${String(options.fineTune)}" (${FINE_TUNE_MODES.join(', ')})`);
  if (options.fineTune !== 'head' && options.preset !== 'mobilenet')
    throw invalid(`fine-tuning pretrained layers needs the MobileNet preset; ${preset.title} trains whole`);
  const architectureProblem = checkArchitecture(options);
  if (architectureProblem) throw invalid(architectureProblem);
  // Before any image is decoded: a size the model cannot take fails the run at once.
  const sizeProblem = fixed ? null : inputProblem(options.preset, pixelFormatOf(options));
  if (sizeProblem) throw invalid(sizeProblem);
  if (fixed && requested.ensemble === true)
    throw invalid(`the ensemble adds a MobileNet companion to a conv preset; ${preset.title} is MobileNet already`);
  try {
    resolveAugment(options.augment, glyphMode);
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : String(error));
  }
  return options;
}

export function pixelFormatOf(options: TrainOptions): PixelFormat {
  return {
    width: options.input.width,
    height: options.input.height,
    channels: options.colorMode === 'grayscale' ? 1 : 3,
  };
}

/** Options that change the model's shape or meaning: a checkpoint can only resume with equal ones. */
export function architectureKey(options: TrainOptions): string {
  // Runs from before fine-tuning existed trained the head only.
  const key = [options.preset, options.input, options.colorMode, options.fineTune ?? 'head'];
  // Runs from before architecture options had none: their key stays as it was.
  return JSON.stringify(options.architecture ? [...key, options.architecture] : key);
}

/** Why the architecture options do not fit the preset or their ranges, or null. */
function checkArchitecture(options: TrainOptions): string | null {
  const architecture = options.architecture;
  if (!architecture) return null;
  for (const [name, value] of Object.entries(architecture) as [keyof ArchitectureOptions, number][]) {
    const limits = ARCHITECTURE_LIMITS[name];
    if (!limits) return `"${name}" is not an architecture option (${Object.keys(ARCHITECTURE_LIMITS).join(', ')})`;
    if (!(value >= limits.min && value <= limits.max))
      return `${name} ${value} is out of range (${limits.min}–${limits.max})`;
    if (name !== 'dropout' && !Number.isInteger(value)) return `${name} takes a whole number, not ${value}`;
  }
  const has = (name: keyof ArchitectureOptions) => architecture[name] !== undefined;
  const title = PRESETS[options.preset].title;
  if (options.preset === 'mobilenet' && (has('denseUnits') || has('convBlocks') || has('convFilters')))
    return `${title} trains a head on fixed features: of the architecture options only dropout applies`;
  if (options.preset === 'mlp' && (has('convBlocks') || has('convFilters')))
    return `${title} has no convolutions: convBlocks and convFilters do not apply`;
  if (options.preset === 'resnet' && has('denseUnits'))
    return `${title} has no hidden dense layer: denseUnits does not apply`;
  return null;
}
