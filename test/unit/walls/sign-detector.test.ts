import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../src-main/ml/backend.js';
import { decodeDetections } from '../../../src-main/ml/detector/model.js';
import {
  DETECTOR_STRIDE,
  REGRESSION_CHANNELS,
  cropTargets,
  standardise,
  type PlaneBox,
  type TrainingWall,
} from '../../../src-main/ml/detector/targets.js';
import { trainDetector } from '../../../src-main/ml/detector/train.js';
import { registerWasmTrainingKernels } from '../../../src-main/ml/kernels/index.js';
import { Rng } from '../../../src-main/ml/data/rng.js';
import { intersectionOverUnion } from '../../../src-main/walls/boxes.js';
import { suppressOverlaps } from '../../../src-main/walls/find-signs.js';

test('targets put a 1 at each sign’s centre cell with its size and offset, mirrored when flipped', () => {
  const box: PlaneBox = [8, 16, 24, 48]; // centre (16, 32) → cell (4, 8), 4 × 8 cells
  const targets = cropTargets([box], 0, 0, 64, 64, false);
  const columns = 64 / DETECTOR_STRIDE;
  const centre = 8 * columns + 4;
  assert.equal(targets.heat[centre], 1);
  assert.equal(targets.centres[centre], 1);
  assert.equal(
    targets.centres.reduce((a, b) => a + b, 0),
    1,
  );
  const [logW, logH, dx, dy] = targets.regression.subarray(centre * REGRESSION_CHANNELS, (centre + 1) * 4);
  assert.ok(Math.abs(Math.exp(logW!) - 4) < 1e-5 && Math.abs(Math.exp(logH!) - 8) < 1e-5);
  assert.deepEqual([dx, dy], [-0.5, -0.5]);
  // Around the centre the bump falls off; far away it is 0.
  assert.ok(targets.heat[centre + 1]! > 0 && targets.heat[centre + 1]! < 1);
  assert.equal(targets.heat[0], 0);
  // Mirrored: centre x 64 − 16 = 48 → cell 12.
  const flipped = cropTargets([box], 0, 0, 64, 64, true);
  assert.equal(flipped.centres[8 * columns + 12], 1);
  // A sign whose centre lies outside the crop is not a target.
  assert.equal(
    cropTargets([box], 32, 0, 64, 64, false).centres.reduce((a, b) => a + b, 0),
    0,
  );
});

test('overlapping proposals keep the strongest; separate ones all stay', () => {
  const kept = suppressOverlaps([
    { box: [0, 0, 10, 10], score: 0.5 },
    { box: [1, 1, 11, 11], score: 0.9 },
    { box: [30, 30, 40, 40], score: 0.4 },
  ]);
  assert.deepEqual(
    kept.map((k) => k.score),
    [0.9, 0.4],
  );
});

/** A generated wall plane: dark blobs (bars and discs) of sign size on a lighter, noisy ground. */
function generatedPlane(seed: number, size = 192): TrainingWall {
  const random = new Rng(seed);
  const grey = new Uint8Array(size * size).map(() => 170 + random.int(30));
  const boxes: PlaneBox[] = [];
  for (let top = 8; top + 28 < size; top += 36)
    for (let left = 8; left + 28 < size; left += 40) {
      if (random.next() < 0.25) continue;
      const w = 16 + random.int(12);
      const h = 16 + random.int(12);
      const x0 = left + random.int(6);
      const y0 = top + random.int(6);
      const disc = random.next() < 0.5;
      for (let y = y0; y < y0 + h; y++)
        for (let x = x0; x < x0 + w; x++) {
          const inside = !disc || ((x - x0 - w / 2) / (w / 2)) ** 2 + ((y - y0 - h / 2) / (h / 2)) ** 2 <= 1;
          if (inside) grey[y * size + x] = 40 + random.int(30);
        }
      boxes.push([x0, y0, x0 + w, y0 + h]);
    }
  return { plane: standardise(grey, size, size), boxes };
}

test('the detector learns to find generated signs on a wall it has not seen, leaking no tensors', async () => {
  await selectBackend('wasm');
  registerWasmTrainingKernels();
  const walls = [1, 2, 3].map((seed) => generatedPlane(seed));
  const before = tf.memory().numTensors;
  const { model } = await trainDetector(walls, {
    steps: 300,
    batchSize: 4,
    crop: 96,
    learningRate: 4e-3,
    seed: 1,
    shape: { width: 16, depth: 3 },
  });
  const weights = model.weights.length;
  assert.equal(tf.memory().numTensors - before, weights, 'only the model’s weights remain after training');
  const unseen = generatedPlane(99);
  const found = suppressOverlaps(decodeDetections(model, unseen.plane, 0.3));
  assert.equal(tf.memory().numTensors - before, weights, 'detection leaves no tensors either');
  const matched = unseen.boxes.filter((truth) => found.some(({ box }) => intersectionOverUnion(box, truth) >= 0.5));
  const recall = matched.length / unseen.boxes.length;
  const precision =
    found.filter(({ box }) => unseen.boxes.some((t) => intersectionOverUnion(box, t) >= 0.5)).length /
    Math.max(1, found.length);
  assert.ok(recall >= 0.85, `recall ${recall.toFixed(2)} of ${unseen.boxes.length} signs`);
  assert.ok(precision >= 0.85, `precision ${precision.toFixed(2)} of ${found.length} proposals`);
  model.dispose();
});

test('training stops when cancelled, and frees its model', async () => {
  await selectBackend('wasm');
  const controller = new AbortController();
  const before = tf.memory().numTensors;
  const training = trainDetector(
    [generatedPlane(5)],
    { steps: 1000, batchSize: 2, crop: 64, learningRate: 1e-3, seed: 2, shape: { width: 8, depth: 1 } },
    { signal: controller.signal, onProgress: (p) => p.done >= 10 && controller.abort() },
  );
  await assert.rejects(training, (error: Error) => error.name === 'AbortError');
  assert.equal(tf.memory().numTensors, before);
});
