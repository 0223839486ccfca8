/**
 * Identity, and Cast to the same dtype, for the wasm backend without a copy.
 *
 * The wasm backend's own Identity and Cast copy the whole tensor, where the cpu
 * backend shares the input's data (with a reference count, as Reshape does on both).
 * Gradients pass through several of them per layer (an Add's gradient, ReLU's
 * `cast(step(x))`): in a Small CNN step at batch 64 that was 57 copies, 16 ms of
 * memory traffic. Sharing is safe because no kernel writes into its inputs; the one
 * in-place writer here, the fused Adam update, checks the reference count first.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from './wasm/wasm-heap.js';

function share(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function identity(args: { inputs: { x: TensorInfo }; backend: BackendWasm }): TensorInfo {
  return share(args.backend, args.inputs.x);
}

let nativeCast: KernelFunc | null = null;

export function captureNativeCast(): void {
  if (nativeCast) return;
  const config = tf.getKernel('Cast', 'wasm');
  if (!config) throw new Error('the wasm backend has no Cast kernel');
  nativeCast = config.kernelFunc;
}

function cast(args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: NamedAttrMap }): TensorInfo {
  const { x } = args.inputs;
  if (args.attrs.dtype === x.dtype) return share(args.backend, x);
  return nativeCast!(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
}

export const identityConfig: KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelConfig['kernelFunc'],
};

export const castConfig: KernelConfig = {
  kernelName: 'Cast',
  backendName: 'wasm',
  kernelFunc: cast as unknown as KernelConfig['kernelFunc'],
};
