/**
 * A sweep trial's training settings: the sweep's base settings with the trial's
 * parameters laid over them, in the terms the trainer takes.
 */
import { AppError } from '../../src-shared/errors.js';
import type { SweepParameter, SweepValue } from '../../src-shared/api/wire-sweeps.js';
import type { OptimizerName, TrainSettings } from '../../src-shared/api/wire-training.js';
import { DEFAULT_AUGMENT } from '../ml/data/augment.js';
import type { TrialParams } from './sweep-plan.js';

const OPTIMIZERS: readonly OptimizerName[] = ['adam', 'sgd', 'rmsprop'];

function numberOf(name: SweepParameter, value: SweepValue): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new AppError('INVALID_INPUT', `${name} takes a number, not "${String(value)}"`);
  return value;
}

/** Default augmentation ranges times `strength` (0: none); mirroring stays as the base says. */
function scaledAugment(strength: number): TrainSettings['augment'] {
  if (strength <= 0) return false;
  const { shift, zoom, rotation, brightness, contrast } = DEFAULT_AUGMENT;
  return {
    shift: shift * strength,
    zoom: zoom * strength,
    rotation: rotation * strength,
    brightness: brightness * strength,
    contrast: contrast * strength,
  };
}

/**
 * The settings of one trial. `nativeSize` is the images' own size (what `inputScale`
 * multiplies); architecture parameters land in `architecture`, for presets that have
 * them (the trainer refuses them elsewhere, naming the preset).
 */
export function trialSettings(
  base: TrainSettings,
  params: TrialParams,
  nativeSize: { width: number; height: number },
): TrainSettings {
  const settings: TrainSettings = { ...base };
  const architecture: NonNullable<TrainSettings['architecture']> = { ...base.architecture };
  for (const [name, value] of Object.entries(params) as [SweepParameter, SweepValue][]) {
    switch (name) {
      case 'learningRate':
      case 'labelSmoothing':
        settings[name] = numberOf(name, value);
        break;
      case 'batchSize':
      case 'epochs':
        settings[name] = Math.round(numberOf(name, value));
        break;
      case 'optimizer':
        if (!OPTIMIZERS.includes(value as OptimizerName))
          throw new AppError('INVALID_INPUT', `optimizer is one of ${OPTIMIZERS.join(', ')}, not "${String(value)}"`);
        settings.optimizer = value as OptimizerName;
        break;
      case 'dropout':
      case 'denseUnits':
      case 'convBlocks':
      case 'convFilters':
        architecture[name] = numberOf(name, value);
        break;
      case 'inputScale': {
        const scale = numberOf(name, value);
        const size = base.input ?? nativeSize;
        settings.input = {
          width: Math.max(8, Math.round(size.width * scale)),
          height: Math.max(8, Math.round(size.height * scale)),
        };
        break;
      }
      case 'augmentStrength':
        settings.augment = scaledAugment(numberOf(name, value));
        break;
    }
  }
  if (Object.keys(architecture).length > 0) settings.architecture = architecture;
  return settings;
}
