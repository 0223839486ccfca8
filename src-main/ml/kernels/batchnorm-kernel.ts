/**
 * FusedBatchNorm (batch normalisation's forward pass) in WebAssembly SIMD:
 * out = (x − mean)·a + offset per channel, with a = scale / √(variance + ε) worked
 * out once per channel here. Subtracting the mean first keeps the precision the
 * backend has when the mean is large against the spread.
 *
 * Why: the backend's own kernel took 16 ms of a CNN+ training step at batch 32,
 * several memory passes' worth, for one pass of arithmetic. Statistics must be
 * per-channel vectors ([C] or [1,…,1,C]) with C a multiple of 4; anything else
 * goes to the backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { instantiateOnMemory, kernelsOnBackend } from './wasm/wasm-api.js';
import { emitRowsOfVectors, FunctionBuilder, I32 } from './wasm/wasm-emit.js';
import { allocate, f32, heapAddress, release, type BackendWasm } from './wasm/wasm-heap.js';

type NormalizeFunction = (
  x: number,
  mean: number,
  factor: number,
  offset: number,
  out: number,
  rows: number,
  rowBytes: number,
) => void;

/** (x, mean, factor, offset, out, rows, rowBytes): out[r] = (x[r] − mean)·factor + offset, four channels at a time. */
function emitNormalize(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32, I32, I32]);
  const x = 0,
    mean = 1,
    factor = 2,
    offset = 3,
    out = 4,
    rows = 5,
    rowBytes = 6;
  emitRowsOfVectors(f, rows, rowBytes, out, [x], (column) => {
    f.get(x).get(column).add().load().get(mean).get(column).add().load().simdOp(0xe5); // f32x4.sub
    f.get(factor).get(column).add().load().f32x4Mul();
    f.get(offset).get(column).add().load().f32x4Add();
  });
  return f;
}

const compiled = new WeakMap<BackendWasm, NormalizeFunction | null>();

function normalizeFor(backend: BackendWasm): NormalizeFunction | null {
  return kernelsOnBackend(
    compiled,
    backend,
    (memory) =>
      instantiateOnMemory(memory, [{ exportName: 'normalize', builder: emitNormalize() }])[
        'normalize'
      ] as NormalizeFunction,
  );
}

let native: KernelConfig | null = null;

export function captureNativeBatchNorm(): void {
  if (native) return;
  native = tf.getKernel('FusedBatchNorm', 'wasm') ?? null;
  if (!native) throw new Error('the wasm backend has no FusedBatchNorm kernel');
}

type Inputs = { x: TensorInfo; mean: TensorInfo; variance: TensorInfo; offset?: TensorInfo; scale?: TensorInfo };

function fusedBatchNorm(args: { inputs: Inputs; backend: BackendWasm; attrs: NamedAttrMap }): TensorInfo {
  const { inputs, backend } = args;
  const { x, mean, variance, offset, scale } = inputs;
  const channels = x.shape[x.shape.length - 1] ?? 0;
  const count = x.shape.reduce((a, b) => a * b, 1);
  const perChannel = (t: TensorInfo | undefined): boolean =>
    !t ||
    (t.dtype === 'float32' &&
      t.shape.length <= x.shape.length &&
      t.shape[t.shape.length - 1] === channels &&
      t.shape.reduce((a, b) => a * b, 1) === channels);
  const kernel =
    x.dtype === 'float32' && channels % 4 === 0 && count > 0 && [mean, variance, offset, scale].every(perChannel)
      ? normalizeFor(backend)
      : null;
  if (!kernel) return native!.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
  const epsilon = Number(args.attrs.varianceEpsilon ?? 0.001);
  const factor = allocate(backend, [channels]);
  const shift = offset ? null : allocate(backend, [channels], true);
  const out = allocate(backend, x.shape);
  // Views after the allocations (an allocation can grow the heap and detach older views).
  const variances = f32(backend, variance);
  const scales = scale ? f32(backend, scale) : null;
  const factors = f32(backend, factor);
  for (let c = 0; c < channels; c++) factors[c] = (scales ? scales[c]! : 1) / Math.sqrt(variances[c]! + epsilon);
  kernel(
    heapAddress(backend, x),
    heapAddress(backend, mean),
    heapAddress(backend, factor),
    heapAddress(backend, offset ?? shift!),
    heapAddress(backend, out),
    count / channels,
    channels * 4,
  );
  release(backend, factor);
  if (shift) release(backend, shift);
  return out;
}

/** Keeps the backend's setup function (it binds the native kernel, which ours falls back to). */
export function batchNormConfig(): KernelConfig {
  captureNativeBatchNorm();
  return { ...native!, kernelFunc: fusedBatchNorm as unknown as KernelConfig['kernelFunc'] };
}
