/**
 * The generated SIMD matrix kernel (gemm-kernel.ts) and the binary writer behind it
 * (wasm-emit.ts): every band and column tail, accumulation into C, row strides
 * wider than the rows, the shared dimension split into blocks, and A transposed.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src-main/ml/data/rng.js';
import {
  gemmAccumulate,
  gemmFor,
  gemmModuleBytes,
  instantiateGemm,
  type GemmKernels,
} from '../../../src-main/ml/kernels/gemm-kernel.js';
import { backendMemory } from '../../../src-main/ml/kernels/wasm/wasm-api.js';
import { allocate, f32, heapAddress, release, type BackendWasm } from '../../../src-main/ml/kernels/wasm/wasm-heap.js';
import { sleb, uleb } from '../../../src-main/ml/kernels/wasm/wasm-emit.js';
import { useWasm } from './fixtures.js';

let backend: BackendWasm;
let kernels: GemmKernels;

before(async () => {
  await useWasm();
  backend = tf.backend() as BackendWasm;
  const found = gemmFor(backend);
  assert.ok(found, 'the kernel compiles against the wasm backend memory');
  kernels = found;
});

describe('wasm-emit LEB128', () => {
  test('encodes the specification examples and the edges of i32', () => {
    assert.deepEqual(uleb(0), [0x00]);
    assert.deepEqual(uleb(127), [0x7f]);
    assert.deepEqual(uleb(128), [0x80, 0x01]);
    assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26]);
    assert.deepEqual(uleb(65536), [0x80, 0x80, 0x04]);
    assert.deepEqual(sleb(0), [0x00]);
    assert.deepEqual(sleb(63), [0x3f]);
    assert.deepEqual(sleb(64), [0xc0, 0x00]);
    assert.deepEqual(sleb(-1), [0x7f]);
    assert.deepEqual(sleb(-64), [0x40]);
    assert.deepEqual(sleb(-65), [0xbf, 0x7f]);
    assert.deepEqual(sleb(-123456), [0xc0, 0xbb, 0x78]);
    assert.deepEqual(sleb(2147483647), [0xff, 0xff, 0xff, 0xff, 0x07]);
    assert.deepEqual(sleb(-2147483648), [0x80, 0x80, 0x80, 0x80, 0x78]);
  });

  test('the generated modules are valid WebAssembly (plain and shared memory)', () => {
    assert.ok(WebAssembly.validate(gemmModuleBytes(false, false)));
    assert.ok(WebAssembly.validate(gemmModuleBytes(false, true)));
  });
});

interface Case {
  rows: number;
  cols: number;
  depth: number;
  transposedA: boolean;
  /** Extra floats at the end of each row of A, B and C (a view into a wider matrix). */
  pad: number;
}

/** Runs the kernel on random matrices in the heap; returns the worst error against a float64 reference. */
function runCase({ rows, cols, depth, transposedA, pad }: Case, seed: number): number {
  const rng = new Rng(seed);
  const aRows = transposedA ? depth : rows;
  const aCols = transposedA ? rows : depth;
  const lda = aCols + pad;
  const ldb = cols + pad;
  const ldc = cols + pad;
  const a = allocate(backend, [aRows * lda]);
  const b = allocate(backend, [depth * ldb]);
  const c = allocate(backend, [rows * ldc]);
  const av = f32(backend, a);
  const bv = f32(backend, b);
  const cv = f32(backend, c);
  for (let i = 0; i < av.length; i++) av[i] = rng.uniform(-1, 1);
  for (let i = 0; i < bv.length; i++) bv[i] = rng.uniform(-1, 1);
  for (let i = 0; i < cv.length; i++) cv[i] = rng.uniform(-1, 1); // C is accumulated into
  const before = Float32Array.from(cv);
  const aAt = (r: number, k: number): number => (transposedA ? av[k * lda + r]! : av[r * lda + k]!);
  const done = gemmAccumulate(
    kernels,
    { address: heapAddress(backend, a), rowStride: lda, transposed: transposedA },
    { address: heapAddress(backend, b), rowStride: ldb },
    { address: heapAddress(backend, c), rowStride: ldc },
    rows,
    cols,
    depth,
  );
  assert.ok(done);
  const after = f32(backend, c);
  let worst = 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < ldc; j++) {
      let expected = before[r * ldc + j]!;
      if (j < cols) for (let k = 0; k < depth; k++) expected += aAt(r, k) * bv[k * ldb + j]!;
      // Padding columns must be left alone, so they are compared too.
      worst = Math.max(worst, Math.abs(after[r * ldc + j]! - expected) / Math.sqrt(depth + 1));
    }
  }
  [a, b, c].forEach((info) => release(backend, info));
  return worst;
}

describe('gemmAccumulate', () => {
  // Rows 1–9 cover bands of four and the single-row tail; columns 4–20 cover
  // blocks of eight and the block of four.
  const grid: Case[] = [];
  for (const transposedA of [false, true]) {
    for (const rows of [1, 3, 4, 5, 9]) {
      for (const cols of [4, 8, 12, 20]) grid.push({ rows, cols, depth: 7, transposedA, pad: rows % 2 === 0 ? 0 : 3 });
    }
  }
  test('matches a float64 product for every band and column tail, A plain and transposed', () => {
    grid.forEach((c, i) => {
      const error = runCase(c, 100 + i);
      assert.ok(error < 1e-5, `${JSON.stringify(c)}: error ${error}`);
    });
  });

  test('a long shared dimension, split into blocks, accumulates every block', () => {
    // 128 KiB / (20 cols · 4 bytes) = 1,638 steps per block: 5,000 steps take four calls.
    for (const transposedA of [false, true]) {
      const error = runCase({ rows: 6, cols: 20, depth: 5000, transposedA, pad: 1 }, 7);
      assert.ok(error < 1e-5, `transposedA ${transposedA}: error ${error}`);
    }
  });

  test('columns that are not a multiple of 4 are refused, untouched', () => {
    const c = allocate(backend, [6], true);
    const refused = gemmAccumulate(
      kernels,
      { address: 0, rowStride: 1 },
      { address: 0, rowStride: 6 },
      { address: heapAddress(backend, c), rowStride: 6 },
      1,
      6,
      1,
    );
    assert.equal(refused, false);
    assert.deepEqual([...f32(backend, c)], [0, 0, 0, 0, 0, 0]);
    release(backend, c);
  });
});

describe('gemm with fused multiply-adds (relaxed SIMD, as Electron runs it)', () => {
  test('matches the plain kernel to rounding', (t) => {
    // Node 20 has relaxed SIMD behind a V8 flag; Electron's Chromium has it on.
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    if (!WebAssembly.validate(gemmModuleBytes(true, false))) {
      t.skip('this engine has no relaxed SIMD, even with the flag');
      return;
    }
    const plain = kernels;
    kernels = instantiateGemm(backendMemory(backend)!, true);
    try {
      for (const transposedA of [false, true]) {
        const error = runCase({ rows: 9, cols: 20, depth: 3000, transposedA, pad: 2 }, 3);
        assert.ok(error < 1e-5, `transposedA ${transposedA}: error ${error}`);
      }
    } finally {
      kernels = plain;
    }
  });
});
