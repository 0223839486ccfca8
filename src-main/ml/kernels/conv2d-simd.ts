/**
 * Convolution and its filter gradient as the SIMD kernel's two-level products
 * (gemm-kernel.ts), reading the input in place: no patch matrix.
 *
 * In NHWC, the values one output pixel needs from one filter row, (fw, ci) for
 * every fw and ci, are adjacent in the input; the next pixel's start `stride·Cin`
 * floats later; the next filter row one image row later. So with the input padded
 * (a copy with zero borders, only when the convolution pads):
 *   forward, per output row:  out[ow, co] += Σ_fh Σ_(fw,ci) x[oh·s+fh, ow·s+fw, ci] · W[fh, fw, ci, co]
 *   filter gradient, per image and filter row:  dW[fh, (fw,ci), co] += Σ_oh Σ_ow x[…] · dy[oh, ow, co]
 * Both are products whose A operand is a strided view of the padded input.
 *
 * Why: the backend's XNNPACK convolution ran the Small CNN's layers at about 20
 * GFLOP/s; the patch-matrix filter gradient spent a fifth of its time gathering.
 * Only unit dilations and output channels in fours; callers fall back otherwise.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { gemmFor, type GemmKernels } from './gemm-kernel.js';
import { convTask, TaskKind, type ConvGeometry } from './gemm-tasks.js';
import { runGemmTask } from './gemm-team.js';
import { allocate, f32, heapAddress, release, type BackendWasm } from './wasm/wasm-heap.js';

export type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

export interface ConvAttrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
}

/** tfjs' geometry of a convolution (`depthwise`: one filter per input channel); NHWC only. */
export function convInfoFor(
  kernel: string,
  xShape: number[],
  filterShape: number[],
  attrs: ConvAttrs,
  depthwise = false,
): Conv2DInfo {
  if (attrs.dataFormat === 'NCHW') throw new Error(`${kernel} (wasm, JS): only NHWC is supported`);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
}

/** The kernels, where this convolution is one they can run; null otherwise. */
export function simdConvKernels(backend: BackendWasm, info: Conv2DInfo): GemmKernels | null {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || info.outChannels % 4 !== 0) return null;
  if (info.outHeight === 0 || info.outWidth === 0 || info.batchSize === 0) return null;
  const { top, bottom, left, right } = info.padInfo;
  if ([top, bottom, left, right].some((p) => p < 0)) return null;
  // Every window must lie inside the padded input (true for 'same', 'valid' and explicit pads).
  if ((info.outHeight - 1) * info.strideHeight + info.filterHeight > info.inHeight + top + bottom) return null;
  if ((info.outWidth - 1) * info.strideWidth + info.filterWidth > info.inWidth + left + right) return null;
  return gemmFor(backend);
}

interface PaddedInput {
  info: TensorInfo;
  /** Padded height and width. */
  height: number;
  width: number;
  /** True when `info` is a copy this call must release. */
  owned: boolean;
}

/** x with the convolution's zero borders, or x itself when it has none. */
function paddedInput(backend: BackendWasm, x: TensorInfo, info: Conv2DInfo): PaddedInput {
  const { top, bottom, left, right } = info.padInfo;
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C } = info;
  if (top === 0 && bottom === 0 && left === 0 && right === 0) return { info: x, height: H, width: W, owned: false };
  const height = H + top + bottom;
  const width = W + left + right;
  const padded = allocate(backend, [N, height, width, C], true);
  const source = f32(backend, x);
  const target = f32(backend, padded);
  const rowFloats = W * C;
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      const from = (n * H + h) * rowFloats;
      target.set(source.subarray(from, from + rowFloats), ((n * height + h + top) * width + left) * C);
    }
  }
  return { info: padded, height, width, owned: true };
}

/** The task geometry of a convolution over its padded input. */
function geometryOf(info: Conv2DInfo, padded: PaddedInput): ConvGeometry {
  return {
    batch: info.batchSize,
    inChannels: info.inChannels,
    outChannels: info.outChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    paddedHeight: padded.height,
    paddedWidth: padded.width,
  };
}

/**
 * Runs one convolution task over `x` padded (gemm-tasks.ts), shared between the
 * backend's GEMM threads, into a zeroed tensor of `outShape`.
 */
function runConvTask(
  backend: BackendWasm,
  kind: typeof TaskKind.ConvForward | typeof TaskKind.ConvFilterGradient,
  x: TensorInfo,
  second: TensorInfo,
  outShape: number[],
  info: Conv2DInfo,
): TensorInfo {
  const padded = paddedInput(backend, x, info);
  const out = allocate(backend, outShape, true);
  const at = (t: TensorInfo) => heapAddress(backend, t);
  runGemmTask(backend, convTask(kind, at(padded.info), at(second), at(out), geometryOf(info, padded)));
  if (padded.owned) release(backend, padded.info);
  return out;
}

/**
 * y = conv2d(x, filter) (NHWC, HWIO), where simdConvKernels said it can: one product per
 * output row.
 */
export function conv2DForward(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, info: Conv2DInfo): TensorInfo {
  const shape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  return runConvTask(backend, TaskKind.ConvForward, x, filter, shape, info);
}

/** dW of conv2d(x, ·) given dy (NHWC, HWIO), where simdConvKernels said it can. */
export function conv2DFilterGradient(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: Conv2DInfo,
): TensorInfo {
  const shape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
  return runConvTask(backend, TaskKind.ConvFilterGradient, x, dy, shape, info);
}

let nativeConv2D: KernelFunc | null = null;
let nativeFusedConv2D: KernelFunc | null = null;

export function captureNativeConv2D(): void {
  if (nativeConv2D && nativeFusedConv2D) return;
  const plain = tf.getKernel('Conv2D', 'wasm');
  const fused = tf.getKernel('FusedConv2D', 'wasm');
  if (!plain || !fused) throw new Error('the wasm backend has no Conv2D or FusedConv2D kernel');
  nativeConv2D = plain.kernelFunc;
  nativeFusedConv2D = fused.kernelFunc;
}

function conv2D(args: {
  inputs: { x: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const { x, filter } = inputs;
  const attrs = args.attrs as unknown as ConvAttrs;
  if (x.dtype === 'float32' && filter.dtype === 'float32' && attrs.dataFormat !== 'NCHW') {
    const info = convInfoFor('Conv2D', x.shape, filter.shape, attrs);
    const simd = simdConvKernels(backend, info);
    if (simd) return conv2DForward(backend, x, filter, info);
  }
  return nativeConv2D!(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
}

export const conv2DConfig: KernelConfig = {
  kernelName: 'Conv2D',
  backendName: 'wasm',
  kernelFunc: conv2D as unknown as KernelConfig['kernelFunc'],
};

/**
 * FusedConv2D without bias or activation is a plain convolution: tfjs-layers asks
 * for it when a conv layer has neither (CNN+'s, ahead of batch normalisation).
 * With a bias or an activation it stays with the backend, which fuses them and, in
 * inference, keeps its packed filter from call to call.
 */
function fusedConv2D(args: {
  inputs: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { bias, preluActivationWeights } = args.inputs;
  const activation = args.attrs.activation as string | undefined;
  if (!bias && !preluActivationWeights && (activation === undefined || activation === 'linear')) return conv2D(args);
  return nativeFusedConv2D!(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
}

export const fusedConv2DConfig: KernelConfig = {
  kernelName: 'FusedConv2D',
  backendName: 'wasm',
  kernelFunc: fusedConv2D as unknown as KernelConfig['kernelFunc'],
};
