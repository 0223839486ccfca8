/**
 * The Train form and the settings it sends. Kept apart from the state class so the
 * mapping (which switches apply to which preset) is testable in plain Node.
 */
import type { FineTuneMode, PresetSummary, SeshatApi } from '../../../src-shared/api/contract.js';
import { ensembleByDefault } from '../../../src-shared/api/contract.js';

export type PresetId = PresetSummary['id'];
/** What startTraining accepts (the wire schema, narrower than the service's TrainSettings). */
export type TrainSettings = Parameters<SeshatApi['startTraining']>[0]['settings'];

export interface TrainForm {
  preset: PresetId;
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: 'adam' | 'sgd' | 'rmsprop';
  schedule: 'plateau' | 'cosine';
  labelSmoothing: number;
  earlyStopping: boolean;
  patience: number;
  classWeights: 'none' | 'balanced';
  /** Logit adjustment on (τ 0.75); balanced class weights turn it off (they correct the same lean). */
  adjustRare: boolean;
  augment: boolean;
  flip: boolean;
  /** Conv presets: also train a MobileNet-features head and combine the two. */
  ensemble: boolean;
  /** MobileNet: what it trains besides the new head (see FINE_TUNE_MODES). */
  fineTune: FineTuneMode;
  seed: number;
  keepBestOnCancel: boolean;
}

/** The form before a preset is chosen: CNN+, the glyph default (choosing a preset then takes its defaults). */
export function defaultTrainForm(): TrainForm {
  return {
    preset: 'cnn-plus',
    epochs: 60,
    batchSize: 32,
    learningRate: 0.002,
    optimizer: 'adam',
    schedule: 'plateau',
    labelSmoothing: 0,
    earlyStopping: true,
    patience: 8,
    classWeights: 'none',
    adjustRare: true,
    augment: true,
    flip: false,
    ensemble: ensembleByDefault('cnn-plus'),
    fineTune: 'head',
    seed: 1,
    keepBestOnCancel: false,
  };
}

/** Whether the augmentation switches mean anything for this form: a frozen MobileNet head has nothing to augment. */
export function canAugment(form: Pick<TrainForm, 'preset' | 'fineTune'>): boolean {
  return form.preset !== 'mobilenet' || form.fineTune !== 'head';
}

export function trainSettingsOf(form: TrainForm): TrainSettings {
  const mobilenet = form.preset === 'mobilenet';
  return {
    preset: form.preset,
    epochs: form.epochs,
    batchSize: form.batchSize,
    learningRate: form.learningRate,
    optimizer: form.optimizer,
    learningRateSchedule: form.schedule,
    labelSmoothing: form.labelSmoothing,
    earlyStopping: form.earlyStopping ? { patience: form.patience, minDelta: 0 } : null,
    classWeights: form.classWeights,
    logitAdjustment: form.adjustRare && form.classWeights === 'none' ? 0.75 : 0,
    augment: canAugment(form) && form.augment ? { flip: form.flip } : false,
    ensemble: !mobilenet && form.ensemble,
    ...(mobilenet ? { fineTune: form.fineTune } : {}),
    seed: form.seed,
  };
}
