/**
 * The Sweep form and the spec it sends. The form is text (what people type: "0.001, 0.01",
 * "1e-4:1e-2:log"), so parsing it, and saying which field holds what bad value, is kept
 * here apart from the state class, testable in plain Node.
 */
import type { SeshatApi } from '../../../src-shared/api/contract.js';
import { SWEEP_PARAMETERS, type SweepParameter, type SweepValue } from '../../../src-shared/api/wire-sweeps.js';
import type { PresetId, TrainSettings } from './train-settings.js';

export type SweepSpecInput = Parameters<SeshatApi['startSweep']>[0]['spec'];
type Grid = NonNullable<SweepSpecInput['space']['grid']>;
type Ranges = NonNullable<SweepSpecInput['space']['ranges']>;

export interface SweepForm {
  /** Per parameter: values to try, comma-separated; with random search also `min:max[:log]`. Empty: not varied. */
  values: Record<SweepParameter, string>;
  random: boolean;
  /** Random search: how many trials to draw. */
  trials: number;
  /** Every trial's full length (halving stops the poor ones sooner). */
  epochs: number;
  halving: boolean;
  seed: number;
}

interface ParameterRule {
  label: string;
  kind: 'number' | 'whole' | 'choice';
  min?: number;
  max?: number;
  /** The minimum itself is not allowed (a learning rate of 0 learns nothing). */
  above?: boolean;
  choices?: readonly string[];
  /** What the field shows when empty, for a grid and for random search. */
  example: string;
  rangeExample?: string;
}

/** Limits as the API and the trainer enforce them, so a typo is caught before any trial starts. */
export const PARAMETER_RULES: Record<SweepParameter, ParameterRule> = {
  learningRate: {
    label: 'Learning rate',
    kind: 'number',
    min: 0,
    above: true,
    max: 10,
    example: '0.001, 0.01',
    rangeExample: '1e-4:1e-2:log',
  },
  batchSize: {
    label: 'Batch size',
    kind: 'whole',
    min: 1,
    max: 4096,
    example: '16, 32, 64',
    rangeExample: '16:128:log',
  },
  epochs: { label: 'Epochs', kind: 'whole', min: 1, max: 10_000, example: '5, 10', rangeExample: '5:20' },
  labelSmoothing: {
    label: 'Label smoothing',
    kind: 'number',
    min: 0,
    max: 0.5,
    example: '0, 0.1',
    rangeExample: '0:0.2',
  },
  optimizer: { label: 'Optimizer', kind: 'choice', choices: ['adam', 'sgd', 'rmsprop'], example: 'adam, sgd' },
  dropout: { label: 'Dropout', kind: 'number', min: 0, max: 0.9, example: '0, 0.25, 0.5', rangeExample: '0:0.5' },
  denseUnits: {
    label: 'Dense units',
    kind: 'whole',
    min: 8,
    max: 4096,
    example: '64, 128',
    rangeExample: '32:256:log',
  },
  convBlocks: { label: 'Conv blocks', kind: 'whole', min: 1, max: 6, example: '2, 3', rangeExample: '1:4' },
  convFilters: { label: 'Conv filters', kind: 'whole', min: 4, max: 256, example: '16, 32', rangeExample: '8:64:log' },
  inputScale: {
    label: 'Input scale',
    kind: 'number',
    min: 0,
    above: true,
    max: 8,
    example: '0.5, 1',
    rangeExample: '0.5:1.5',
  },
  // Five times the default ranges is as far as the API's augmentation limits reach (brightness 0.1 × 5).
  augmentStrength: {
    label: 'Augment strength',
    kind: 'number',
    min: 0,
    max: 5,
    example: '0, 1, 2',
    rangeExample: '0:2',
  },
};

/** Most values or trials the API takes (per parameter; per sweep). */
const MAX_VALUES = 50;
const MAX_TRIALS = 500;

/** The parameters a preset has (the trainer refuses the others, naming the preset). */
export function sweepParametersFor(preset: PresetId): SweepParameter[] {
  const missing: Partial<Record<PresetId, SweepParameter[]>> = {
    // A frozen network's head: its input is always 224 × 224, and it has no conv blocks or dense layer of its own.
    mobilenet: ['denseUnits', 'convBlocks', 'convFilters', 'inputScale'],
    mlp: ['convBlocks', 'convFilters'],
    resnet: ['denseUnits'],
  };
  return SWEEP_PARAMETERS.filter((name) => !missing[preset]?.includes(name));
}

export function defaultSweepForm(): SweepForm {
  const values = Object.fromEntries(SWEEP_PARAMETERS.map((name) => [name, ''])) as Record<SweepParameter, string>;
  // Nine epochs with halving compares at 1, 3 and 9 epochs (η 3).
  return { values, random: false, trials: 12, epochs: 9, halving: true, seed: 1 };
}

class FormError extends Error {}

const fail = (message: string): never => {
  throw new FormError(message);
};

function numberIn(rule: ParameterRule, text: string): number {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) fail(`${rule.label}: "${text}" is not a number`);
  if (rule.kind === 'whole' && !Number.isInteger(value)) fail(`${rule.label}: "${text}" is not a whole number`);
  const low = rule.min ?? -Infinity;
  const high = rule.max ?? Infinity;
  if (value < low || value > high || (rule.above && value === low))
    fail(`${rule.label}: ${text} is out of range (${rule.above ? 'above ' : ''}${low} to ${high})`);
  return value;
}

function valueOf(rule: ParameterRule, text: string): SweepValue {
  if (rule.kind !== 'choice') return numberIn(rule, text);
  const choice = text.toLowerCase();
  if (!rule.choices!.includes(choice)) fail(`${rule.label}: "${text}" is not one of ${rule.choices!.join(', ')}`);
  return choice;
}

function rangeOf(rule: ParameterRule, text: string): Ranges[SweepParameter] {
  if (rule.kind === 'choice') fail(`${rule.label}: "${text}" is a range, but choices are listed: ${rule.example}`);
  const [minText = '', maxText = '', scale = 'linear', ...rest] = text.split(':').map((part) => part.trim());
  if (rest.length > 0 || (scale !== 'linear' && scale !== 'log'))
    fail(`${rule.label}: write "${text}" as min:max or min:max:log`);
  const min = numberIn(rule, minText);
  const max = numberIn(rule, maxText);
  if (!(max > min)) fail(`${rule.label}: "${text}" needs min below max`);
  if (scale === 'log' && min <= 0) fail(`${rule.label}: "${text}" is a log range, which needs min above 0`);
  return { min, max, scale: scale as 'linear' | 'log' };
}

function positiveWhole(label: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    fail(`${label}: "${String(value ?? '')}" must be a whole number from ${min} to ${max}`);
  return value;
}

export type SweepPlan = { ok: true; spec: SweepSpecInput; trials: number } | { ok: false; message: string };

/**
 * The spec of a sweep of `base` (the Train form's settings): only the preset's own
 * parameters are read, so text left in a field another preset showed changes nothing.
 */
export function sweepSpecOf(form: SweepForm, base: TrainSettings): SweepPlan {
  try {
    const grid: Grid = {};
    const ranges: Ranges = {};
    for (const name of sweepParametersFor(base.preset)) {
      const text = form.values[name].trim();
      if (!text) continue;
      const rule = PARAMETER_RULES[name];
      if (text.includes(':')) {
        if (!form.random)
          fail(`${rule.label}: "${text}" is a range; ranges need random search (or list values: ${rule.example})`);
        ranges[name] = rangeOf(rule, text);
        continue;
      }
      // A trailing comma while typing is not an error; an empty value between two is.
      const parts = text.replace(/,\s*$/, '').split(',');
      const values = parts.map((part) => {
        if (!part.trim()) fail(`${rule.label}: "${text}" has an empty value between commas`);
        return valueOf(rule, part.trim());
      });
      if (values.length > MAX_VALUES) fail(`${rule.label}: ${values.length} values; at most ${MAX_VALUES}`);
      grid[name] = values;
    }
    const varied = [...Object.keys(grid), ...Object.keys(ranges)];
    if (varied.length === 0) fail('Nothing varies: list values for at least one parameter');
    if (form.halving && varied.includes('epochs'))
      fail('Epochs: halving compares trials at the same epochs; turn halving off to vary epochs');
    const epochs = positiveWhole('Epochs per trial', form.epochs, 1, 10_000);
    let trials: number;
    if (form.random) trials = positiveWhole('Trials', form.trials, 2, MAX_TRIALS);
    else {
      trials = Object.values(grid).reduce((product, values) => product * values!.length, 1);
      if (trials < 2) fail('A grid of one trial compares nothing: give some parameter at least two values');
      if (trials > MAX_TRIALS) fail(`The grid has ${trials} trials; at most ${MAX_TRIALS} (or use random search)`);
    }
    const space: SweepSpecInput['space'] = form.random
      ? { grid, random: trials, ranges, seed: positiveWhole('Seed', form.seed, 0, 2 ** 31 - 1) }
      : { grid };
    return { ok: true, trials, spec: { base: { ...base, epochs }, space, halving: form.halving, eta: 3 } };
  } catch (error) {
    if (error instanceof FormError) return { ok: false, message: error.message };
    throw error;
  }
}
