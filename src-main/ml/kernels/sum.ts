/**
 * Sum and Mean over every axis but the last, for the wasm backend.
 *
 * Sum over batch, height and width is the bias gradient of every conv and dense
 * layer; Mean over them is batch normalisation's statistics. The native wasm
 * reductions first transpose the reduced axes innermost, which for a [64,75,50,16]
 * gradient costs more than the convolution's own filter gradient; adding rows into
 * a per-channel accumulator is one pass (in SIMD blocks, sum-kernel.ts, where the
 * channels come in fours). Other reductions go to the native kernels.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { SUM_BLOCK_ROWS, sumRowsFor } from './sum-kernel.js';
import { allocate, f32, heapAddress, release, type BackendWasm } from './wasm/wasm-heap.js';

const native: Record<'Sum' | 'Mean', KernelFunc | null> = { Sum: null, Mean: null };

/** Keeps the backend's own kernels for the reductions ours do not handle. */
export function captureNativeReductions(): void {
  for (const name of ['Sum', 'Mean'] as const) {
    if (native[name]) continue;
    const config = tf.getKernel(name, 'wasm');
    if (!config) throw new Error(`the wasm backend has no ${name} kernel`);
    native[name] = config.kernelFunc;
  }
}

/** True when `axis` names exactly the axes 0 … rank-2 (in any order, negatives allowed). */
function reducesAllButLast(axis: number | number[], rank: number): boolean {
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a));
  if (rank < 2 || axes.length !== rank - 1) return false;
  const seen = new Set(axes);
  for (let a = 0; a < rank - 1; a++) if (!seen.has(a)) return false;
  return true;
}

function reduceAllButLast(kind: 'Sum' | 'Mean') {
  return (args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: NamedAttrMap }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs;
    const axis = attrs.axis as number | number[];
    if (x.dtype !== 'float32' || !reducesAllButLast(axis, x.shape.length)) {
      captureNativeReductions();
      return native[kind]!(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    const channels = x.shape[x.shape.length - 1]!;
    const rows = x.shape.reduce((a, b) => a * b, 1) / Math.max(1, channels);
    // Float64 accumulators: hundreds of thousands of rows would lose float32 precision.
    const acc = new Float64Array(channels);
    const outShape = attrs.keepDims ? x.shape.map((d, i) => (i === x.shape.length - 1 ? d : 1)) : [channels];
    const out = allocate(backend, outShape);
    const simd = channels % 4 === 0 && rows > 0 ? sumRowsFor(backend) : null;
    if (simd) {
      // Blocks of rows summed in SIMD (float32), their partial sums added here in float64.
      const partial = allocate(backend, [channels]);
      const xAt = heapAddress(backend, x);
      const partialAt = heapAddress(backend, partial);
      for (let r0 = 0; r0 < rows; r0 += SUM_BLOCK_ROWS) {
        simd(xAt + r0 * channels * 4, partialAt, Math.min(SUM_BLOCK_ROWS, rows - r0), channels * 4);
        const values = f32(backend, partial);
        for (let c = 0; c < channels; c++) acc[c]! += values[c]!;
      }
      release(backend, partial);
    } else if (channels % 4 === 0) {
      const values = f32(backend, x);
      // Four channels at a time in local (double) accumulators: about 3× faster than
      // adding into the accumulator array, whose loads and stores V8 cannot keep in registers.
      const end = rows * channels;
      for (let c0 = 0; c0 < channels; c0 += 4) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let base = c0; base < end; base += channels) {
          s0 += values[base]!;
          s1 += values[base + 1]!;
          s2 += values[base + 2]!;
          s3 += values[base + 3]!;
        }
        acc[c0] = s0;
        acc[c0 + 1] = s1;
        acc[c0 + 2] = s2;
        acc[c0 + 3] = s3;
      }
    } else {
      const values = f32(backend, x);
      for (let r = 0, base = 0; r < rows; r++, base += channels) {
        for (let c = 0; c < channels; c++) acc[c]! += values[base + c]!;
      }
    }
    if (kind === 'Mean') for (let c = 0; c < channels; c++) acc[c]! /= Math.max(1, rows);
    f32(backend, out).set(acc);
    return out;
  };
}

export const sumConfig: KernelConfig = {
  kernelName: 'Sum',
  backendName: 'wasm',
  kernelFunc: reduceAllButLast('Sum') as unknown as KernelConfig['kernelFunc'],
};

export const meanConfig: KernelConfig = {
  kernelName: 'Mean',
  backendName: 'wasm',
  kernelFunc: reduceAllButLast('Mean') as unknown as KernelConfig['kernelFunc'],
};
