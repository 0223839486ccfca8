/**
 * After training: fit the model folder's temperature on the validation split, as Predict
 * loads the folder (ensemble members combined), and measure the validation metrics
 * with it, so the confidence bins Predict quotes for a threshold are the calibrated ones.
 */
import type { Dataset } from '../data/dataset.js';
import {
  fitTemperature,
  MIN_CALIBRATION_IMAGES,
  temperatureScale,
  writeCalibration,
  type Calibration,
} from '../inference/calibration.js';
import { evaluatePredictions, type Evaluation } from '../inference/metrics.js';
import { labelledProbabilities, loadClassifier } from '../inference/predict.js';

export async function calibrateModelFolder(
  modelDir: string,
  dataset: Dataset,
  signal: AbortSignal,
): Promise<{ calibration: Calibration; evaluation: Evaluation } | null> {
  if (dataset.validation.length < MIN_CALIBRATION_IMAGES) return null;
  const classifier = await loadClassifier(modelDir);
  try {
    classifier.temperature = 1; // fitted on the model's own probabilities
    const images = dataset.validation.map((sample) => ({
      id: sample.id,
      source: sample.source,
      label: dataset.classes[sample.label]!,
    }));
    const { probabilities, labels } = await labelledProbabilities(classifier, images, { signal, batchSize: 32 });
    if (labels.length < MIN_CALIBRATION_IMAGES) return null;
    const calibration = fitTemperature(probabilities, labels, classifier.labels.length);
    await writeCalibration(modelDir, calibration);
    const scaled = temperatureScale(probabilities, classifier.labels.length, calibration.temperature);
    return { calibration, evaluation: evaluatePredictions(scaled, labels, classifier.labels) };
  } finally {
    classifier.dispose();
  }
}
