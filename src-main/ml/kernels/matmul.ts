/**
 * BatchMatMul override for the wasm backend: transposed operands are transposed
 * explicitly, then the backend's fast (XNNPACK) path does the product.
 *
 * With `transposeA`/`transposeB` set, tfjs 4.22's wasm matmul takes a scalar path
 * measured 8–20× slower than transposing first — and every dense layer's backward
 * pass asks for exactly that (dx = dy·Wᵀ, dW = xᵀ·dy). For Aᵀ-less products
 * `A·Bᵀ = (B·Aᵀ)ᵀ`, so when B is the big operand (a weight matrix against a small
 * batch) we transpose A and the result instead of B.
 *
 * Invariant kept for the backend's weight cache (keyed by the id of operand `b`):
 * the `b` we pass is either a tensor allocated for this call or the caller's own `b`
 * used exactly as the caller asked (no transpose).
 */
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { allocate, f32, nativeMatMul, release, type BackendWasm } from './wasm-heap.js';

/** Tile edge for the blocked transpose: 32×32 floats = 4 KiB per tile, L1-sized. */
const TILE = 32;

/** Transposes the last two axes of `src` ([batch, rows, cols]) into `dst` ([batch, cols, rows]). */
export function transposeLastTwo(src: Float32Array, dst: Float32Array, batch: number, rows: number, cols: number): void {
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

function batchMatMul(args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: BackendWasm; attrs: NamedAttrMap }): TensorInfo {
  const { inputs, backend } = args;
  const { a, b } = inputs;
  const transposeA = Boolean(args.attrs.transposeA);
  const transposeB = Boolean(args.attrs.transposeB);
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return nativeMatMul(backend, a, b, transposeA, transposeB);
  }

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
      const swapped = nativeMatMul(backend, b, aT);
      const out = transposed(backend, swapped);
      release(backend, swapped);
      release(backend, aT);
      return out;
    }
    const bT = transposed(backend, b);
    const out = nativeMatMul(backend, a, bT);
    release(backend, bT);
    return out;
  }

  const aT = transposeA ? transposed(backend, a) : a;
  const bT = transposeB ? transposed(backend, b) : b;
  const out = nativeMatMul(backend, aT, bT);
  if (aT !== a) release(backend, aT);
  if (bT !== b) release(backend, bT);
  return out;
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelConfig['kernelFunc'],
};
