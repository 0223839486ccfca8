/**
 * The folder IO handler, exported model folders, prediction and metrics.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { folderIO, loadModelFromFolder, saveModelToFolder } from '../../../src-main/ml/model-io.js';
import { buildCnnPlus, buildSmallCnn } from '../../../src-main/ml/models/presets.js';
import { exportModel } from '../../../src-main/ml/models/model-folder.js';
import { evaluatePredictions } from '../../../src-main/ml/inference/metrics.js';
import { evaluateClassifier, loadClassifier, predictImages, topK } from '../../../src-main/ml/inference/predict.js';
import { SHAPE_CLASSES, shapeSamples, tempDir, useWasm } from './fixtures.js';

before(async () => {
  await useWasm();
});

describe('folderIO', () => {
  test('save → load gives a model with identical predictions', async () => {
    const dir = await tempDir('io');
    for (const build of [buildSmallCnn, buildCnnPlus]) {
      const model = build({ width: 12, height: 10, channels: 3 }, 4, 5);
      const x = tf.randomUniform([3, 10, 12, 3], 0, 1, 'float32', 9);
      const expected = (model.predict(x) as tf.Tensor).dataSync();
      await saveModelToFolder(model, join(dir, build.name), { note: 'hi' });
      const loaded = await loadModelFromFolder(join(dir, build.name));
      const actual = (loaded.predict(x) as tf.Tensor).dataSync();
      assert.deepEqual(Array.from(actual), Array.from(expected), build.name);
      const json = JSON.parse(await readFile(join(dir, build.name, 'model.json'), 'utf8'));
      assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
      assert.equal(json.format, 'layers-model');
      assert.deepEqual(json.userDefinedMetadata, { note: 'hi' });
      tf.dispose([x]);
      model.dispose();
      loaded.dispose();
    }
    await rm(dir, { recursive: true, force: true });
  });

  test('loading a missing folder fails', async () => {
    await assert.rejects(tf.loadLayersModel(folderIO('/nonexistent/model')));
  });
});

describe('exported classifier', () => {
  test('loads with labels and preprocessing, predicts top-k and evaluates', async () => {
    const dir = await tempDir('export');
    const model = buildSmallCnn({ width: 16, height: 16, channels: 3 }, 3, 1);
    await exportModel(model, dir, {
      labels: SHAPE_CLASSES,
      preprocessing: {
        preset: 'small-cnn',
        input: { width: 16, height: 16, channels: 3 },
        scale: 1 / 255,
        offset: 0,
        resize: 'stretch',
        background: '#ffffff',
        autoOrient: true,
      },
    });
    model.dispose();
    const classifier = await loadClassifier(dir);
    assert.deepEqual(classifier.labels, SHAPE_CLASSES);
    const images = shapeSamples(5, 16, 3);
    const predictions = await predictImages(
      classifier,
      [...images, { id: 'bad', source: { kind: 'file', path: '/nonexistent.png' } }],
      { topK: 2 },
    );
    assert.equal(predictions.length, 6);
    for (const prediction of predictions.slice(0, 5)) {
      assert.ok('top' in prediction);
      assert.equal(prediction.top.length, 2);
      assert.ok(prediction.top[0]!.probability >= prediction.top[1]!.probability);
    }
    assert.ok('error' in predictions[5]!);
    // In batches of 2 (the next batch decodes while one is inferred): the same answers, in
    // order, the unreadable image's error on that image alone.
    const mixed = [
      images[0]!,
      images[1]!,
      { id: 'bad', source: { kind: 'file' as const, path: '/nonexistent.png' } },
      ...images.slice(2),
    ];
    const batched = await predictImages(classifier, mixed, { topK: 2, batchSize: 2 });
    const whole = await predictImages(classifier, mixed, { topK: 2 });
    assert.deepEqual(
      batched.map((prediction) => prediction.id),
      mixed.map((image) => image.id),
    );
    assert.deepEqual(
      batched.map((prediction) => 'error' in prediction),
      [false, false, true, false, false, false],
    );
    batched.forEach((prediction, i) => {
      if ('top' in prediction && 'top' in whole[i]!)
        assert.ok(Math.abs(prediction.top[0]!.probability - whole[i]!.top[0]!.probability) < 1e-5, prediction.id);
    });
    const report = await evaluateClassifier(
      classifier,
      [
        ...images.map((s) => ({ id: s.id, source: s.source, label: SHAPE_CLASSES[s.label]! })),
        { id: 'x', source: images[0]!.source, label: 'triangle' },
      ],
      { topK: 2 },
    );
    assert.equal(report.count, 5);
    assert.deepEqual(report.unknownLabels, ['triangle']);
    assert.equal(
      report.confusion.flat().reduce((a, b) => a + b, 0),
      5,
    );
    classifier.dispose();
    await rm(dir, { recursive: true, force: true });
  });
});

describe('metrics', () => {
  test('accuracy, top-k, macro-F1 and confusion from probabilities', () => {
    const probabilities = Float32Array.from([
      0.7,
      0.2,
      0.1, // true 0, predicted 0
      0.6,
      0.3,
      0.1, // true 1, predicted 0 (second guess right)
      0.1,
      0.1,
      0.8, // true 2, predicted 2
      0.2,
      0.7,
      0.1, // true 1, predicted 1
    ]);
    const evaluation = evaluatePredictions(probabilities, [0, 1, 2, 1], ['a', 'b', 'c'], 2);
    assert.equal(evaluation.accuracy, 0.75);
    assert.deepEqual(evaluation.topK, { k: 2, accuracy: 1 });
    assert.deepEqual(evaluation.confusion, [
      [1, 0, 0],
      [1, 1, 0],
      [0, 0, 1],
    ]);
    // F1: a = 2/3, b = 2/3, c = 1
    assert.ok(Math.abs(evaluation.macroF1 - (2 / 3 + 2 / 3 + 1) / 3) < 1e-9);
    assert.ok(Math.abs(evaluation.loss - -(Math.log(0.7) + Math.log(0.3) + Math.log(0.8) + Math.log(0.7)) / 4) < 1e-6);
  });

  test('topK orders by probability', () => {
    assert.deepEqual(
      topK([0.1, 0.5, 0.4], ['a', 'b', 'c'], 2).map((e) => e.label),
      ['b', 'c'],
    );
  });
});
