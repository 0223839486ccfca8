/**
 * Hyper-parameter sweeps as they cross the API: what varies, how trials are chosen
 * (a grid, or random draws from ranges), whether poor trials stop early (successive
 * halving), and each trial's outcome. Pure TypeScript, shared by all three sides.
 */
import type { TrainSettings } from './wire-training.js';

/**
 * What a sweep can vary. Architecture parameters apply where the preset has them
 * (dropout and dense width: the conv presets and the MLP; conv blocks and filters: the
 * conv presets). `inputScale` multiplies the images' own size; `augmentStrength`
 * multiplies the default augmentation ranges (0: none).
 */
export const SWEEP_PARAMETERS = [
  'learningRate',
  'batchSize',
  'epochs',
  'labelSmoothing',
  'optimizer',
  'dropout',
  'denseUnits',
  'convBlocks',
  'convFilters',
  'inputScale',
  'augmentStrength',
] as const;
export type SweepParameter = (typeof SWEEP_PARAMETERS)[number];

export type SweepValue = number | string | boolean;

export interface SweepRange {
  min: number;
  max: number;
  scale: 'linear' | 'log';
}

export interface SweepSpace {
  /** Values to try: every combination, or with `random`, one drawn per trial. */
  grid: Partial<Record<SweepParameter, SweepValue[]>>;
  /** Random search: this many trials, drawing each range's parameter (and a grid value). */
  random?: number | undefined;
  ranges?: Partial<Record<SweepParameter, SweepRange>> | undefined;
  /** Seeds the random draws. */
  seed?: number | undefined;
}

export interface SweepSpec {
  /** The settings every trial starts from (its preset, epochs, …); each trial overrides its parameters. */
  base: TrainSettings;
  space: SweepSpace;
  /** Stop poor trials early: compare at rungs of epochs, keep the best 1/η (successive halving). */
  halving: boolean;
  /** The η of halving: the share kept at each rung is 1/η. */
  eta: number;
}

export type SweepStatus = 'running' | 'done' | 'cancelled' | 'failed' | 'interrupted';
export type TrialStatus = 'pending' | 'running' | 'paused' | 'stopped' | 'done' | 'failed' | 'cancelled';

export interface SweepTrial {
  trial: number;
  params: Partial<Record<SweepParameter, SweepValue>>;
  runId: number | null;
  status: TrialStatus;
  /** Epochs trained; the lowest validation loss, and the validation accuracy at that epoch (the kept model's). */
  epochs: number;
  bestValLoss: number | null;
  bestValAccuracy: number | null;
  seconds: number;
  /** Each epoch's validation figures, in order (a stopped trial's ends at its rung; null: no validation set). */
  curve: TrialCurvePoint[];
}

export interface TrialCurvePoint {
  epoch: number;
  valLoss: number | null;
  valAccuracy: number | null;
}

export interface SweepSummary {
  id: number;
  name: string;
  preset: string;
  status: SweepStatus;
  /** The split trials are compared on. */
  measuredOn: 'validation';
  halving: boolean;
  /** The epochs at which trials were compared (the last is the full length). */
  rungs: number[];
  /** Epochs trained over all trials, and what training every trial to the end would have taken. */
  epochsTrained: number;
  epochsFull: number;
  createdAt: number;
  finishedAt: number | null;
}

export interface SweepDetails extends SweepSummary {
  spec: SweepSpec;
  trials: SweepTrial[];
  /** The trial with the best validation loss among those trained to the end (else among all). */
  best: { trial: number; runId: number | null; params: SweepTrial['params'] } | null;
}
