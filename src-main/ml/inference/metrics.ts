/**
 * Classification metrics from predicted and true labels: plain arithmetic, no tfjs.
 * The shapes (and the threshold arithmetic the UI reads off them) live in src-shared.
 */
import type { ClassMetrics, ConfidenceBins, Evaluation } from '../../../src-shared/api/wire-evaluation.js';
import { CONFIDENCE_BINS, confidenceBin } from '../../../src-shared/api/wire-evaluation.js';
export type { ClassMetrics, ConfidenceBins, Evaluation } from '../../../src-shared/api/wire-evaluation.js';
export { CONFIDENCE_BINS, confidenceBin, thresholdPrecision } from '../../../src-shared/api/wire-evaluation.js';

/**
 * `probabilities` holds labels.length rows of classes.length floats. Classes that
 * have neither examples nor predictions are left out of the macro average (they say
 * nothing about this split) but keep a row in `perClass`.
 */
export function evaluatePredictions(
  probabilities: Float32Array,
  labels: ArrayLike<number>,
  classes: string[],
  k = 5,
): Evaluation {
  const n = labels.length;
  const numClasses = classes.length;
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  let correct = 0;
  let topKCorrect = 0;
  let lossSum = 0;
  const confidenceBins: ConfidenceBins = {
    total: new Array<number>(CONFIDENCE_BINS).fill(0),
    correct: new Array<number>(CONFIDENCE_BINS).fill(0),
  };
  for (let i = 0; i < n; i++) {
    const row = probabilities.subarray(i * numClasses, (i + 1) * numClasses);
    const truth = labels[i]!;
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (row[c]! > row[best]!) best = c;
    confusion[truth]![best]!++;
    if (best === truth) correct++;
    const bin = confidenceBin(row[best]!);
    confidenceBins.total[bin]!++;
    if (best === truth) confidenceBins.correct[bin]!++;
    // Rank of the true class: how many classes score strictly higher.
    let higher = 0;
    for (let c = 0; c < numClasses; c++) if (row[c]! > row[truth]!) higher++;
    if (higher < k) topKCorrect++;
    lossSum += -Math.log(Math.max(row[truth]!, 1e-7));
  }
  const occurs = new Array<boolean>(numClasses).fill(false);
  const perClass: ClassMetrics[] = classes.map((label, c) => {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let t = 0; t < numClasses; t++) predicted += confusion[t]![c]!;
    occurs[c] = support > 0 || predicted > 0;
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  const counted = perClass.filter((_, c) => occurs[c]);
  return {
    count: n,
    accuracy: n > 0 ? correct / n : 0,
    topK: k < numClasses ? { k, accuracy: n > 0 ? topKCorrect / n : 0 } : null,
    macroF1: counted.length > 0 ? counted.reduce((a, m) => a + m.f1, 0) / counted.length : 0,
    loss: n > 0 ? lossSum / n : 0,
    perClass,
    confusion,
    confidenceBins,
  };
}
