/**
 * The training loop end to end on tiny generated images (16×16, three shapes), on
 * the wasm backend with the JS gradient kernels.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../src-shared/errors.js';
import { cosineRate } from '../../../src-main/ml/training/loop.js';
import { trainClassifier } from '../../../src-main/ml/training/train.js';
import type { EpochEvent, TrainJob, TrainRequest } from '../../../src-main/ml/training/types.js';
import { shapeDataset, tempDir, useWasm } from './fixtures.js';

function job(overrides: Partial<TrainJob> = {}): TrainJob {
  return { signal: new AbortController().signal, onProgress: () => {}, ...overrides };
}

async function request(
  options: Partial<TrainRequest['options']> = {},
  extra: Partial<TrainRequest> = {},
): Promise<TrainRequest> {
  return {
    dataset: shapeDataset(150, 60),
    options: { preset: 'small-cnn', epochs: 4, batchSize: 16, seed: 3, ...options },
    runDir: await tempDir('train'),
    ...extra,
  };
}

before(async () => {
  await useWasm();
});

describe('trainClassifier', () => {
  test('learns three shapes to ≥ 0.9 validation accuracy on wasm, without leaking tensors', async () => {
    // Two threads asked for explicitly: used as is (no timing), so the spread loop is what is tested.
    const req = await request({ epochs: 5 }, { parallelism: 2 });
    const tensorsBefore = tf.memory().numTensors;
    const perEpoch: number[] = [];
    const events: EpochEvent[] = [];
    let progressCalls = 0;
    const result = await trainClassifier(
      req,
      job({
        onProgress: () => progressCalls++,
        onEpoch: (event) => {
          events.push(event);
          perEpoch.push(tf.memory().numTensors);
        },
      }),
    );
    assert.equal(result.backend, 'wasm');
    assert.equal(result.threads, 2);
    assert.equal(result.status, 'completed');
    assert.equal(result.epochsCompleted, 5);
    assert.ok(
      result.evaluation && result.evaluation.accuracy >= 0.9,
      `validation accuracy ${result.evaluation?.accuracy}`,
    );
    assert.ok(events.at(-1)!.valAccuracy! >= 0.9);
    assert.ok(events.every((e) => e.imagesPerSecond > 0 && Number.isFinite(e.loss)));
    assert.ok(progressCalls >= 5 * 10, 'progress per batch');
    // Same live tensors after every epoch (model, optimizer slots, best copy) and none after the run.
    assert.equal(new Set(perEpoch.slice(1)).size, 1, `tensors per epoch: ${perEpoch.join(', ')}`);
    assert.equal(tf.memory().numTensors, tensorsBefore);
    assert.ok(result.modelDir && existsSync(join(result.modelDir, 'model.json')));
    assert.ok(existsSync(join(req.runDir, 'checkpoint', 'checkpoint.json')));
    await rm(req.runDir, { recursive: true, force: true });
  });

  test('a cancelled run stops cleanly and says whether a best-so-far model exists', async () => {
    const controller = new AbortController();
    const req = await request({ epochs: 10 });
    const result = await trainClassifier(
      req,
      job({ signal: controller.signal, onEpoch: (e) => e.epoch === 2 && controller.abort() }),
    );
    assert.equal(result.status, 'cancelled');
    assert.equal(result.epochsCompleted, 2);
    assert.ok(result.modelDir, 'epochs 1–2 exported a model');

    const early = new AbortController();
    const req2 = await request();
    const result2 = await trainClassifier(req2, job({ signal: early.signal, onProgress: () => early.abort() }));
    assert.equal(result2.status, 'cancelled');
    assert.equal(result2.modelDir, null);
    assert.equal(result2.epochsCompleted, 0);
    await rm(req.runDir, { recursive: true, force: true });
    await rm(req2.runDir, { recursive: true, force: true });
  });

  test('resuming from a checkpoint continues exactly where the run stopped', async () => {
    const straight = await trainClassifier(await request({ epochs: 4 }), job());
    const req = await request({ epochs: 2 });
    const firstHalf = await trainClassifier(req, job());
    assert.equal(firstHalf.epochsCompleted, 2);
    const resumed = await trainClassifier({ ...req, options: { ...req.options, epochs: 4 }, resume: true }, job());
    assert.equal(resumed.resumedFromEpoch, 2);
    assert.equal(resumed.history.length, 4);
    assert.deepEqual(
      resumed.history.slice(0, 2).map((e) => e.loss),
      firstHalf.history.map((e) => e.loss),
    );
    // Weights, Adam moments, shuffle and augmentation state all restored: same losses as one run.
    resumed.history.forEach((event, i) => {
      assert.ok(
        Math.abs(event.loss - straight.history[i]!.loss) < 1e-4,
        `epoch ${i + 1}: ${event.loss} vs ${straight.history[i]!.loss}`,
      );
      assert.ok(Math.abs(event.valLoss! - straight.history[i]!.valLoss!) < 1e-4);
    });

    const otherClasses = { ...req.dataset, classes: ['a', 'b', 'c'] };
    await assert.rejects(
      trainClassifier({ ...req, dataset: otherClasses, resume: true }, job()),
      (error: unknown) => error instanceof AppError && error.code === 'CONFLICT',
    );
    await rm(req.runDir, { recursive: true, force: true });
  });

  test('early stopping ends a run whose validation loss stops improving', async () => {
    // A learning rate this high makes the loss diverge after the first epoch.
    const req = await request({
      epochs: 20,
      optimizer: 'sgd',
      learningRate: 5,
      earlyStopping: { patience: 2, minDelta: 0 },
    });
    const result = await trainClassifier(req, job());
    assert.equal(result.status, 'early-stopped');
    assert.ok(result.epochsCompleted < 20);
    assert.equal(result.epochsCompleted - result.bestEpoch!, 2);
    await rm(req.runDir, { recursive: true, force: true });
  });

  test('the learning rate is halved after epochs without improvement', async () => {
    const req = await request({
      epochs: 4,
      optimizer: 'sgd',
      learningRate: 5,
      earlyStopping: null,
      reduceLearningRate: { patience: 1, factor: 0.5 },
    });
    const result = await trainClassifier(req, job());
    const rates = result.history.map((e) => e.learningRate);
    assert.equal(rates[0], 5);
    // Each epoch after a non-improving one runs at half the rate (until it improves again).
    for (let i = 1; i < rates.length; i++) {
      const expected = result.history[i - 1]!.improved ? rates[i - 1] : rates[i - 1]! / 2;
      assert.equal(rates[i], expected, `epoch ${i + 1}: ${rates.join(', ')}`);
    }
    assert.ok(rates.at(-1)! < 5, 'it did go down');
    await rm(req.runDir, { recursive: true, force: true });
  });

  test("a cosine schedule sets each epoch's rate from the epoch alone, also after a resume", async () => {
    const options = { epochs: 5, learningRate: 0.02, earlyStopping: null, learningRateSchedule: 'cosine' as const };
    const expected = [0, 1, 2, 3, 4].map((epoch) => cosineRate({ initial: 0.02, final: 0.0002 }, epoch, 5));
    assert.ok(
      Math.abs(expected[0]! - 0.02) < 1e-12 &&
        Math.abs(expected[2]! - 0.0101) < 1e-12 &&
        Math.abs(expected[4]! - 0.0002) < 1e-12,
      expected.join(', '),
    );
    const straight = await trainClassifier(await request(options), job());
    straight.history.forEach((event, i) =>
      assert.ok(
        Math.abs(event.learningRate - expected[i]!) < 1e-12,
        `epoch ${i + 1}: ${event.learningRate} vs ${expected[i]}`,
      ),
    );

    assert.equal(straight.options.reduceLearningRate, null, 'the plateau rule is off under cosine decay');

    // Cancelled after epoch 2, then resumed: the whole run follows one curve.
    const req = await request(options);
    const controller = new AbortController();
    const cancelled = await trainClassifier(
      req,
      job({ signal: controller.signal, onEpoch: (event) => event.epoch === 2 && controller.abort() }),
    );
    assert.equal(cancelled.status, 'cancelled');
    const resumed = await trainClassifier({ ...req, resume: true }, job());
    assert.equal(resumed.resumedFromEpoch, 2);
    assert.deepEqual(
      resumed.history.map((e) => e.learningRate),
      straight.history.map((e) => e.learningRate),
    );
    await rm(req.runDir, { recursive: true, force: true });
    await assert.rejects(
      trainClassifier(await request({ learningRateSchedule: 'step' as never }), job()),
      (error: unknown) =>
        error instanceof AppError && error.code === 'INVALID_INPUT' && error.message.includes('"step"'),
    );
  });

  test('label smoothing reaches the training targets: the loss cannot fall below their entropy', async () => {
    // Three classes, ε = 0.5: targets (2/3, 1/6, 1/6), whose entropy bounds any cross-entropy from below.
    const floor = -((2 / 3) * Math.log(2 / 3) + 2 * (1 / 6) * Math.log(1 / 6));
    const smoothed = await trainClassifier(
      await request({ epochs: 4, labelSmoothing: 0.5, earlyStopping: null }),
      job(),
    );
    smoothed.history.forEach((event) =>
      assert.ok(event.loss >= floor - 1e-3, `epoch ${event.epoch}: loss ${event.loss} < ${floor}`),
    );
    // The same run on one-hot targets goes well below it, so the bound above is not idle.
    const plain = await trainClassifier(await request({ epochs: 4, earlyStopping: null }), job());
    assert.ok(plain.history.at(-1)!.loss < floor - 0.2, `plain loss ${plain.history.at(-1)!.loss}`);
    await assert.rejects(
      trainClassifier(await request({ labelSmoothing: 0.6 }), job()),
      (error: unknown) =>
        error instanceof AppError && error.code === 'INVALID_INPUT' && error.message.includes('label smoothing'),
    );
  });

  test('cnn-plus with rmsprop, grayscale input and class weights also trains', async () => {
    const req = await request({
      preset: 'cnn-plus',
      optimizer: 'rmsprop',
      colorMode: 'grayscale',
      classWeights: 'balanced',
      epochs: 3,
      learningRate: 3e-3,
    });
    const result = await trainClassifier(req, job());
    assert.equal(result.status, 'completed');
    assert.deepEqual(result.options.input, { width: 16, height: 16 }, 'input size taken from the images');
    assert.ok(result.history.at(-1)!.accuracy > 0.6, `training accuracy ${result.history.at(-1)!.accuracy}`);
    await rm(req.runDir, { recursive: true, force: true });
  });

  test('invalid requests are INVALID_INPUT', async () => {
    const invalid = (error: unknown): boolean => error instanceof AppError && error.code === 'INVALID_INPUT';
    await assert.rejects(trainClassifier(await request({ glyphMode: true, augment: { flip: true } }), job()), invalid);
    await assert.rejects(trainClassifier(await request({ learningRate: -1 }), job()), invalid);
    const bad = await request();
    bad.dataset.train[0]!.label = 7;
    await assert.rejects(trainClassifier(bad, job()), invalid);
  });
});
