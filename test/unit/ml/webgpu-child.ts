/**
 * One backend's half of a webgpu test, run in its own process (tfjs has one active
 * backend per process): `node --import tsx webgpu-child.ts <task> [backend]`.
 * Prints one JSON document on stdout; Dawn's driver warnings go to stderr.
 *   probe [backend]   the BackendInfo selectBackend returns (automatic without a backend)
 *   software          whether Dawn reaches a software adapter here, and which
 *   kernels <backend> every KERNEL_CASES output, flattened
 *   train <backend> <preset>  trains small-cnn or cnn-plus on a generated 8×8 task, reports accuracy
 *   sync-read         what dataSync() on a GPU-resident webgpu tensor does, and whether data() works after
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../../src-shared/api/types.js';
import { selectBackend } from '../../../src-main/ml/backend.js';
import { registerWasmTrainingKernels } from '../../../src-main/ml/kernels/index.js';
import { buildConvPreset } from '../../../src-main/ml/models/presets.js';
import { createTrainStep } from '../../../src-main/ml/training/step.js';
import { findDawnAdapter } from '../../../src-main/ml/webgpu/dawn.js';
import { KERNEL_CASES } from './webgpu-kernel-cases.js';

const [task, backendArg, presetArg] = process.argv.slice(2);
const backend = backendArg as BackendName | undefined;

async function useBackend(name: BackendName): Promise<void> {
  const info = await selectBackend(name);
  if (info.name !== name) throw new Error(`asked for ${name}, got ${info.name}`);
  if (name === 'wasm') registerWasmTrainingKernels();
}

async function kernels(): Promise<Record<string, number[][]>> {
  const out: Record<string, number[][]> = {};
  for (const [name, run] of Object.entries(KERNEL_CASES)) {
    const tensors = tf.tidy(run);
    out[name] = await Promise.all(tensors.map(async (t) => Array.from(await t.data())));
    tf.dispose(tensors);
  }
  return out;
}

/**
 * Three classes of 8×8 patterns — horizontal stripes, vertical stripes, a checkerboard —
 * at random phases with noise, from a fixed seed so both backends see the same data.
 */
function patterns(count: number, seed: number): { xs: tf.Tensor4D; ys: tf.Tensor2D; labels: number[] } {
  let state = seed;
  const rand = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
  const pixels = new Float32Array(count * 64);
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 3;
    const phase = Math.floor(rand() * 2);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const on = label === 0 ? (y + phase) % 2 : label === 1 ? (x + phase) % 2 : (x + y + phase) % 2;
        pixels[i * 64 + y * 8 + x] = Math.min(1, Math.max(0, on * 0.6 + 0.2 + (rand() - 0.5) * NOISE));
      }
    }
    labels.push(label);
  }
  return {
    xs: tf.tensor4d(pixels, [count, 8, 8, 1]),
    ys: tf.oneHot(tf.tensor1d(labels, 'int32'), 3) as tf.Tensor2D,
    labels,
  };
}

/** Enough noise that one epoch does not solve the task. */
const NOISE = 1.2;

async function train(
  preset: 'small-cnn' | 'cnn-plus',
): Promise<{ accuracy: number; firstLoss: number; lastLoss: number }> {
  const model = buildConvPreset(preset, { width: 8, height: 8, channels: 1 }, 3, 7);
  const trainSet = patterns(96, 11);
  const testSet = patterns(48, 12);
  // Seshat's own training step (the one the app runs), batches in a fixed order so both
  // backends see the same sequence.
  const step = createTrainStep(model, tf.train.adam(0.002), [8, 8, 1], 3);
  const [xs, ys] = await Promise.all([trainSet.xs.data(), trainSet.ys.data()]);
  const weights = new Float32Array(16).fill(1);
  const losses: number[] = [];
  for (let epoch = 0; epoch < 4; epoch++) {
    let sum = 0;
    for (let start = 0; start < 96; start += 16) {
      const { loss } = await step(
        xs.slice(start * 64, (start + 16) * 64) as Float32Array,
        ys.slice(start * 3, (start + 16) * 3) as Float32Array,
        weights,
        16,
      );
      sum += loss;
    }
    losses.push(sum / 6);
  }
  const predicted = tf.tidy(() => (model.predict(testSet.xs) as tf.Tensor).argMax(-1));
  const classes = Array.from(await predicted.data());
  const correct = classes.filter((value, i) => value === testSet.labels[i]).length;
  return { accuracy: correct / testSet.labels.length, firstLoss: losses[0]!, lastLoss: losses[losses.length - 1]! };
}

async function main(): Promise<unknown> {
  switch (task) {
    case 'probe':
      return selectBackend(backend);
    case 'software':
      try {
        return { found: (await findDawnAdapter({ allowSoftware: true })).summary };
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    case 'kernels':
      await useBackend(backend!);
      // The webgpu backend runs small CPU-resident inputs of some ops on the CPU; the
      // comparison is about the GPU kernels, so send everything to them.
      if (backend === 'webgpu') tf.env().set('WEBGPU_CPU_FORWARD', false);
      return kernels();
    case 'train':
      await useBackend(backend!);
      return train(presetArg === 'cnn-plus' ? 'cnn-plus' : 'small-cnn');
    case 'sync-read': {
      await useBackend('webgpu');
      const product = tf.matMul(tf.ones([64, 64]), tf.ones([64, 64]));
      let error: string | null = null;
      try {
        product.dataSync();
      } catch (caught) {
        error = caught instanceof Error ? caught.message : String(caught);
      }
      return { error, asyncValue: (await product.data())[0] };
    }
    default:
      throw new Error(`unknown task ${task}`);
  }
}

const result = await main();
process.stdout.write(`${JSON.stringify(result)}\n`);
// Dawn's instance may keep the event loop alive (it is referenced from navigator.gpu).
process.exit(0);
