/**
 * Makes the wasm backend able to train the presets, and fast at it.
 *
 * tfjs 4.22's wasm backend lacks some gradient kernels outright (training a conv net
 * fails with "kernel not registered") and has slow native versions of others. Call
 * `registerWasmTrainingKernels()` once per process, before training on wasm; it is
 * idempotent and harmless when another backend is active (kernels are per backend).
 */
import '@tensorflow/tfjs-backend-wasm'; // registers the wasm kernels we capture and replace
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from './conv2d-grads.js';
import { captureNativeConv2D, conv2DConfig, fusedConv2DConfig } from './conv2d-simd.js';
import { captureNativeCast, castConfig, identityConfig } from './identity.js';
import { batchNormConfig } from './batchnorm-kernel.js';
import { clipGradientConfig, registerClipGradient } from './clip-grad.js';
import { captureNativeElementwise, elementwiseConfigs } from './elementwise-kernel.js';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise-grads.js';
import { batchMatMulConfig } from './matmul.js';
import { maxPoolGradConfig } from './pool-grads.js';
import { captureNativeReductions, meanConfig, sumConfig } from './sum.js';
import { captureNativeTile, tileConfig } from './tile.js';
import { captureNativeMatMul } from './wasm/wasm-heap.js';
import { shareWasmBackendHeap } from './wasm/shared-heap.js';

// Before any tf.setBackend('wasm'): the backend's heap is shared so that helper threads can multiply on it.
shareWasmBackendHeap();

/** Kernels tfjs-backend-wasm 4.22 does not have. */
const MISSING: KernelConfig[] = [
  clipGradientConfig,
  conv2DBackpropFilterConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
];

/** Kernels the backend has but that are much slower than ours (measured, see each file). */
const REPLACEMENTS: KernelConfig[] = [
  conv2DBackpropInputConfig,
  maxPoolGradConfig,
  batchMatMulConfig,
  sumConfig,
  meanConfig,
  tileConfig,
  identityConfig,
  castConfig,
  conv2DConfig,
  fusedConv2DConfig,
  ...elementwiseConfigs,
];

export interface WasmKernelOptions {
  /** Also replace the slow native kernels (default true; false is for comparisons). */
  replaceSlow?: boolean;
}

let registered: string[] | null = null;

/** Whether this thread runs Seshat's wasm kernels (registerWasmTrainingKernels was called). */
export function wasmTrainingKernelsRegistered(): boolean {
  return registered !== null;
}

/** Registers the JS training kernels for 'wasm'; returns the kernel names it registered. */
export function registerWasmTrainingKernels(options: WasmKernelOptions = {}): string[] {
  if (registered) return registered;
  // The native kernels must be captured before ours replace them.
  captureNativeMatMul();
  captureNativeReductions();
  captureNativeTile();
  captureNativeCast();
  captureNativeConv2D();
  captureNativeElementwise();
  const configs = options.replaceSlow === false ? MISSING : [...MISSING, ...REPLACEMENTS, batchNormConfig()];
  for (const config of configs) {
    if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  if (options.replaceSlow !== false) registerClipGradient();
  registered = configs.map((config) => config.kernelName);
  return registered;
}

export { transposeLastTwo } from './matmul.js';
