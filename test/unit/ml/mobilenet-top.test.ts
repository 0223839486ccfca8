/**
 * Fine-tuning MobileNet's top: the cut network computes what the whole one did, the
 * lower part never moves, the top moves only when asked, and the two rates are kept.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { loadMobilenetBackbone, releaseWeights } from '../../../src-main/ml/models/mobilenet.js';
import { foldedMobilenet, splitMobilenet } from '../../../src-main/ml/models/mobilenet-top.js';
import { computeMaps } from '../../../src-main/ml/models/mobilenet-maps.js';
import { loadModelFromFolder } from '../../../src-main/ml/model-io.js';
import { loadClassifier, predictImages } from '../../../src-main/ml/inference/predict.js';
import { trainClassifier } from '../../../src-main/ml/training/train.js';
import { TwoRateOptimizer } from '../../../src-main/ml/training/two-rate-optimizer.js';
import { setLearningRate } from '../../../src-main/ml/training/optimizers.js';
import { resolveTrainOptions } from '../../../src-main/ml/training/options.js';
import { shapeDataset, tempDir, useWasm } from './fixtures.js';

before(async () => {
  await useWasm();
});

/** A layer by name anywhere in nested models. */
function findLayer(model: tf.LayersModel, name: string): tf.layers.Layer | null {
  for (const layer of model.layers) {
    if (layer.name === name) return layer;
    if (layer instanceof tf.LayersModel) {
      const found = findLayer(layer, name);
      if (found) return found;
    }
  }
  return null;
}

function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** The weights a run would start from: the bundled network, cut and folded. */
async function startingWeights(names: string[]): Promise<Map<string, tf.Tensor[]>> {
  const backbone = await loadMobilenetBackbone();
  const split = splitMobilenet(backbone);
  const found = new Map<string, tf.Tensor[]>();
  for (const name of names) {
    const layer = findLayer(split.lower, name) ?? findLayer(split.top, name);
    found.set(
      name,
      layer!.getWeights().map((w) => w.clone()),
    );
  }
  releaseWeights(split.top);
  releaseWeights(backbone);
  return found;
}

/** The weights a whole-network run would start from: the bundled network, folded. */
async function foldedStart(names: string[]): Promise<Map<string, tf.Tensor[]>> {
  const backbone = await loadMobilenetBackbone();
  const whole = foldedMobilenet(backbone);
  const found = new Map(
    names.map((name) => [
      name,
      findLayer(whole, name)!
        .getWeights()
        .map((w) => w.clone()),
    ]),
  );
  releaseWeights(whole);
  releaseWeights(backbone);
  return found;
}

describe('MobileNet cut for fine-tuning', () => {
  test('lower then top computes what the whole backbone did, and frees what it made', async () => {
    const backbone = await loadMobilenetBackbone();
    const before = tf.memory().numTensors;
    const split = splitMobilenet(backbone);
    assert.deepEqual(split.mapShape, [14, 14, 32]);
    const [whole, cut] = tf.tidy(() => {
      const x = tf.randomUniform([2, 224, 224, 3], -1, 1, 'float32', 3);
      return [backbone.predict(x) as tf.Tensor, split.top.predict(split.lower.predict(x) as tf.Tensor) as tf.Tensor];
    });
    assert.deepEqual(cut.shape, [2, 1280]);
    assert.ok(maxDifference(whole, cut) < 1e-3, `folded top differs by ${maxDifference(whole, cut)}`);
    assert.ok(
      split.top.layers.every((layer) => layer.getClassName() !== 'BatchNormalization'),
      'batch norms folded',
    );
    whole.dispose();
    cut.dispose();
    releaseWeights(split.top);
    assert.equal(tf.memory().numTensors, before, 'the top owns only its own weights');
    releaseWeights(backbone);
  });

  test('the whole network rebuilt with folded batch norms computes what the backbone did', async () => {
    const backbone = await loadMobilenetBackbone();
    const before = tf.memory().numTensors;
    const whole = foldedMobilenet(backbone);
    const [original, folded] = tf.tidy(() => {
      const x = tf.randomUniform([2, 224, 224, 3], -1, 1, 'float32', 5);
      return [backbone.predict(x) as tf.Tensor, whole.predict(x) as tf.Tensor];
    });
    assert.deepEqual(folded.shape, [2, 1280]);
    assert.ok(maxDifference(original, folded) < 1e-3, `folded network differs by ${maxDifference(original, folded)}`);
    assert.ok(
      whole.layers.every((layer) => layer.getClassName() !== 'BatchNormalization'),
      'batch norms folded',
    );
    assert.ok(
      whole.trainableWeights.some((w) => w.name.includes('Conv1')),
      'the first convolution trains too',
    );
    original.dispose();
    folded.dispose();
    releaseWeights(whole);
    assert.equal(tf.memory().numTensors, before, 'the rebuilt network owns only its own weights');
    releaseWeights(backbone);
  });

  test('computes one map per view, mirrored only when allowed', async () => {
    const backbone = await loadMobilenetBackbone();
    const split = splitMobilenet(backbone);
    const samples = shapeDataset(2, 0, 32).train;
    const mirrored = await computeMaps(split.lower, samples, { views: 2, mirror: true, seed: 1 });
    const cropped = await computeMaps(split.lower, samples, { views: 2, mirror: false, seed: 1 });
    assert.equal(mirrored.views.length, 2);
    const size = 14 * 14 * 32;
    assert.equal(mirrored.views[0]!.length, samples.length * size);
    assert.deepEqual(mirrored.views[0], cropped.views[0], 'view 0 is the image as it is');
    // The mirror of a map is the map of the mirror, up to the stride-2 grid's offset: compare column sums.
    const columnSums = (view: Float32Array) =>
      Array.from({ length: 14 }, (_, x) => {
        let sum = 0;
        for (let y = 0; y < 14; y++) for (let c = 0; c < 32; c++) sum += view[(y * 14 + x) * 32 + c]!;
        return sum;
      });
    assert.notDeepEqual(mirrored.views[1], cropped.views[1], 'a mirror where allowed, a crop where not');
    assert.ok(columnSums(mirrored.views[1]!).some((v, x) => Math.abs(v - columnSums(mirrored.views[0]!)[x]!) > 1e-3));
    releaseWeights(split.top);
    releaseWeights(backbone);
  });
});

describe('fine-tuning the top', () => {
  const lowerLayer = 'block_12_project';
  const topLayer = 'block_16_project';

  const moves = { head: 'only the head', top: 'the top and head', all: 'every layer' } as const;
  for (const fineTune of ['top', 'head', 'all'] as const) {
    test(`fineTune '${fineTune}' moves ${moves[fineTune]}`, async () => {
      const start = await startingWeights([lowerLayer, topLayer]);
      const dataset = shapeDataset(12, 6, 32);
      const runDir = await tempDir('finetune');
      const before = tf.memory().numTensors;
      const result = await trainClassifier(
        { dataset, options: { preset: 'mobilenet', fineTune, epochs: 2, learningRate: 1e-2, seed: 3 }, runDir },
        { signal: new AbortController().signal, onProgress: () => {} },
      );
      assert.equal(result.status, 'completed');
      assert.equal(result.options.fineTune, fineTune);
      assert.equal(tf.memory().numTensors, before, 'no tensors left');

      const exported = await loadModelFromFolder(result.modelDir!);
      const lower = findLayer(exported, lowerLayer)!.getWeights();
      if (fineTune === 'all') {
        assert.equal(lower.length, 2, 'kernel and folded bias');
        assert.equal(findLayer(exported, 'bn_Conv1'), null, 'batch norms folded into the trained network');
      } else {
        assert.ok(maxDifference(lower[0]!, start.get(lowerLayer)![0]!) === 0, 'the lower network is frozen');
      }
      const top = findLayer(exported, topLayer)!.getWeights();
      if (fineTune === 'all') {
        const folded = await foldedStart([lowerLayer, topLayer]);
        assert.ok(maxDifference(lower[0]!, folded.get(lowerLayer)![0]!) > 0, 'the lower network was trained');
        assert.ok(maxDifference(top[0]!, folded.get(topLayer)![0]!) > 0, 'the top was trained');
        folded.forEach((weights) => weights.forEach((w) => w.dispose()));
      } else if (fineTune === 'top') {
        assert.equal(top.length, 2, 'kernel and folded bias');
        assert.ok(maxDifference(top[0]!, start.get(topLayer)![0]!) > 0, 'the top was trained');
      } else {
        // Unfolded in the head-only export: the kernel is the bundled one, untouched.
        const bundled = await loadMobilenetBackbone();
        assert.equal(maxDifference(top[0]!, findLayer(bundled, topLayer)!.getWeights()[0]!), 0, 'the top is frozen');
        releaseWeights(bundled);
      }
      releaseWeights(exported);

      const classifier = await loadClassifier(result.modelDir!);
      const predictions = await predictImages(classifier, dataset.validation, { topK: 2 });
      assert.ok(predictions.every((p) => 'top' in p && p.top.length === 2));
      classifier.dispose();
      start.forEach((weights) => weights.forEach((w) => w.dispose()));
      await rm(runDir, { recursive: true, force: true });
    });
  }

  test('fine-tuning the top draws mirrored views by default, and never in glyph mode', () => {
    assert.deepEqual(resolveTrainOptions({ preset: 'mobilenet', fineTune: 'top' }).augment, { flip: true });
    assert.deepEqual(resolveTrainOptions({ preset: 'mobilenet', fineTune: 'top', glyphMode: true }).augment, {
      flip: false,
    });
    assert.equal(resolveTrainOptions({ preset: 'mobilenet', fineTune: 'head' }).augment, false);
    const whole = resolveTrainOptions({ preset: 'mobilenet', fineTune: 'all' });
    assert.equal((whole.augment as { flip: boolean }).flip, true);
    assert.ok((whole.augment as { shift: number }).shift > 0, 'photos are warped, not only mirrored');
    assert.equal(whole.batchSize, 16, 'what fits the wasm heap');
    const glyphs = resolveTrainOptions({
      preset: 'mobilenet',
      fineTune: 'all',
      glyphMode: true,
      augment: { flip: false },
    });
    assert.equal((glyphs.augment as { flip: boolean }).flip, false);
    assert.equal(resolveTrainOptions({ preset: 'mobilenet', fineTune: 'all', augment: false }).augment, false);
  });

  test('a conv preset refuses to fine-tune a top it does not have', async () => {
    await assert.rejects(
      trainClassifier(
        { dataset: shapeDataset(4, 2, 16), options: { preset: 'cnn-plus', fineTune: 'top' }, runDir: '/nonexistent' },
        { signal: new AbortController().signal, onProgress: () => {} },
      ),
      (error: Error & { code?: string }) => error.code === 'INVALID_INPUT' && /MobileNet preset/.test(error.message),
    );
  });
});

describe('TwoRateOptimizer', () => {
  test('pretrained variables move at the ratio, both rates follow changes, state round-trips', async () => {
    const head = tf.variable(tf.scalar(1), true, 'two_rate_head');
    const body = tf.variable(tf.scalar(1), true, 'two_rate_body');
    const optimizer = new TwoRateOptimizer(tf.train.sgd(0.1), tf.train.sgd(0.1), new Set([body.name]), 0.25, 0.1);
    const step = () => optimizer.minimize(() => tf.add(head, body) as tf.Scalar, false, [head, body]);
    step();
    assert.ok(Math.abs(head.dataSync()[0]! - 0.9) < 1e-6, 'head: full rate');
    assert.ok(Math.abs(body.dataSync()[0]! - 0.975) < 1e-6, 'pretrained: a quarter');
    setLearningRate(optimizer, 0.2);
    step();
    assert.ok(Math.abs(head.dataSync()[0]! - 0.7) < 1e-6);
    assert.ok(Math.abs(body.dataSync()[0]! - 0.925) < 1e-6);

    const adam = new TwoRateOptimizer(tf.train.adam(0.1), tf.train.adam(0.1), new Set([body.name]), 0.5, 0.1);
    adam.minimize(() => tf.add(tf.square(head), tf.square(body)) as tf.Scalar, false, [head, body]);
    const state = await adam.getWeights();
    assert.equal(state.filter((w) => !w.name.includes(':')).length, 1, 'one iteration count, first');
    assert.ok(state.some((w) => w.name.startsWith('head:')) && state.some((w) => w.name.startsWith('pretrained:')));
    const restored = new TwoRateOptimizer(tf.train.adam(0.1), tf.train.adam(0.1), new Set([body.name]), 0.5, 0.1);
    await restored.setWeights(state);
    const again = await restored.getWeights();
    assert.deepEqual(
      again.map((w) => [w.name, Array.from(w.tensor.dataSync())]),
      state.map((w) => [w.name, Array.from(w.tensor.dataSync())]),
    );
    [optimizer, adam, restored].forEach((o) => o.dispose());
    head.dispose();
    body.dispose();
  });
});
