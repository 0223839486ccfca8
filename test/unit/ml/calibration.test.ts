/**
 * The expected calibration error says whether "80 % sure" means right 80 % of the time:
 * near zero for a calibrated model, large for an over-confident one.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import {
  adjustmentFactors,
  adjustProbabilities,
  fitTemperature,
  temperatureScale,
} from '../../../src-main/ml/inference/calibration.js';
import { evaluatePredictions } from '../../../src-main/ml/inference/metrics.js';
import { loadClassifier } from '../../../src-main/ml/inference/predict.js';
import { trainClassifier } from '../../../src-main/ml/training/train.js';
import { shapeDataset, useWasm } from './fixtures.js';
import { confidenceBin, expectedCalibrationError } from '../../../src-shared/api/wire-evaluation.js';

before(async () => {
  await useWasm();
});

/** Trains on `dataset` in a temporary run folder removed after the test. */
async function trainInTemp(
  t: { after: (fn: () => void) => void },
  dataset: Parameters<typeof trainClassifier>[0]['dataset'],
  options: Parameters<typeof trainClassifier>[0]['options'],
) {
  const runDir = mkdtempSync(join(tmpdir(), 'seshat-calibrate-'));
  t.after(() => rmSync(runDir, { recursive: true, force: true }));
  return trainClassifier({ dataset, options, runDir }, { signal: new AbortController().signal, onProgress: () => {} });
}

/** n two-class predictions at `confidence`, of which `right` are right. */
function predictions(n: number, confidence: number, right: number) {
  const probabilities = new Float32Array(n * 2);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    probabilities[i * 2] = confidence;
    probabilities[i * 2 + 1] = 1 - confidence;
    labels.push(i < right ? 0 : 1);
  }
  return evaluatePredictions(probabilities, labels, ['a', 'b'], 1).confidenceBins!;
}

test('a calibrated model has an expected calibration error near zero', () => {
  assert.ok(expectedCalibrationError(predictions(100, 0.805, 80)) < 0.01);
});

test('an over-confident model (99 % sure, right 60 % of the time) has a large one', () => {
  const ece = expectedCalibrationError(predictions(100, 0.99, 60));
  assert.ok(Math.abs(ece - 0.395) < 0.01, String(ece));
});

test('a calibrated model scored on a few thousand crops is not called miscalibrated by the estimator itself', () => {
  // Confidences skewed toward 1 as a trained model's are, each right with exactly its
  // probability. With 100 one-percent bins each holding a handful of predictions, the
  // binomial noise alone read as an ECE of 0.03–0.09; 15 bins (Guo et al. 2017) do not.
  let state = 7;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296;
  const bins = { total: new Array(100).fill(0), correct: new Array(100).fill(0) };
  for (let i = 0; i < 2000; i++) {
    const confidence = 0.4 + 0.6 * Math.pow(random(), 0.25);
    const bin = confidenceBin(confidence);
    bins.total[bin]++;
    if (random() < confidence) bins.correct[bin]++;
  }
  const ece = expectedCalibrationError(bins);
  assert.ok(ece < 0.025, `ECE ${ece}`);
});

test('no predictions: zero, not NaN', () => {
  assert.equal(expectedCalibrationError({ total: new Array(100).fill(0), correct: new Array(100).fill(0) }), 0);
});

/** 1000 five-class predictions, 95 % sure of their top class, right 70 % of the time. */
function overConfident() {
  const n = 1000;
  const classes = 5;
  const probabilities = new Float32Array(n * classes);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const predicted = i % classes;
    for (let c = 0; c < classes; c++) probabilities[i * classes + c] = c === predicted ? 0.95 : 0.0125;
    labels.push(i % 10 < 7 ? predicted : (predicted + 1) % classes);
  }
  return { probabilities, labels, classes };
}

test('temperature scaling lowers the ECE and NLL of an over-confident model, and keeps its ranking', () => {
  const { probabilities, labels, classes } = overConfident();
  const before = evaluatePredictions(probabilities, labels, ['a', 'b', 'c', 'd', 'e'], 1);
  const calibration = fitTemperature(probabilities, labels, classes);
  assert.ok(calibration.temperature > 1, `softened: T = ${calibration.temperature}`);
  assert.ok(calibration.nllAfter < calibration.nllBefore);
  const scaled = temperatureScale(probabilities, classes, calibration.temperature);
  const after = evaluatePredictions(scaled, labels, ['a', 'b', 'c', 'd', 'e'], 1);
  assert.equal(after.accuracy, before.accuracy, 'the same top class for every image');
  const eceBefore = expectedCalibrationError(before.confidenceBins!);
  const eceAfter = expectedCalibrationError(after.confidenceBins!);
  assert.ok(eceBefore > 0.2 && eceAfter < 0.03, `ECE ${eceBefore} → ${eceAfter}`);
  // Each row still sums to one.
  for (let i = 0; i < 5; i++) {
    const sum = scaled.subarray(i * classes, (i + 1) * classes).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5);
  }
});

test('a temperature of 1 leaves probabilities as they are', () => {
  const { probabilities, classes } = overConfident();
  assert.deepEqual(temperatureScale(probabilities, classes, 1), probabilities);
});

test('training fits a temperature on the validation split, and Predict loads the folder with it', async (t) => {
  const dataset = shapeDataset(12, 24, 16);
  const result = await trainInTemp(t, dataset, { preset: 'small-cnn', epochs: 2, seed: 3 });
  assert.ok(result.calibration, 'fitted');
  assert.equal(result.calibration.fittedOn, dataset.validation.length);
  assert.ok(existsSync(join(result.modelDir!, 'calibration.json')));
  const classifier = await loadClassifier(result.modelDir!);
  assert.equal(classifier.correction.temperature, result.calibration.temperature);
  classifier.dispose();
});

test('logit adjustment moves a close call toward the class seen less often, and keeps rows summing to 1', () => {
  // Two classes seen 90 and 10 times; the model is 60 % sure of the common one.
  const factors = adjustmentFactors([90, 10], 1)!;
  const adjusted = adjustProbabilities(Float32Array.from([0.6, 0.4]), 2, factors);
  assert.ok(adjusted[1]! > adjusted[0]!, `rare class now first: ${Array.from(adjusted).join()}`);
  assert.ok(Math.abs(adjusted[0]! + adjusted[1]! - 1) < 1e-6);
  assert.ok(Math.abs(adjusted[1]! - 0.4 / 0.1 / (0.6 / 0.9 + 0.4 / 0.1)) < 1e-6);
  // A sure call stays: 0.99 for the common class.
  const sure = adjustProbabilities(Float32Array.from([0.99, 0.01]), 2, factors);
  assert.ok(sure[0]! > sure[1]!);
  assert.equal(adjustmentFactors([90, 10], 0), null);
});

test('training writes its class counts into calibration.json, and Predict applies them', async (t) => {
  // Class 0 kept whole, the others thinned: the counts differ, so the factors do.
  const dataset = shapeDataset(10, 24, 16);
  dataset.train = dataset.train.filter((sample, i) => sample.label === 0 || i % 3 === 0);
  const counts = dataset.classes.map((_, c) => dataset.train.filter((s) => s.label === c).length);
  const result = await trainInTemp(t, dataset, { preset: 'small-cnn', epochs: 1, seed: 3 });
  assert.deepEqual(result.calibration?.logitAdjustment, { tau: 0.75, trainingCounts: counts });
  const stored = JSON.parse(readFileSync(join(result.modelDir!, 'calibration.json'), 'utf8'));
  assert.deepEqual(stored.logitAdjustment.trainingCounts, counts);
  const classifier = await loadClassifier(result.modelDir!);
  assert.deepEqual(Array.from(classifier.correction.adjustment!), Array.from(adjustmentFactors(counts, 0.75)!));
  classifier.dispose();

  // With balanced class weights the default is no adjustment (it would correct twice).
  const balancedDir = mkdtempSync(join(tmpdir(), 'seshat-adjust-'));
  t.after(() => rmSync(balancedDir, { recursive: true, force: true }));
  const balanced = await trainClassifier(
    { dataset, options: { preset: 'small-cnn', epochs: 1, seed: 3, classWeights: 'balanced' }, runDir: balancedDir },
    { signal: new AbortController().signal, onProgress: () => {} },
  );
  assert.equal(balanced.calibration?.logitAdjustment, undefined);
  assert.equal(balanced.options.logitAdjustment, 0);
});

test('a calibration.json whose class counts do not match the labels is refused, naming the file', async (t) => {
  const dataset = shapeDataset(8, 16, 16);
  const result = await trainInTemp(t, dataset, { preset: 'small-cnn', epochs: 1, seed: 3 });
  const file = join(result.modelDir!, 'calibration.json');
  const stored = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...stored, logitAdjustment: { tau: 1, trainingCounts: [3] } }));
  await assert.rejects(loadClassifier(result.modelDir!), (error: Error) => {
    assert.match(error.message, /calibration\.json/);
    assert.match(error.message, /one whole number/);
    return true;
  });
});
