/**
 * GEMM tasks shared between threads on the wasm backend's shared heap: the patched
 * module really shares its memory, and a team of three threads computes exactly what
 * one thread does (every output written once, by one thread) for the convolution, its
 * filter gradient and a product whose columns do not split evenly.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { gemmTeamFor, startGemmTeam, stopGemmTeam } from '../../../src-main/ml/kernels/gemm-team.js';
import { share } from '../../../src-main/ml/kernels/gemm-tasks.js';
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

test('shares split a count into whole units, each item once', () => {
  assert.deepEqual(
    [0, 1, 2].map((part) => share(44, part, 3, 4)),
    [
      [0, 16],
      [16, 32],
      [32, 44],
    ],
  );
  assert.deepEqual(share(4, 1, 2, 8), [4, 4]);
});

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

test('three threads compute exactly what one does, and stopping the team goes back to one', async () => {
  const alone = products();
  const team = await startGemmTeam(backend, 3);
  assert.ok(team, 'the team starts on a shared heap');
  assert.equal(team.threads, 3);
  assert.equal(gemmTeamFor(backend), team);
  const shared = products();
  alone.forEach((values, i) => {
    assert.ok(values.some((v) => v !== 0));
    assert.deepEqual(shared[i], values, `output ${i} differs when shared`);
  });
  await stopGemmTeam(backend);
  assert.equal(gemmTeamFor(backend), null);
  products().forEach((values, i) => assert.deepEqual(values, alone[i]));
});
