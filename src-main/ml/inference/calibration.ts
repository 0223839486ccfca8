/**
 * Temperature scaling: one number T, fitted on the validation split after training, by
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

/** The folder's temperature: 1 for a model without calibration.json (older ones, imported ones). */
export async function readTemperature(modelDir: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(join(modelDir, CALIBRATION_FILE), 'utf8');
  } catch {
    return 1;
  }
  // model-check has refused a calibration.json without a usable temperature.
  return (JSON.parse(text) as Calibration).temperature;
}
