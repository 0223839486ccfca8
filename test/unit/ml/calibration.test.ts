/**
 * The expected calibration error says whether "80 % sure" means right 80 % of the time:
 * near zero for a calibrated model, large for an over-confident one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluatePredictions } from '../../../src-main/ml/inference/metrics.js';
import { expectedCalibrationError } from '../../../src-shared/api/wire-evaluation.js';

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

test('no predictions: zero, not NaN', () => {
  assert.equal(expectedCalibrationError({ total: new Array(100).fill(0), correct: new Array(100).fill(0) }), 0);
});
