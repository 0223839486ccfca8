/**
 * compileInference: a folded model must give the layers model's outputs, free what
 * it holds, and decline models it does not understand.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { compileInference } from '../../../src-main/ml/inference/inference-graph.js';
import { loadMobilenetBackbone } from '../../../src-main/ml/models/mobilenet.js';
import { buildCnnPlus, buildSmallCnn } from '../../../src-main/ml/models/presets.js';
import { useWasm } from './fixtures.js';

before(async () => {
  await useWasm();
});

/** Gives every batch-norm layer statistics far from the identity, so folding matters. */
function scrambleBatchNorms(model: tf.LayersModel, seed: number): void {
  const layers = model.layers.flatMap((layer) => (layer instanceof tf.LayersModel ? layer.layers : [layer]));
  layers.forEach((layer, i) => {
    if (layer.getClassName() !== 'BatchNormalization') return;
    const values = layer.getWeights().map((w, k) =>
      // gamma, beta, moving mean: around 0; moving variance: positive.
      k === 3
        ? tf.randomUniform(w.shape, 0.2, 3, 'float32', seed + i)
        : tf.randomNormal(w.shape, 0, 1, 'float32', seed + i + k),
    );
    layer.setWeights(values);
    values.forEach((v) => v.dispose());
  });
}

function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** Compiles `model`, checks it against `model.predict` on `x`, and checks nothing leaks. */
function assertSameOutputs(model: tf.LayersModel, x: tf.Tensor, tolerance = 1e-4): number {
  const start = tf.memory().numTensors;
  const compiled = compileInference(model);
  assert.ok(compiled.graph, `compiled (${compiled.graph ? '' : compiled.reason})`);
  const expected = model.predict(x) as tf.Tensor;
  const actual = compiled.graph.predict(x);
  assert.deepEqual(actual.shape, expected.shape);
  const difference = maxDifference(actual, expected);
  assert.ok(difference < tolerance, `max difference ${difference}`);
  expected.dispose();
  actual.dispose();
  const ops = compiled.graph.opCount;
  compiled.graph.dispose();
  assert.equal(tf.memory().numTensors, start, 'graph freed its folded weights and intermediates');
  return ops;
}

describe('inference graph', () => {
  test('CNN+ folds its batch norms and ReLUs into the convolutions', () => {
    const model = buildCnnPlus({ width: 20, height: 30, channels: 1 }, 7, 3);
    scrambleBatchNorms(model, 11);
    const x = tf.randomUniform([5, 30, 20, 1], 0, 1, 'float32', 4);
    const ops = assertSameOutputs(model, x);
    // 4 conv, 4 pool, flatten, dense, softmax: no batch norm or activation op is left.
    assert.equal(ops, 11, `ops after folding (layers: ${model.layers.length})`);
    x.dispose();
    model.dispose();
  });

  test('the Small CNN (activations inside its layers) gives the same outputs', () => {
    const model = buildSmallCnn({ width: 24, height: 16, channels: 3 }, 4, 1);
    const x = tf.randomUniform([3, 16, 24, 3], 0, 1, 'float32', 2);
    assertSameOutputs(model, x);
    x.dispose();
    model.dispose();
  });

  test('padding, depthwise blocks, residuals and nested models (the MobileNetV2 shapes)', () => {
    const input = tf.input({ shape: [17, 17, 4] });
    const padded = tf.layers
      .zeroPadding2d({
        padding: [
          [0, 1],
          [0, 1],
        ],
      })
      .apply(input) as tf.SymbolicTensor;
    const conv = tf.layers
      .conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'valid', useBias: false })
      .apply(padded) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization({ epsilon: 1e-3 }).apply(conv) as tf.SymbolicTensor;
    const relu = tf.layers.reLU({ maxValue: 6 }).apply(bn) as tf.SymbolicTensor;
    const depthwise = tf.layers
      .depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', useBias: false })
      .apply(relu) as tf.SymbolicTensor;
    const depthwiseBn = tf.layers.batchNormalization({}).apply(depthwise) as tf.SymbolicTensor;
    const project = tf.layers
      .conv2d({ filters: 12, kernelSize: 1, useBias: true })
      .apply(depthwiseBn) as tf.SymbolicTensor;
    // This batch norm's output has two readers (a ReLU and the residual add): the ReLU
    // must not be fused into the convolution, or the add would see clipped values.
    const projectBn = tf.layers.batchNormalization({}).apply(project) as tf.SymbolicTensor;
    const clipped = tf.layers.reLU({ maxValue: 6 }).apply(projectBn) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([projectBn, clipped]) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(sum) as tf.SymbolicTensor;
    const backbone = tf.model({ inputs: input, outputs: pooled });

    const head = tf.sequential({
      layers: [
        tf.layers.dropout({ rate: 0.5, inputShape: [12] }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const image = tf.input({ shape: [17, 17, 4] });
    const classifier = tf.model({ inputs: image, outputs: head.apply(backbone.apply(image)) as tf.SymbolicTensor });
    scrambleBatchNorms(backbone, 5);

    // Big enough inputs that a wrongly fused ReLU6 would clip something.
    const x = tf.randomNormal([4, 17, 17, 4], 0, 3, 'float32', 9);
    assertSameOutputs(backbone, x);
    assertSameOutputs(classifier, x);
    x.dispose();
    classifier.dispose();
  });

  test('a model with a layer it does not know is declined, naming the layer, and nothing leaks', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }),
        tf.layers.batchNormalization({}),
        tf.layers.upSampling2d({ size: [2, 2], name: 'upsample_here' }),
      ],
    });
    const start = tf.memory().numTensors;
    const compiled = compileInference(model);
    assert.equal(compiled.graph, null);
    assert.match(compiled.graph === null ? compiled.reason : '', /upsample_here: UpSampling2D/);
    assert.equal(tf.memory().numTensors, start, 'copied weights freed');
    model.dispose();
  });

  test('a conv layer with an activation it cannot fuse or run is declined without leaking its weights', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, activation: 'elu', name: 'elu_conv' }),
      ],
    });
    const start = tf.memory().numTensors;
    const compiled = compileInference(model);
    assert.equal(compiled.graph, null);
    assert.match(compiled.graph === null ? compiled.reason : '', /activation elu/);
    assert.equal(tf.memory().numTensors, start, 'nothing copied is left behind');
    model.dispose();
  });

  test('batch norm after a dense layer folds; one after a pooling layer runs unfolded', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.maxPooling2d({ inputShape: [6, 6, 3], poolSize: 2 }),
        tf.layers.batchNormalization({}),
        tf.layers.flatten(),
        tf.layers.dense({ units: 5 }),
        tf.layers.batchNormalization({}),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    scrambleBatchNorms(model, 21);
    const x = tf.randomNormal([4, 6, 6, 3], 0, 2, 'float32', 8);
    const ops = assertSameOutputs(model, x);
    // pool, unfolded batch norm, flatten, dense (+ batch norm + ReLU), dense, softmax
    assert.equal(ops, 6);
    x.dispose();
    model.dispose();
  });

  test('the bundled MobileNetV2 backbone: same embeddings as the layers model', async () => {
    const backbone = await loadMobilenetBackbone();
    const x = tf.randomUniform([2, 224, 224, 3], -1, 1, 'float32', 3);
    const ops = assertSameOutputs(backbone, x, 1e-3);
    // 52 batch norms, 35 ReLU6s and 5 paddings are folded away: 52 convolutions, 10 adds, the pooling.
    assert.equal(ops, 63);
    x.dispose();
    backbone.dispose();
  });
});
