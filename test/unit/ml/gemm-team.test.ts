/**
 * GEMM tasks shared between threads on the wasm backend's shared heap: the patched
 * module really shares its memory, and a team of three threads computes exactly what
 * one thread does (every output written once, by one thread) for the convolution, its
 * product whose columns do not split evenly; and, summed in per-thread partials to
 * float32 rounding, the filter gradient and a product with a small result over a long depth.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  Control,
  gemmTeamFor,
  startGemmTeam,
  stopGemmTeam,
  takeUnits,
} from '../../../src-main/ml/kernels/gemm-team.js';
import { productTask, taskUnits } from '../../../src-main/ml/kernels/gemm-tasks.js';
import { gemmFor } from '../../../src-main/ml/kernels/gemm-kernel.js';
import { allocate, heapAddress, release } from '../../../src-main/ml/kernels/wasm/wasm-heap.js';
import { withSharedMemory } from '../../../src-main/ml/kernels/wasm/shared-heap.js';
import { backendMemory } from '../../../src-main/ml/kernels/wasm/wasm-api.js';
import type { BackendWasm } from '../../../src-main/ml/kernels/wasm/wasm-heap.js';
import { randomArray } from './kernel-compare.js';
import { useWasm } from './fixtures.js';

let backend: BackendWasm;

before(async () => {
  await useWasm();
  backend = tf.backend() as BackendWasm;
});

after(async () => {
  await stopGemmTeam(backend);
});

test('a module declaring its own memory is given a shared one; others are left alone', () => {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const memory = [0x05, 0x03, 0x01, 0x00, 0x01]; // one memory, 1 page, no maximum
  const exportMemory = [0x07, 0x05, 0x01, 0x01, 0x6d, 0x02, 0x00]; // export "m" = memory 0
  const patched = withSharedMemory(Uint8Array.from([...header, ...memory, ...exportMemory]));
  assert.ok(patched);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(patched), {});
  const buffer: unknown = (instance.exports['m'] as WebAssembly.Memory).buffer;
  assert.ok(buffer instanceof SharedArrayBuffer);
  assert.equal(buffer.byteLength, 65536);
  assert.equal(withSharedMemory(Uint8Array.from(header)), null);
});

test('the wasm backend runs on a shared heap once the kernels are imported', () => {
  assert.ok(backendMemory(backend)?.buffer instanceof SharedArrayBuffer);
});

test('units are taken from the shared counter once each, and a late taker finds none', () => {
  const kernels = gemmFor(backend)!;
  const a = allocate(backend, [8, 16], true);
  const b = allocate(backend, [16, 64], true);
  const c = allocate(backend, [8, 64], true);
  try {
    const task = productTask({
      a: heapAddress(backend, a),
      aRowStride: 16,
      transposedA: false,
      b: heapAddress(backend, b),
      bRowStride: 64,
      c: heapAddress(backend, c),
      cRowStride: 64,
      rows: 8,
      cols: 64,
      depth: 16,
    });
    const units = taskUnits(task);
    assert.equal(units, 8); // 64 columns in groups of 8
    const control = new Int32Array(new SharedArrayBuffer(Control.Words * 4));
    control[Control.Chunk] = 3;
    control[Control.Next] = -units;
    assert.equal(takeUnits(kernels, control, task, 0), units);
    assert.equal(control[Control.Finished], units);
    assert.equal(takeUnits(kernels, control, task, 1), 0);
    assert.equal(control[Control.Finished], units);
  } finally {
    [a, b, c].forEach((info) => release(backend, info));
  }
});

/** Equal to float32 rounding of sums in another order: within 1e-5 of the largest value. */
function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  const scale = Math.max(1, ...expected.map(Math.abs));
  expected.forEach((v, j) =>
    assert.ok(Math.abs(actual[j]! - v) <= 1e-5 * scale, `${what} [${j}]: ${actual[j]} vs ${v}`),
  );
}

/** Convolution, its filter gradient and a product, on the current threads. */
function products(): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(4 * 20 * 20 * 8, 1), [4, 20, 20, 8]);
    const filter = tf.tensor4d(randomArray(3 * 3 * 8 * 16, 2), [3, 3, 8, 16]);
    const forward = (f: tf.Tensor4D) => tf.conv2d(x, f, 1, 'same');
    const y = forward(filter);
    const dW = tf.grad((f) =>
      forward(f as tf.Tensor4D)
        .square()
        .sum(),
    )(filter);
    const a = tf.tensor2d(randomArray(128 * 256, 3), [128, 256]);
    const b = tf.tensor2d(randomArray(256 * 44, 4), [256, 44]);
    return [y, dW, tf.matMul(a, b)].map((t) => t.dataSync() as Float32Array);
  });
}

/** A small C over a long depth: shared by depth, the helpers' partial sums added to C. */
function longProduct(): Float32Array {
  return tf.tidy(() => {
    const a = tf.tensor2d(randomArray(32 * 8192, 5), [32, 8192]);
    const b = tf.tensor2d(randomArray(8192 * 12, 6), [8192, 12]);
    return tf.matMul(a, b).dataSync() as Float32Array;
  });
}

test('three threads compute exactly what one does, and stopping the team goes back to one', async () => {
  const alone = products();
  const longAlone = longProduct();
  const team = await startGemmTeam(backend, 3);
  assert.ok(team, 'the team starts on a shared heap');
  assert.equal(team.threads, 3);
  assert.equal(gemmTeamFor(backend), team);
  const shared = products();
  alone.forEach((values, i) => {
    assert.ok(values.some((v) => v !== 0));
    // The filter gradient (1) sums its images in per-thread partials: another order of additions.
    if (i === 1) assertClose(shared[i]!, values, 'dW');
    else assert.deepEqual(shared[i], values, `output ${i} differs when shared`);
  });
  // Shared by depth the sums run in another order: equal to float32 rounding, not bit for bit.
  const longShared = longProduct();
  assertClose(longShared, longAlone, 'long product');
  await stopGemmTeam(backend);
  assert.equal(gemmTeamFor(backend), null);
  products().forEach((values, i) => assert.deepEqual(values, alone[i]));
});
