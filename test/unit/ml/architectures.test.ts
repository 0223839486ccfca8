/**
 * The `mlp` and `resnet` presets end to end on the wasm backend with Seshat's
 * training kernels: each learns a small generated task without leaking tensors,
 * resumes from its checkpoint, and exports a folder that loads and predicts what
 * the trained model did. The ResNet (a functional model, not a Sequential) also
 * gets its gradients checked against tfjs' reference cpu backend, its folded
 * inference graph against the unfolded model, and AdaBN on its branching graph.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../src-shared/errors.js';
import type { Dataset, Sample } from '../../../src-main/ml/data/dataset.js';
import { decodePixels, type PixelFormat } from '../../../src-main/ml/data/decode.js';
import { Rng } from '../../../src-main/ml/data/rng.js';
import { adaptBatchNorm } from '../../../src-main/ml/inference/adapt.js';
import { compileInference, inferenceRunner } from '../../../src-main/ml/inference/inference-graph.js';
import { evaluateClassifier, loadClassifier, predictImages } from '../../../src-main/ml/inference/predict.js';
import { loadModelFromFolder } from '../../../src-main/ml/model-io.js';
import { buildConvPreset } from '../../../src-main/ml/models/presets.js';
import { buildResnet } from '../../../src-main/ml/models/resnet.js';
import { architectureKey, resolveTrainOptions } from '../../../src-main/ml/training/options.js';
import { createGradientStep } from '../../../src-main/ml/training/step.js';
import { trainClassifier } from '../../../src-main/ml/training/train.js';
import type { TrainJob } from '../../../src-main/ml/training/types.js';
import { tempDir, useWasm } from './fixtures.js';

before(async () => {
  await useWasm();
});

const FIGURES = ['disc', 'across', 'down'];

/**
 * A size×size grey image of a large bright figure near the centre (±3 px): a disc,
 * a horizontal bar or a vertical one, on a noisy ground of random brightness. The
 * classes differ by shape and place, not colour, and the figures are big enough for
 * a network without convolutions (the fixture's small shapes anywhere are not).
 */
function figureImage(label: number, size: number, rng: Rng): Uint8Array {
  const data = new Uint8Array(size * size * 3);
  const ground = 40 + rng.int(60);
  const ink = ground + 90 + rng.int(60);
  const cx = size / 2 + rng.uniform(-3, 3);
  const cy = size / 2 + rng.uniform(-3, 3);
  const [radius, half, long] = [size * 0.3, size * 0.1, size * 0.4];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const [dx, dy] = [x - cx, y - cy];
      const inside =
        label === 0
          ? dx * dx + dy * dy <= radius * radius
          : label === 1
            ? Math.abs(dy) <= half && Math.abs(dx) <= long
            : Math.abs(dx) <= half && Math.abs(dy) <= long;
      for (let c = 0; c < 3; c++)
        data[(y * size + x) * 3 + c] = Math.min(255, Math.max(0, (inside ? ink : ground) + rng.int(31) - 15));
    }
  }
  return data;
}

function figureSamples(perClass: number, size: number, seed: number, prefix: string): Sample[] {
  const rng = new Rng(seed);
  return Array.from({ length: perClass * FIGURES.length }, (_, i) => {
    const label = i % FIGURES.length;
    const data = figureImage(label, size, rng);
    return { id: `${prefix}${i}`, label, source: { kind: 'raw', data, width: size, height: size, channels: 3 } };
  });
}

function figureDataset(trainPerClass: number, validationPerClass: number, size = 28): Dataset {
  return {
    classes: FIGURES,
    train: figureSamples(trainPerClass, size, 21, 't'),
    validation: figureSamples(validationPerClass, size, 22, 'v'),
  };
}

function job(overrides: Partial<TrainJob> = {}): TrainJob {
  return { signal: new AbortController().signal, onProgress: () => {}, ...overrides };
}

const maxAbs = (values: ArrayLike<number>) => Array.from(values).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

/** The exported folder, loaded as Predict loads it, predicts what tfjs' own unfolded run of it does. */
async function assertFolderPredicts(modelDir: string, dataset: Dataset, trainedAccuracy: number): Promise<void> {
  const classifier = await loadClassifier(modelDir);
  const model = await loadModelFromFolder(modelDir);
  try {
    assert.ok(classifier.members[0]!.graph.opCount > 0, 'runs as a compiled graph, not the fallback');
    const images = dataset.validation.map((s) => ({ id: s.id, source: s.source, label: dataset.classes[s.label]! }));
    const report = await evaluateClassifier(classifier, images);
    assert.equal(report.accuracy, trainedAccuracy, 'the folder scores what the run reported');
    const predicted = (await predictImages(classifier, images, { topK: 1 })).map((p) =>
      'top' in p ? p.top[0]!.index : -1,
    );
    const { input, scale, offset } = classifier.preprocessing;
    const pixels = await Promise.all(images.map((image) => decodePixels(image.source, input)));
    const x = Float32Array.from(pixels.flatMap((p) => Array.from(p, (v) => v * scale + offset)));
    const expected = tf.tidy(() => {
      const batch = tf.tensor4d(x, [images.length, input.height, input.width, input.channels]);
      return Array.from((model.predict(batch) as tf.Tensor).argMax(-1).dataSync());
    });
    assert.deepEqual(predicted, expected);
  } finally {
    classifier.dispose();
    model.dispose();
  }
}

describe('the mlp and resnet presets', () => {
  for (const preset of ['mlp', 'resnet'] as const) {
    test(`${preset} learns figures to ≥ 0.9 on wasm, leaks nothing, resumes, exports a working folder`, async (t) => {
      const dataset = figureDataset(32, 16);
      const runDir = await tempDir(preset);
      const epochs = 6;
      const tensorsBefore = tf.memory().numTensors;
      const perEpoch: number[] = [];
      const started = performance.now();
      const request = {
        dataset,
        options: { preset, epochs, batchSize: 16, seed: 3 },
        runDir,
        // Two threads: the helper rebuilds the model from its JSON (functional, for the ResNet).
        parallelism: 2,
      };
      const result = await trainClassifier(request, job({ onEpoch: () => perEpoch.push(tf.memory().numTensors) }));
      const seconds = (performance.now() - started) / 1000;
      const accuracy = result.evaluation?.accuracy ?? 0;
      const curve = result.history.map((e) => e.valAccuracy?.toFixed(2)).join(' ');
      t.diagnostic(
        `${preset}: validation accuracy ${accuracy.toFixed(3)} (by epoch: ${curve}), ${seconds.toFixed(1)} s`,
      );
      assert.equal(result.backend, 'wasm');
      assert.equal(result.threads, 2);
      assert.equal(result.status, 'completed');
      assert.ok(accuracy >= 0.9, `validation accuracy ${accuracy}`);
      assert.ok(seconds < 60, `${seconds} s`);
      // Model, optimizer slots and best copy: the same live tensors after every epoch, and none after the run.
      assert.equal(new Set(perEpoch).size, 1, `tensors per epoch: ${perEpoch.join(', ')}`);
      assert.equal(tf.memory().numTensors, tensorsBefore);
      await assertFolderPredicts(result.modelDir!, dataset, accuracy);

      // The checkpoint's weights, stored by position, go back into the rebuilt model: the
      // extra epoch's loss goes on from the trained one's, not from a fresh start's.
      const more = { ...request, options: { ...request.options, epochs: epochs + 1 }, resume: true };
      const resumed = await trainClassifier(more, job());
      assert.equal(resumed.resumedFromEpoch, epochs);
      assert.equal(resumed.history.length, epochs + 1);
      const [first, last] = [result.history[0]!.loss, resumed.history.at(-1)!.loss];
      assert.ok(last < first / 2, `loss after resuming ${last}, first epoch ${first}`);
      assert.equal(tf.memory().numTensors, tensorsBefore);
      await rm(runDir, { recursive: true, force: true });
    });
  }

  test('a run seed reproduces the initial weights, and another seed changes them', () => {
    const format: PixelFormat = { width: 28, height: 28, channels: 1 };
    for (const preset of ['mlp', 'resnet'] as const) {
      const [a, b, c] = [11, 11, 12].map((seed) => buildConvPreset(preset, format, 3, seed));
      const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
      assert.deepEqual(values(a!), values(b!), `${preset}: same seed`);
      assert.notDeepEqual(values(a!), values(c!), `${preset}: another seed`);
      [a, b, c].forEach((m) => m!.dispose());
    }
  });

  test('sizes: the MLP refuses inputs too large for its first layer; the ResNet pools large ones first', () => {
    const refused = (preset: 'mlp' | 'resnet', width: number, height: number) =>
      assert.throws(
        () => resolveTrainOptions({ preset, input: { width, height }, colorMode: 'rgb' }),
        (error: unknown) => error instanceof AppError && error.code === 'INVALID_INPUT',
        `${preset} at ${width}×${height}`,
      );
    refused('mlp', 300, 300);
    refused('resnet', 7, 28);
    assert.equal(resolveTrainOptions({ preset: 'resnet', input: { width: 300, height: 300 } }).preset, 'resnet');
    assert.equal(resolveTrainOptions({ preset: 'mlp', input: { width: 128, height: 128 } }).preset, 'mlp');
    const pools = (side: number) => {
      const model = buildResnet({ width: side, height: side, channels: 1 }, 3, 1);
      const count = model.layers.filter((l) => l.getClassName() === 'MaxPooling2D').length;
      model.dispose();
      return count;
    };
    assert.deepEqual([28, 64, 128, 256].map(pools), [0, 0, 1, 2]);
  });
});

describe('the ResNet through the rest of Seshat', () => {
  /** Odd sides, so the strided 'same' convolutions pad unevenly. */
  const format: PixelFormat = { width: 13, height: 11, channels: 3 };

  function randomInputs(count: number, seed: number, low = 0, high = 1): Float32Array {
    const rng = new Rng(seed);
    return Float32Array.from({ length: count * format.width * format.height * 3 }, () => rng.uniform(low, high));
  }

  test("its gradients on wasm (Seshat's kernels) are finite and match tfjs' cpu backend", async () => {
    const count = 6;
    const x = randomInputs(count, 5);
    const targets = new Float32Array(count * 3);
    for (let i = 0; i < count; i++) targets[i * 3 + (i % 3)] = 1;
    const weights = new Float32Array(count).fill(1);
    let initial: Float32Array[] = [];
    const gradients = async (backend: 'wasm' | 'cpu') => {
      await tf.setBackend(backend);
      const model = buildResnet(format, 3, 9);
      // The same starting weights on both backends, whatever each backend's initialisers do.
      if (backend === 'wasm') initial = model.getWeights().map((w) => w.dataSync() as Float32Array);
      else model.setWeights(initial.map((values, i) => tf.tensor(values, model.weights[i]!.shape as number[])));
      const step = createGradientStep(model, [format.height, format.width, 3], 3);
      const { loss, grads } = await step(x, targets, weights, count);
      const values = grads.map((g) => g.dataSync() as Float32Array);
      grads.forEach((g) => g.dispose());
      model.dispose();
      return { loss, values };
    };
    try {
      const wasm = await gradients('wasm');
      const cpu = await gradients('cpu');
      assert.ok(Math.abs(wasm.loss - cpu.loss) < 1e-4, `loss ${wasm.loss} vs ${cpu.loss}`);
      assert.equal(wasm.values.length, cpu.values.length);
      wasm.values.forEach((values, i) => {
        const reference = cpu.values[i]!;
        const scale = maxAbs(reference);
        assert.ok(values.every(Number.isFinite), `gradient ${i} is finite`);
        assert.ok(scale > 0, `gradient ${i} reaches the loss`);
        const worst = maxDifference(values, reference);
        assert.ok(worst <= 1e-4 * scale, `gradient ${i}: max difference ${worst}, scale ${scale}`);
      });
    } finally {
      await tf.setBackend('wasm');
    }
  });

  test('its batch-norm-folded inference graph gives the unfolded outputs within 1e-4', () => {
    const model = buildResnet(format, 3, 2);
    // Statistics far from the identity, so that folding them matters.
    model.layers.forEach((layer, i) => {
      if (layer.getClassName() !== 'BatchNormalization') return;
      const values = layer
        .getWeights()
        .map((w, k) =>
          k === 3 ? tf.randomUniform(w.shape, 0.2, 3, 'float32', i) : tf.randomNormal(w.shape, 0, 1, 'float32', i + k),
        );
      layer.setWeights(values);
      values.forEach((v) => v.dispose());
    });
    const tensorsBefore = tf.memory().numTensors;
    const compiled = compileInference(model);
    assert.ok(compiled.graph, `not compiled: ${'reason' in compiled ? compiled.reason : ''}`);
    const count = (name: string) => model.layers.filter((l) => l.getClassName() === name).length;
    // Each convolution with its batch norm (and ReLU) is one op; then each add and the
    // ReLU after it, the pooling, the dense layer and its softmax.
    assert.equal(compiled.graph.opCount, count('Conv2D') + 2 * count('Add') + 3);
    const x = tf.tensor4d(randomInputs(4, 8), [4, format.height, format.width, 3]);
    const folded = compiled.graph.predict(x);
    const unfolded = model.predict(x) as tf.Tensor;
    const difference = maxDifference(folded.dataSync(), unfolded.dataSync());
    assert.ok(difference <= 1e-4, `max difference ${difference}`);
    tf.dispose([x, folded, unfolded]);
    compiled.graph.dispose();
    assert.equal(tf.memory().numTensors, tensorsBefore, 'the graph frees its folded weights');
    model.dispose();
  });

  test('AdaBN re-estimates every batch norm of its branching graph, in order', async () => {
    const model = buildResnet(format, 3, 4);
    const member = { model, graph: inferenceRunner(model), preprocessing: { input: format } };
    const images = 40;
    // Brighter than anything the initial statistics describe.
    const inputs = randomInputs(images, 6, 0.5, 1.5);
    const norms = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
    assert.equal(norms.length, 9, 'stem, two per block, two projection shortcuts');
    assert.equal(await adaptBatchNorm(member, inputs, images), norms.length);
    const x = tf.tensor4d(inputs, [images, format.height, format.width, 3]);
    for (const layer of norms) {
      // Measured with the layers before it already adapted, so each moving mean is its input's mean now.
      const probe = tf.model({ inputs: model.inputs, outputs: layer.input as tf.SymbolicTensor });
      const measured = tf.tidy(() => (probe.predict(x) as tf.Tensor).mean([0, 1, 2]).dataSync());
      const movingMean = layer.getWeights()[2]!.dataSync();
      const difference = maxDifference(movingMean, measured);
      assert.ok(difference <= 1e-3 * Math.max(1, maxAbs(measured)), `${layer.name}: ${difference}`);
    }
    // The refreshed folded graph holds the new statistics.
    const folded = member.graph.predict(x);
    const unfolded = model.predict(x) as tf.Tensor;
    const difference = maxDifference(folded.dataSync(), unfolded.dataSync());
    assert.ok(difference <= 1e-4, `folded vs unfolded after adapting: ${difference}`);
    tf.dispose([x, folded, unfolded]);
    member.graph.dispose();
    model.dispose();
  });
});

test('architecture options reshape the preset they apply to, and are refused where they do not', () => {
  const format = { width: 32, height: 32, channels: 1 as const };
  const units = (model: tf.LayersModel) =>
    model.layers.filter((l) => l.getClassName() === 'Dense').map((l) => (l.getConfig() as { units: number }).units);
  const filters = (model: tf.LayersModel) =>
    model.layers
      .filter((l) => l.getClassName() === 'Conv2D')
      .map((l) => (l.getConfig() as { filters: number }).filters);
  const rates = (model: tf.LayersModel) =>
    model.layers.filter((l) => l.getClassName() === 'Dropout').map((l) => (l.getConfig() as { rate: number }).rate);
  const built: tf.LayersModel[] = [];
  const build = (...args: Parameters<typeof buildConvPreset>) => {
    const model = buildConvPreset(...args);
    built.push(model);
    return model;
  };
  try {
    const small = build('small-cnn', format, 3, 1, { convBlocks: 2, convFilters: 8, denseUnits: 64, dropout: 0.3 });
    assert.deepEqual(filters(small), [8, 16]);
    assert.deepEqual(units(small), [64, 3]);
    assert.deepEqual(rates(small), [0.3]);
    assert.deepEqual(filters(build('small-cnn', format, 3, 1)), [16, 32, 64], 'no options: the preset as it is');
    const plus = build('cnn-plus', format, 3, 1, { convBlocks: 3, denseUnits: 32, dropout: 0.25 });
    assert.deepEqual(filters(plus), [16, 32, 64]);
    assert.deepEqual(units(plus), [32, 3]);
    assert.deepEqual(rates(plus), [0.25]);
    const mlp = build('mlp', format, 3, 1, { denseUnits: 128, dropout: 0.1 });
    assert.deepEqual(units(mlp), [128, 64, 3]);
    assert.deepEqual(rates(mlp), [0.1, 0.1]);
    const resnet = build('resnet', format, 3, 1, { convBlocks: 2, convFilters: 16, dropout: 0.2 });
    assert.equal(Math.max(...filters(resnet)), 32);
    assert.deepEqual(rates(resnet), [0.2]);
  } finally {
    built.forEach((model) => model.dispose());
  }
  const resolve = (preset: 'mlp' | 'mobilenet' | 'small-cnn', architecture: object) =>
    resolveTrainOptions({ preset, input: { width: 32, height: 32 }, architecture });
  assert.throws(() => resolve('mlp', { convBlocks: 2 }), /no convolutions/);
  assert.throws(() => resolve('mobilenet', { denseUnits: 64 }), /only dropout applies/);
  assert.throws(() => resolve('small-cnn', { dropout: 0.95 }), /dropout 0.95 is out of range/);
  assert.throws(() => resolve('small-cnn', { convBlocks: 2.5 }), /whole number/);
  assert.deepEqual(resolve('small-cnn', { dropout: 0.2 }).architecture, { dropout: 0.2 });
  assert.notEqual(
    architectureKey(resolve('small-cnn', { dropout: 0.2 })),
    architectureKey(resolve('small-cnn', { dropout: 0.4 })),
    'a checkpoint of another architecture is not resumed',
  );
});
