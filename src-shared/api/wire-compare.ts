/** Runs side by side, as the runs list and `seshat runs --compare` show them. */
import type { TrainSettings } from './wire-training.js';

export interface ComparedSplit {
  accuracy: number | null;
  loss: number | null;
  macroF1: number | null;
}

export interface ComparedRun {
  id: number;
  name: string;
  preset: string;
  status: string;
  /** The settings it was started with (what a sweep varied, its architecture). */
  settings: TrainSettings | null;
  epochs: number;
  bestEpoch: number | null;
  /** At its best epoch: training figures from that epoch; validation and test from the stored evaluations. */
  train: ComparedSplit;
  validation: ComparedSplit;
  /** Null until the run is evaluated on the test split (Evaluate). */
  test: ComparedSplit | null;
  seconds: number | null;
  imagesPerSecond: number | null;
}

export interface RunComparison {
  runs: ComparedRun[];
  /** Each class's validation F1 per run, in the order of `runs` (null: the run did not have the class). */
  perClassF1: Array<{ label: string; f1: Array<number | null> }>;
}
