/**
 * Thin helpers for kernels written in JavaScript over the wasm backend's heap.
 *
 * The wasm backend keeps every tensor in its WebAssembly memory; a JS kernel reads
 * inputs as typed-array views of that memory and writes into an output allocated
 * with `makeOutput`. Views must be taken *after* every allocation in a kernel: an
 * allocation can grow the memory, which detaches views taken before it.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';

export type { BackendWasm };

/** A Float32Array view of a tensor's data on the wasm heap (no copy). */
export function f32(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** Byte address of a tensor's data on the wasm heap. */
export function heapAddress(backend: BackendWasm, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId)!.memoryOffset;
}

/** Allocates an output tensor on the heap. `zero` clears it (fresh memory is not cleared). */
export function allocate(backend: BackendWasm, shape: number[], zero = false): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  if (zero) f32(backend, out).fill(0);
  return out;
}

/** Frees a tensor this kernel allocated for its own use. */
export function release(backend: BackendWasm, info: TensorInfo): void {
  backend.disposeData(info.dataId);
}

export function requireFloat32(kernel: string, ...infos: TensorInfo[]): void {
  for (const info of infos) {
    if (info.dtype !== 'float32') throw new Error(`${kernel} (wasm, JS): only float32 is supported, got ${info.dtype}`);
  }
}

/**
 * The wasm backend's own BatchMatMul, captured before we override it, so the JS
 * kernels can hand their large products to XNNPACK. Inputs are rank 2: [m,k] × [k,n].
 *
 * `b` must be a tensor allocated for this one call: the wasm matmul caches packed
 * weights by the id of `b`, so reusing an id with new contents would give stale results.
 */
let nativeBatchMatMul: KernelFunc | null = null;

export function captureNativeMatMul(): void {
  if (nativeBatchMatMul) return;
  const config = tf.getKernel('BatchMatMul', 'wasm');
  if (!config) throw new Error('the wasm backend has no BatchMatMul kernel');
  nativeBatchMatMul = config.kernelFunc;
}

export function nativeMatMul(
  backend: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  transposeA = false,
  transposeB = false,
): TensorInfo {
  if (!nativeBatchMatMul) captureNativeMatMul();
  const attrs: NamedAttrMap = { transposeA, transposeB };
  const out = nativeBatchMatMul!({ inputs: { a, b }, backend, attrs }) as TensorInfo;
  return out;
}
