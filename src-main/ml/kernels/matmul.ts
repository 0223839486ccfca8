/**
 * BatchMatMul override for the wasm backend.
 *
 * Products run in our SIMD kernel (gemm-kernel.ts) where it applies: it reads both
 * operands in place, while the backend's XNNPACK path packs its B operand on every
 * call with a new B, which is every call in training (the weights change each
 * step). The dense layer of the Small CNN went from 20.9 to 9.8 ms per forward
 * product (64 × 3456 · 3456 × 512).
 *
 * With `transposeA`/`transposeB` set, tfjs 4.22's wasm matmul takes a scalar path
 * measured 8–20× slower than transposing first — and every dense layer's backward
 * pass asks for exactly that (dx = dy·Wᵀ, dW = xᵀ·dy). Aᵀ·B goes to the kernel's
 * transposed-A variant with no copy. For A·Bᵀ = (B·Aᵀ)ᵀ, when B is the big operand
 * (a weight matrix against a small batch) we transpose A and the result instead of B.
 *
 * Invariant kept for the backend's weight cache (keyed by the id of operand `b`),
 * where the native matmul still runs: the `b` we pass is either a tensor allocated
 * for this call or the caller's own `b` used exactly as the caller asked.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { gemmFor } from './gemm-kernel.js';
import { productTask } from './gemm-tasks.js';
import { runGemmTask } from './gemm-team.js';
import { allocate, f32, heapAddress, nativeMatMul, release, type BackendWasm } from './wasm/wasm-heap.js';

/** Tile edge for the blocked transpose: 32×32 floats = 4 KiB per tile, L1-sized. */
const TILE = 32;

/** Transposes the last two axes of `src` ([batch, rows, cols]) into `dst` ([batch, cols, rows]). */
export function transposeLastTwo(
  src: Float32Array,
  dst: Float32Array,
  batch: number,
  rows: number,
  cols: number,
): void {
  const size = rows * cols;
  for (let b = 0; b < batch; b++) {
    const base = b * size;
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const r1 = Math.min(rows, r0 + TILE);
      for (let c0 = 0; c0 < cols; c0 += TILE) {
        const c1 = Math.min(cols, c0 + TILE);
        for (let r = r0; r < r1; r++) {
          const srcRow = base + r * cols;
          for (let c = c0; c < c1; c++) dst[base + c * rows + r] = src[srcRow + c]!;
        }
      }
    }
  }
}

function batchOf(shape: number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length - 2; i++) n *= shape[i]!;
  return n;
}

/** A fresh heap tensor holding `info` with its last two axes swapped. */
function transposed(backend: BackendWasm, info: TensorInfo): TensorInfo {
  const rank = info.shape.length;
  const rows = info.shape[rank - 2]!;
  const cols = info.shape[rank - 1]!;
  const outShape = [...info.shape.slice(0, -2), cols, rows];
  const out = allocate(backend, outShape);
  transposeLastTwo(f32(backend, info), f32(backend, out), batchOf(info.shape), rows, cols);
  return out;
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * a·b, or aᵀ·b with `transposeA`, by the SIMD kernel (gemm-kernel.ts), which reads
 * both operands in place and packs nothing. Null where it does not apply: the
 * kernel is unavailable, b's columns are not a multiple of 4, or the batch axes
 * would need broadcasting beyond "one side has none".
 */
function simdProduct(backend: BackendWasm, a: TensorInfo, b: TensorInfo, transposeA: boolean): TensorInfo | null {
  const kernels = gemmFor(backend);
  const rankA = a.shape.length;
  const rankB = b.shape.length;
  const cols = b.shape[rankB - 1]!;
  if (!kernels || cols % 4 !== 0 || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const batchA = batchOf(a.shape);
  const batchB = batchOf(b.shape);
  const sameBatchAxes = rankA === rankB && a.shape.slice(0, -2).every((d, i) => d === b.shape[i]);
  if (!sameBatchAxes && batchA !== 1 && batchB !== 1) return null;
  const rows = a.shape[rankA - (transposeA ? 1 : 2)]!;
  const depth = a.shape[rankA - (transposeA ? 2 : 1)]!;
  // Mismatched operands go to the native kernel, which says so; here they would be read past their end.
  if (b.shape[rankB - 2] !== depth) return null;
  const batch = Math.max(batchA, batchB);
  // The output's batch axes as tfjs broadcasts them ([m,k]·[1,k,n] is [1,m,n]).
  const batchShape = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = allocate(backend, [...batchShape, rows, cols], true);
  const aBase = heapAddress(backend, a);
  const bBase = heapAddress(backend, b);
  const outBase = heapAddress(backend, out);
  for (let i = 0; i < batch; i++) {
    const aAt = batchA === 1 ? aBase : aBase + i * rows * depth * 4;
    const bAt = batchB === 1 ? bBase : bBase + i * depth * cols * 4;
    const task = productTask({
      a: aAt,
      aRowStride: transposeA ? rows : depth,
      transposedA: transposeA,
      b: bAt,
      bRowStride: cols,
      c: outBase + i * rows * cols * 4,
      cRowStride: cols,
      rows,
      cols,
      depth,
    });
    runGemmTask(backend, task);
  }
  return out;
}

/** a·b: the SIMD kernel where it applies, else the backend's own. */
function product(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  return simdProduct(backend, a, b, false) ?? nativeMatMul(backend, a, b);
}

function batchMatMul(args: {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: BackendWasm;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const { a, b } = inputs;
  const transposeA = Boolean(args.attrs.transposeA);
  const transposeB = Boolean(args.attrs.transposeB);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return nativeMatMul(backend, a, b, transposeA, transposeB);
  if (!transposeA && !transposeB) return product(backend, a, b);

  if (transposeB && !transposeA) {
    const rankA = a.shape.length;
    const rankB = b.shape.length;
    const outRows = a.shape[rankA - 2]!;
    const outCols = b.shape[rankB - 2]!;
    const sameBatch = batchOf(a.shape) === batchOf(b.shape);
    const costDirect = size(b.shape);
    const costSwapped = size(a.shape) + batchOf(a.shape) * outRows * outCols;
    if (sameBatch && costSwapped < costDirect) {
      // (B·Aᵀ)ᵀ: only the small operand and the result get transposed.
      const aT = transposed(backend, a);
      const swapped = product(backend, b, aT);
      const out = transposed(backend, swapped);
      release(backend, swapped);
      release(backend, aT);
      return out;
    }
    const bT = transposed(backend, b);
    const out = product(backend, a, bT);
    release(backend, bT);
    return out;
  }

  // Aᵀ·B reads A in place (the kernel's transposed-A variant).
  if (!transposeB) {
    const direct = simdProduct(backend, a, b, true);
    if (direct) return direct;
  }
  const aT = transposed(backend, a);
  const bT = transposeB ? transposed(backend, b) : b;
  const out = product(backend, aT, bT);
  release(backend, aT);
  if (bT !== b) release(backend, bT);
  return out;
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelConfig['kernelFunc'],
};
