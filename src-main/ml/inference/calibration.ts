/**
 * Temperature scaling (and logit adjustment, below): one number T, fitted on the validation split after training, by
 * which the model's log-probabilities are divided before the softmax. T > 1 softens an
 * over-confident model, T < 1 sharpens a timid one; the ranking of classes never
 * changes, so accuracy stays the same while "80 % sure" comes to mean right about 80 %
 * of the time. The model folder keeps it in calibration.json; Predict applies it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const CALIBRATION_FILE = 'calibration.json';

export interface Calibration {
  temperature: number;
  /**
   * Logit adjustment, applied before the temperature: each class's probability divided
   * by (its training images / all training images)^tau, then renormalised. Absent: none.
   */
  logitAdjustment?: { tau: number; trainingCounts: number[] };
  /** Validation images it was fitted on, and their mean negative log-likelihood before and after. */
  fittedOn: number;
  nllBefore: number;
  nllAfter: number;
}

/** Below this many validation images a fitted temperature says more about chance than the model. */
export const MIN_CALIBRATION_IMAGES = 20;
const FLOOR = 1e-12;
const LOG_T_RANGE: [number, number] = [Math.log(0.2), Math.log(20)];

/** `probabilities` (rows of `classes`) with their temperature changed to `temperature`, as new rows. */
export function temperatureScale(probabilities: Float32Array, classes: number, temperature: number): Float32Array {
  const out = new Float32Array(probabilities.length);
  if (temperature === 1) {
    out.set(probabilities);
    return out;
  }
  for (let start = 0; start < probabilities.length; start += classes) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++)
      max = Math.max(max, Math.log(Math.max(probabilities[start + c]!, FLOOR)) / temperature);
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const value = Math.exp(Math.log(Math.max(probabilities[start + c]!, FLOOR)) / temperature - max);
      out[start + c] = value;
      sum += value;
    }
    for (let c = 0; c < classes; c++) out[start + c]! /= sum;
  }
  return out;
}

/** Mean negative log-likelihood of the true classes at temperature `temperature`. */
export function meanNll(
  probabilities: Float32Array,
  labels: ArrayLike<number>,
  classes: number,
  temperature: number,
): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const start = i * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++)
      max = Math.max(max, Math.log(Math.max(probabilities[start + c]!, FLOOR)) / temperature);
    let sum = 0;
    for (let c = 0; c < classes; c++)
      sum += Math.exp(Math.log(Math.max(probabilities[start + c]!, FLOOR)) / temperature - max);
    const truth = Math.log(Math.max(probabilities[start + labels[i]!]!, FLOOR)) / temperature - max;
    total += Math.log(sum) - truth;
  }
  return labels.length > 0 ? total / labels.length : 0;
}

/**
 * The temperature that minimises the validation NLL (a golden-section search on log T,
 * which the NLL is convex in), between 0.2 and 20.
 */
export function fitTemperature(probabilities: Float32Array, labels: ArrayLike<number>, classes: number): Calibration {
  const nll = (logT: number) => meanNll(probabilities, labels, classes, Math.exp(logT));
  const ratio = (Math.sqrt(5) - 1) / 2;
  let [low, high] = LOG_T_RANGE;
  let a = high - ratio * (high - low);
  let b = low + ratio * (high - low);
  let fa = nll(a);
  let fb = nll(b);
  for (let step = 0; step < 50; step++) {
    if (fa < fb) {
      high = b;
      b = a;
      fb = fa;
      a = high - ratio * (high - low);
      fa = nll(a);
    } else {
      low = a;
      a = b;
      fa = fb;
      b = low + ratio * (high - low);
      fb = nll(b);
    }
  }
  const temperature = Math.exp((low + high) / 2);
  return { temperature, fittedOn: labels.length, nllBefore: nll(0), nllAfter: nll(Math.log(temperature)) };
}

export async function writeCalibration(modelDir: string, calibration: Calibration): Promise<void> {
  await writeFile(join(modelDir, CALIBRATION_FILE), `${JSON.stringify(calibration, null, 2)}\n`);
}

/** What Predict applies to a folder's combined probabilities. */
export interface ProbabilityCorrection {
  /** Per-class factors of the logit adjustment, or null for none. */
  adjustment: Float32Array | null;
  temperature: number;
}

/** The folder's correction: none for a model without calibration.json (older ones, imported ones). */
export async function readCorrection(modelDir: string): Promise<ProbabilityCorrection> {
  let text: string;
  try {
    text = await readFile(join(modelDir, CALIBRATION_FILE), 'utf8');
  } catch {
    return { adjustment: null, temperature: 1 };
  }
  // model-check has refused a calibration.json without a usable temperature or adjustment.
  const calibration = JSON.parse(text) as Calibration;
  const adjustment = calibration.logitAdjustment;
  return {
    temperature: calibration.temperature,
    adjustment: adjustment ? adjustmentFactors(adjustment.trainingCounts, adjustment.tau) : null,
  };
}

/** (count / total)^-tau per class; a class with no training images counts as one. Null when tau is 0. */
export function adjustmentFactors(trainingCounts: readonly number[], tau: number): Float32Array | null {
  if (tau === 0) return null;
  const total = trainingCounts.reduce((sum, count) => sum + Math.max(count, 1), 0);
  return Float32Array.from(trainingCounts, (count) => Math.pow(Math.max(count, 1) / total, -tau));
}

/** `probabilities` (rows of `classes`) multiplied by `factors` and renormalised, as new rows. */
export function adjustProbabilities(probabilities: Float32Array, classes: number, factors: Float32Array): Float32Array {
  const out = new Float32Array(probabilities.length);
  for (let start = 0; start < probabilities.length; start += classes) {
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += out[start + c] = probabilities[start + c]! * factors[c]!;
    if (sum > 0) for (let c = 0; c < classes; c++) out[start + c]! /= sum;
  }
  return out;
}

/** Adjustment, then temperature: what Predict does to a folder's combined probabilities. */
export function correctProbabilities(
  probabilities: Float32Array,
  classes: number,
  correction: ProbabilityCorrection,
): Float32Array {
  const adjusted = correction.adjustment
    ? adjustProbabilities(probabilities, classes, correction.adjustment)
    : probabilities;
  return correction.temperature === 1 ? adjusted : temperatureScale(adjusted, classes, correction.temperature);
}
