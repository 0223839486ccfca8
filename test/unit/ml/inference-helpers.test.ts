/**
 * Prediction on every core (inference-helpers.ts): a batch split between this thread
 * and a helper gives this thread's probabilities, in order, and follows the weights
 * this thread has now (adapted statistics included).
 */
process.env.SESHAT_INFERENCE_THREADS = '2';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { inferenceRunner } from '../../../src-main/ml/inference/inference-graph.js';
import {
  predictShared,
  rowsPredictedByHelpers,
  stopInferenceHelpers,
  warmInferenceHelpers,
  type HelpedMember,
} from '../../../src-main/ml/inference/inference-helpers.js';
import { predictMember, type ClassifierMember } from '../../../src-main/ml/inference/predict.js';
import { useWasm } from './fixtures.js';

before(useWasm);
after(stopInferenceHelpers);

const INPUT = { width: 12, height: 10, channels: 3 } as const;

function smallModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [10, 12, 3], filters: 6, kernelSize: 3, useBias: false, seed: 1 } as never));
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.reLU());
  model.add(tf.layers.flatten());
  model.add(
    tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
  );
  return model;
}

function memberOf(model: tf.LayersModel): ClassifierMember & HelpedMember {
  return {
    model,
    graph: inferenceRunner(model),
    preprocessing: { input: INPUT, scale: 1, offset: 0 } as ClassifierMember['preprocessing'],
    weight: 1,
  };
}

function inputs(count: number, seed: number): Float32Array {
  return tf.tidy(() => tf.randomUniform([count * 10 * 12 * 3], -1, 1, 'float32', seed).dataSync() as Float32Array);
}

/** Shares batches until the helper has taken part in one (it starts and loads the model first). */
async function predictUntilHelped(member: HelpedMember, x: Float32Array, count: number): Promise<Float32Array> {
  const before = rowsPredictedByHelpers();
  for (let attempt = 0; attempt < 400; attempt++) {
    const out = await predictShared(member, x, count, (part, rows) =>
      predictMember(member as ClassifierMember, part, rows),
    );
    if (rowsPredictedByHelpers() > before) return out;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the helper never took a share');
}

function assertClose(actual: Float32Array, expected: Float32Array): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++)
    assert.ok(Math.abs(actual[i]! - expected[i]!) < 1e-5, `value ${i}: ${actual[i]} vs ${expected[i]}`);
}

test('a batch shared with a helper gives this thread’s probabilities, row for row', async () => {
  const member = memberOf(smallModel());
  const x = inputs(9, 3);
  const alone = await predictMember(member, x.slice(), 9);
  const shared = await predictUntilHelped(member, x, 9);
  assertClose(shared, alone);
  // Rows differ from one another, so a share put back in the wrong place would show.
  assert.notDeepEqual([...alone.subarray(0, 4)], [...alone.subarray(32, 36)]);
});

test('the helper follows weights changed here (a new graph), not the copy it had', async () => {
  const model = smallModel();
  const member = memberOf(model);
  const x = inputs(8, 4);
  await predictUntilHelped(member, x, 8);
  // What adaptation does: new batch-norm statistics, then a new graph.
  const bn = model.layers[1]!;
  const changed = bn
    .getWeights()
    .map((w, k) => (k === 2 ? tf.fill(w.shape, 0.7) : k === 3 ? tf.fill(w.shape, 3) : w.clone()));
  bn.setWeights(changed);
  changed.forEach((w) => w.dispose());
  member.graph.dispose();
  member.graph = inferenceRunner(model);
  const alone = await predictMember(member, x.slice(), 8);
  const shared = await predictUntilHelped(member, x, 8);
  assertClose(shared, alone);
});

test('sharing leaks no tensors on this thread', async () => {
  const member = memberOf(smallModel());
  const x = inputs(6, 5);
  await predictUntilHelped(member, x, 6);
  const tensors = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) await predictShared(member, x, 6, (part, rows) => predictMember(member, part, rows));
  assert.equal(tf.memory().numTensors, tensors);
});

test('a process that started a helper still exits by itself', { timeout: 120_000 }, async () => {
  const { execFile } = await import('node:child_process');
  const script = `
    import * as tf from '@tensorflow/tfjs';
    import '@tensorflow/tfjs-backend-wasm';
    import { inferenceRunner } from ${JSON.stringify(new URL('../../../src-main/ml/inference/inference-graph.ts', import.meta.url).href)};
    import { predictShared } from ${JSON.stringify(new URL('../../../src-main/ml/inference/inference-helpers.ts', import.meta.url).href)};
    await tf.setBackend('wasm');
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, activation: 'softmax' })] });
    const member = { model, graph: inferenceRunner(model), preprocessing: { input: { width: 1, height: 1, channels: 3 } } };
    const here = async (x, rows) => tf.tidy(() => member.graph.predict(tf.tensor4d(x, [rows, 1, 1, 3]))).data();
    // The first shared batch starts a helper, which then never gets a share: the CLI's case.
    await predictShared(member, new Float32Array(12), 4, here);
    console.log('predicted');
  `;
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { env: { ...process.env, SESHAT_INFERENCE_THREADS: '2' }, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
  assert.match(output, /predicted/);
});

test('a classifier disposed before the helper started does not stop the helper for the next one', async () => {
  await stopInferenceHelpers();
  const once = memberOf(smallModel());
  // What an adapted "classify folder" on a few crops does: its copy is gone before a new helper is up.
  warmInferenceHelpers([once]);
  once.graph.dispose();
  once.model.dispose();
  const member = memberOf(smallModel());
  const x = inputs(6, 8);
  const alone = await predictMember(member, x.slice(), 6);
  assertClose(await predictUntilHelped(member, x, 6), alone);
});
