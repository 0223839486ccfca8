/**
 * After training: write the model folder's probability correction (calibration.json),
 * as Predict loads the folder (ensemble members combined). The logit adjustment comes
 * from the training images' class counts; the temperature is fitted on the validation
 * split after it. The validation metrics are measured with both, so the confidence bins
 * Predict quotes for a threshold are the corrected ones.
 */
import type { Dataset } from '../data/dataset.js';
import {
  adjustmentFactors,
  correctProbabilities,
  fitTemperature,
  MIN_CALIBRATION_IMAGES,
  writeCalibration,
  type Calibration,
} from '../inference/calibration.js';
import { evaluatePredictions, type Evaluation } from '../inference/metrics.js';
import { labelledProbabilities, loadClassifier } from '../inference/predict.js';

/** Training images per class, in the dataset's class order. */
function trainingCounts(dataset: Dataset): number[] {
  const counts = new Array<number>(dataset.classes.length).fill(0);
  for (const sample of dataset.train) counts[sample.label]!++;
  return counts;
}

/**
 * Returns null when there is nothing to write (no adjustment and too few validation
 * images to fit a temperature); `evaluation` is null when no temperature was fitted.
 */
export async function calibrateModelFolder(
  modelDir: string,
  dataset: Dataset,
  signal: AbortSignal,
  logitAdjustment: number,
): Promise<{ calibration: Calibration; evaluation: Evaluation | null } | null> {
  const counts = trainingCounts(dataset);
  const adjustment = adjustmentFactors(counts, logitAdjustment);
  const withAdjustment = adjustment ? { logitAdjustment: { tau: logitAdjustment, trainingCounts: counts } } : {};
  const uncalibrated: Calibration = { temperature: 1, fittedOn: 0, nllBefore: 0, nllAfter: 0, ...withAdjustment };
  if (dataset.validation.length < MIN_CALIBRATION_IMAGES) {
    if (!adjustment) return null;
    await writeCalibration(modelDir, uncalibrated);
    return { calibration: uncalibrated, evaluation: null };
  }
  const classifier = await loadClassifier(modelDir);
  try {
    // Fitted on the model's own probabilities with the adjustment applied, not on a previous fit's.
    classifier.correction = { adjustment, temperature: 1 };
    const images = dataset.validation.map((sample) => ({
      id: sample.id,
      source: sample.source,
      label: dataset.classes[sample.label]!,
    }));
    const { probabilities, labels } = await labelledProbabilities(classifier, images, { signal, batchSize: 32 });
    if (labels.length < MIN_CALIBRATION_IMAGES) {
      if (!adjustment) return null;
      await writeCalibration(modelDir, uncalibrated);
      return { calibration: uncalibrated, evaluation: null };
    }
    const calibration = { ...fitTemperature(probabilities, labels, classifier.labels.length), ...withAdjustment };
    await writeCalibration(modelDir, calibration);
    const corrected = correctProbabilities(probabilities, classifier.labels.length, {
      adjustment: null, // already in `probabilities`
      temperature: calibration.temperature,
    });
    return { calibration, evaluation: evaluatePredictions(corrected, labels, classifier.labels) };
  } finally {
    classifier.dispose();
  }
}
