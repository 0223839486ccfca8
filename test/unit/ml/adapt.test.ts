/**
 * Batch-norm adaptation (AdaBN): a model reads a new wall with that wall's own
 * channel statistics. The tests build a model whose batch-norm input is the image
 * itself, so the statistics it must find are the images' own mean and variance.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { adaptBatchNorm, MIN_ADAPT_IMAGES } from '../../../src-main/ml/inference/adapt.js';
import { inferenceRunner } from '../../../src-main/ml/inference/inference-graph.js';
import { useWasm } from './fixtures.js';

before(async () => {
  await useWasm();
});

const input = { width: 4, height: 4, channels: 1 };

/** Identity 1×1 convolution → batch norm → flatten → dense: the batch norm sees the pixels. */
function model(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.inputLayer({ inputShape: [4, 4, 1] }));
  m.add(tf.layers.conv2d({ filters: 1, kernelSize: 1, useBias: false, kernelInitializer: 'ones' }));
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: 'glorotUniform' }));
  return m;
}

/** `count` images whose pixels are drawn around `mean` with spread `spread`. */
function images(count: number, mean: number, spread: number): Float32Array {
  const values = new Float32Array(count * 16);
  for (let i = 0; i < values.length; i++) values[i] = mean + spread * (i % 2 === 0 ? 1 : -1);
  return values;
}

function statistics(m: tf.LayersModel): { mean: number; variance: number } {
  const layer = m.layers.find((l) => l.getClassName() === 'BatchNormalization')!;
  const [, , mean, variance] = layer.getWeights();
  return { mean: mean!.dataSync()[0]!, variance: variance!.dataSync()[0]! };
}

test('adaptation sets the batch-norm statistics to the new images’ own', async () => {
  const m = model();
  const member = { model: m, graph: inferenceRunner(m), preprocessing: { input } };
  assert.deepEqual(statistics(m), { mean: 0, variance: 1 }); // as initialised: nothing learnt yet
  const adapted = await adaptBatchNorm(member, images(40, 5, 2), 40);
  assert.equal(adapted, 1);
  const after = statistics(m);
  assert.ok(Math.abs(after.mean - 5) < 1e-4, `mean ${after.mean}`);
  assert.ok(Math.abs(after.variance - 4) < 1e-3, `variance ${after.variance}`);
  member.graph.dispose();
  m.dispose();
});

test('the compiled graph predicts with the adapted statistics, not the folded old ones', async () => {
  const m = model();
  const member = { model: m, graph: inferenceRunner(m), preprocessing: { input } };
  const x = tf.tensor4d(images(1, 5, 2), [1, 4, 4, 1]);
  const before = member.graph.predict(x);
  await adaptBatchNorm(member, images(40, 5, 2), 40);
  const fromGraph = member.graph.predict(x);
  const fromModel = m.predict(x) as tf.Tensor;
  assert.notDeepEqual(Array.from(before.dataSync()), Array.from(fromGraph.dataSync()));
  const difference = tf.sub(fromGraph, fromModel).abs().max().dataSync()[0]!;
  assert.ok(difference < 1e-5, `graph and model differ by ${difference}`);
  tf.dispose([x, before, fromGraph, fromModel]);
  member.graph.dispose();
  m.dispose();
});

test('mix 0.5 lands halfway between the trained and the new statistics', async () => {
  const m = model();
  const member = { model: m, graph: inferenceRunner(m), preprocessing: { input } };
  await adaptBatchNorm(member, images(40, 6, 1), 40, { mix: 0.5 });
  const after = statistics(m);
  assert.ok(Math.abs(after.mean - 3) < 1e-4, `mean ${after.mean}`); // (0 + 6) / 2
  assert.ok(Math.abs(after.variance - 1) < 1e-3, `variance ${after.variance}`); // (1 + 1) / 2
  await assert.rejects(adaptBatchNorm(member, images(40, 6, 1), 40, { mix: 0 }), /mix must be in/);
  member.graph.dispose();
  m.dispose();
});

test('too few images, or a model without batch norm, leave the model as it was', async () => {
  const m = model();
  const member = { model: m, graph: inferenceRunner(m), preprocessing: { input } };
  const few = MIN_ADAPT_IMAGES - 1;
  assert.equal(await adaptBatchNorm(member, images(few, 5, 2), few), 0);
  assert.deepEqual(statistics(m), { mean: 0, variance: 1 });
  const plain = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 2 })],
  });
  const plainMember = { model: plain, graph: inferenceRunner(plain), preprocessing: { input } };
  assert.equal(await adaptBatchNorm(plainMember, images(40, 5, 2), 40), 0);
  member.graph.dispose();
  m.dispose();
  plain.dispose();
});

test('adaptation leaves no tensors behind', async () => {
  const m = model();
  const member = { model: m, graph: inferenceRunner(m), preprocessing: { input } };
  await adaptBatchNorm(member, images(40, 5, 2), 40); // first call builds the probe's weights
  const held = tf.memory().numTensors;
  await adaptBatchNorm(member, images(100, 1, 3), 100, { mix: 0.3 });
  assert.equal(tf.memory().numTensors, held);
  member.graph.dispose();
  m.dispose();
});
