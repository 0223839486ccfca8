/**
 * Comparing a wasm kernel with tfjs' reference \`cpu\` backend: same inputs, same
 * kernel name and attributes, outputs within float32 rounding, and nothing left
 * behind (tensors or heap buffers). Shared by the kernel test files.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Rng } from '../../../src-main/ml/data/rng.js';

export type Attrs = Record<string, unknown>;

/** The shape of an op's output on zero inputs (tensors freed). */
export function shapeOf(op: () => tf.Tensor): number[] {
  let shape: number[] = [];
  tf.tidy(() => {
    shape = [...op().shape];
  });
  return shape;
}

export const zeros4d = (shape: number[]): tf.Tensor4D => tf.zeros(shape as [number, number, number, number]);

export function randomArray(size: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: size }, () => rng.uniform(-1, 1));
}

/** Runs one kernel on a backend with fresh input tensors; returns values and shape. */
export async function run(
  backend: 'wasm' | 'cpu',
  kernel: string,
  inputs: Record<string, { values: Float32Array; shape: number[] }>,
  attrs: Attrs,
): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, input] of Object.entries(inputs)) tensors[name] = tf.tensor(input.values, input.shape);
  const out = tf
    .engine()
    .runKernel(kernel, tensors as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { values: out.dataSync() as Float32Array, shape: out.shape };
  out.dispose();
  Object.values(tensors).forEach((t) => t.dispose());
  return result;
}

export function assertClose(
  actual: { values: Float32Array; shape: number[] },
  expected: { values: Float32Array; shape: number[] },
  label: string,
): void {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < expected.values.length; i++) {
    worst = Math.max(worst, Math.abs(actual.values[i]! - expected.values[i]!));
    scale = Math.max(scale, Math.abs(expected.values[i]!));
  }
  assert.ok(worst <= 1e-4 * scale, `${label}: max abs difference ${worst} (scale ${scale})`);
}

/** Compares wasm with cpu, and checks the wasm call leaves no tensor or heap buffer behind. */
export async function compare(
  kernel: string,
  inputs: Record<string, number[]>,
  attrs: Attrs,
  label: string,
): Promise<void> {
  let seed = 11;
  const data = Object.fromEntries(
    Object.entries(inputs).map(([name, shape]) => [
      name,
      {
        values: randomArray(
          shape.reduce((a, b) => a * b, 1),
          seed++,
        ),
        shape,
      },
    ]),
  );
  await tf.setBackend('wasm');
  const tensorsBefore = tf.memory().numTensors;
  const idsBefore = (tf.backend() as BackendWasm).numDataIds();
  const wasm = await run('wasm', kernel, data, attrs);
  await tf.setBackend('wasm');
  assert.equal(tf.memory().numTensors, tensorsBefore, `${label}: tensors leaked`);
  assert.equal((tf.backend() as BackendWasm).numDataIds(), idsBefore, `${label}: wasm buffers leaked`);
  const cpu = await run('cpu', kernel, data, attrs);
  assertClose(wasm, cpu, label);
}
