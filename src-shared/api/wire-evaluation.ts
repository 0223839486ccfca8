/**
 * Evaluation shapes that cross the API, and the arithmetic the UI reads off them.
 * Pure TypeScript: the renderer, the preload and the main process all import it.
 */
import type { Split } from '../catalog-records.js';

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** True examples of this class. */
  support: number;
}

export interface Evaluation {
  count: number;
  accuracy: number;
  /** Top-k accuracy for k = `topK.k`, when requested. */
  topK: { k: number; accuracy: number } | null;
  /** Mean F1 over classes that occur in the true or the predicted labels (as sklearn's 'macro'). */
  macroF1: number;
  /** Mean cross-entropy of the true class. */
  loss: number;
  perClass: ClassMetrics[];
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  /**
   * Top-1 confidence in 100 bins ([0, 0.01), …, [0.99, 1]): how many predictions fell in
   * each, and how many of those were right. What "accept all ≥ 80 %" will be right on
   * is read off it (see thresholdPrecision). Absent in evaluations stored before it.
   */
  confidenceBins?: ConfidenceBins;
}

export interface ConfidenceBins {
  total: number[];
  correct: number[];
}

export const CONFIDENCE_BINS = 100;

export function confidenceBin(confidence: number): number {
  return Math.min(CONFIDENCE_BINS - 1, Math.max(0, Math.floor(confidence * CONFIDENCE_BINS)));
}

/**
 * Of the predictions at or above `threshold` (rounded down to the bins' 1 %): how many
 * there were, the share of all predictions they are (coverage), and the share that
 * were right (precision; null when none reach the threshold).
 */
export function thresholdPrecision(
  bins: ConfidenceBins,
  threshold: number,
): { count: number; coverage: number; precision: number | null } {
  const from = confidenceBin(threshold);
  let count = 0;
  let right = 0;
  for (let bin = from; bin < CONFIDENCE_BINS; bin++) {
    count += bins.total[bin] ?? 0;
    right += bins.correct[bin] ?? 0;
  }
  const all = bins.total.reduce((a, b) => a + b, 0);
  return { count, coverage: all > 0 ? count / all : 0, precision: count > 0 ? right / count : null };
}

/** The calibration error's bins: the usual 15 (Guo et al. 2017), not the 100 kept for thresholds. */
export const ECE_BINS = 15;

/**
 * Expected calibration error of the top-1 confidence: over 15 equal-width bins, the gap
 * between how often predictions were right and how confident they were on average,
 * weighted by how many fell in it. 0 means "80 % sure" is right 80 % of the time; an
 * over-confident model scores high. The stored 1 % bins are merged into the 15 (each
 * fine bin's confidence taken at its middle, off by at most 0.005): measured on the 1 %
 * bins directly, a calibrated model on 400–2000 crops read 0.03–0.09 from sampling
 * noise alone.
 */
export function expectedCalibrationError(bins: ConfidenceBins): number {
  const all = bins.total.reduce((a, b) => a + b, 0);
  if (all === 0) return 0;
  const total = new Array<number>(ECE_BINS).fill(0);
  const correct = new Array<number>(ECE_BINS).fill(0);
  const confidence = new Array<number>(ECE_BINS).fill(0);
  bins.total.forEach((count, bin) => {
    const middle = (bin + 0.5) / bins.total.length;
    const coarse = Math.min(ECE_BINS - 1, Math.floor(middle * ECE_BINS));
    total[coarse]! += count;
    correct[coarse]! += bins.correct[bin] ?? 0;
    confidence[coarse]! += count * middle;
  });
  let error = 0;
  total.forEach((count, bin) => {
    if (count > 0) error += (count / all) * Math.abs(correct[bin]! / count - confidence[bin]! / count);
  });
  return error;
}

export interface RunEvaluation extends Evaluation {
  split: Split;
  /** The model's classes, in the order of the confusion matrix. */
  classes: string[];
  /** Classes the model knows that have no image in this split. */
  classesWithoutImages: string[];
  /** Labels in this split the model was not trained on (their images are left out). */
  unknownLabels: string[];
  /**
   * Training images per class (in `classes` order) when the run started; null for a
   * model without a dataset record. Few of them is the usual reason a class scores low.
   */
  trainingImages: number[] | null;
  /**
   * The pictures (folders) of the evaluated images, and how many of them also gave the
   * run training images; null for a model without a dataset record (imported, older).
   */
  pictures?: { evaluated: number; seenInTraining: number } | null;
  failed: number;
  at: number;
}
