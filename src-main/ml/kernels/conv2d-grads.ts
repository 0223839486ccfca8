/**
 * Conv2D gradients for the wasm backend.
 *
 * tfjs 4.22's wasm backend has no Conv2DBackpropFilter at all, and its
 * Conv2DBackpropInput is a scalar C++ loop about 7× slower than the forward
 * convolution.
 * - Filter gradient: with output channels in fours, conv2d-simd.ts computes it from
 *   the input in place. Otherwise it is one matrix product once the input patches
 *   are laid out as a matrix (im2col, gathered here) times dy, in the backend's
 *   matmul; work is split over chunks of the batch so that the patch matrix stays
 *   under `MAX_PATCH_FLOATS` whatever the batch size.
 * - Input gradient: with unit strides it is itself a convolution
 *   (backpropInputAsConvolution), run by whatever Conv2D is registered, which is
 *   ours (conv2d-simd.ts) where the channels allow; otherwise patches again, then
 *   scattered back.
 *
 * Layout: NHWC input, HWIO filter (what tfjs-layers uses). K = fh·fw·cin is the
 * patch length, M = n·oh·ow the number of output positions.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { conv2DFilterGradient, convInfoFor, simdConvKernels, type Conv2DInfo, type ConvAttrs } from './conv2d-simd.js';
import { allocate, f32, nativeMatMul, release, requireFloat32, type BackendWasm } from './wasm/wasm-heap.js';

/**
 * 1 Mi floats = 4 MiB of patches per chunk: small enough to stay in cache between
 * the gather and the product (measured faster than 8 Mi), big enough that the
 * per-chunk work stays small.
 */
const MAX_PATCH_FLOATS = 1024 * 1024;

/** Batch items per chunk so that chunk·oh·ow·K ≤ MAX_PATCH_FLOATS (at least one). */
function chunkSize(info: Conv2DInfo): number {
  const perItem = info.outHeight * info.outWidth * info.filterHeight * info.filterWidth * info.inChannels;
  return Math.max(1, Math.min(info.batchSize, Math.floor(MAX_PATCH_FLOATS / Math.max(1, perItem))));
}

/**
 * Copies x's batch items [n0, n0+nc) channel-major: xT[ci][n][h][w]. With channels
 * outermost, each row of the patch matrix below is gathered from runs of
 * consecutive floats instead of reads strided by the channel count.
 */
function channelMajor(x: Float32Array, info: Conv2DInfo, n0: number, nc: number, xT: Float32Array): void {
  const C = info.inChannels;
  const pixels = nc * info.inHeight * info.inWidth;
  const start = n0 * info.inHeight * info.inWidth * C;
  for (let p = 0; p < pixels; p++) {
    const s = start + p * C;
    for (let c = 0; c < C; c++) xT[c * pixels + p] = x[s + c]!;
  }
}

/**
 * Writes the transposed patch matrix colT[K, Mc] for the chunk held in xT: row
 * k = (fh, fw, ci) holds that tap's input value for every output position (zero
 * where the patch falls in the padding). The valid column range of each output row
 * is computed once per tap so the inner loop is a plain strided copy.
 */
function gatherPatchesT(xT: Float32Array, info: Conv2DInfo, nc: number, colT: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const pixels = nc * H * W;
  // Unit strides with as many output as input columns ('same' padding): a tap's
  // rows for one image are one shifted run of xT, so they go as a single block copy.
  const blockCopy = sh === 1 && sw === 1 && OW === W;
  let m = 0;
  for (let fh = 0; fh < info.filterHeight; fh++) {
    for (let fw = 0; fw < info.filterWidth; fw++) {
      const colOffset = fw * dw - left;
      // Output columns whose input column ow·sw + colOffset lies inside [0, W).
      const lo = Math.min(OW, Math.max(0, Math.ceil(-colOffset / sw)));
      const hi = Math.max(lo, Math.min(OW, Math.floor((W - 1 - colOffset) / sw) + 1));
      if (blockCopy) {
        const rowShift = fh * dh - top;
        // Output rows whose input row oh + rowShift lies inside [0, H).
        const ohLo = Math.min(OH, Math.max(0, -rowShift));
        const ohHi = Math.max(ohLo, Math.min(OH, H - rowShift));
        for (let block = 0; block < C * nc; block++, m += OH * OW) {
          const image = block * H * W; // channel-major: block = ci·nc + n
          if (ohHi === ohLo || hi === lo) {
            colT.fill(0, m, m + OH * OW);
            continue;
          }
          colT.fill(0, m, m + ohLo * OW);
          const first = m + ohLo * OW + lo;
          const source = image + (ohLo + rowShift) * W + colOffset + lo;
          colT.set(xT.subarray(source, source + (m + (ohHi - 1) * OW + hi - first)), first);
          // The block copy put the neighbouring row's pixels where a patch meets the padding.
          if (lo > 0 || hi < OW) {
            for (let oh = ohLo; oh < ohHi; oh++) {
              const row = m + oh * OW;
              for (let ow = 0; ow < lo; ow++) colT[row + ow] = 0;
              for (let ow = hi; ow < OW; ow++) colT[row + ow] = 0;
            }
          }
          colT.fill(0, m + ohHi * OW, m + OH * OW);
        }
        continue;
      }
      for (let ci = 0; ci < C; ci++) {
        const channel = ci * pixels;
        for (let n = 0; n < nc; n++) {
          const image = channel + n * H * W;
          for (let oh = 0; oh < OH; oh++, m += OW) {
            const ih = oh * sh + fh * dh - top;
            if (ih < 0 || ih >= H) {
              for (let ow = 0; ow < OW; ow++) colT[m + ow] = 0;
              continue;
            }
            for (let ow = 0; ow < lo; ow++) colT[m + ow] = 0;
            const row = image + ih * W + colOffset;
            if (sw === 1) {
              // The common case, kept as a plain offset copy that V8 compiles tightly.
              for (let ow = lo; ow < hi; ow++) colT[m + ow] = xT[row + ow]!;
            } else {
              for (let ow = lo; ow < hi; ow++) colT[m + ow] = xT[row + ow * sw]!;
            }
            for (let ow = hi; ow < OW; ow++) colT[m + ow] = 0;
          }
        }
      }
    }
  }
}

/** Adds the patch-gradient matrix dcol[Mc, K] back into dx (the adjoint of im2col). */
function scatterPatches(dcol: Float32Array, info: Conv2DInfo, n0: number, nc: number, dx: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const FH = info.filterHeight;
  const FW = info.filterWidth;
  const K = FH * FW * C;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  let m = 0;
  for (let n = n0; n < n0 + nc; n++) {
    const xBatch = n * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, m++) {
        const rowBase = m * K;
        for (let fh = 0; fh < FH; fh++) {
          const ih = oh * sh + fh * dh - top;
          if (ih < 0 || ih >= H) continue;
          for (let fw = 0; fw < FW; fw++) {
            const iw = ow * sw + fw * dw - left;
            if (iw < 0 || iw >= W) continue;
            const d = xBatch + (ih * W + iw) * C;
            const s = rowBase + (fh * FW + fw) * C;
            for (let ci = 0; ci < C; ci++) dx[d + ci]! += dcol[s + ci]!;
          }
        }
      }
    }
  }
}

/** Copies rows [start, start+count) of a row-major matrix into a new heap tensor. */
function copyRows(backend: BackendWasm, src: TensorInfo, rowLength: number, start: number, count: number): TensorInfo {
  const out = allocate(backend, [count, rowLength]);
  const view = f32(backend, src).subarray(start * rowLength, (start + count) * rowLength);
  f32(backend, out).set(view);
  return out;
}

function conv2DBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
  const { x, dy } = inputs;
  requireFloat32('Conv2DBackpropFilter', x, dy);
  const info = convInfoFor('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs);
  const simd = simdConvKernels(backend, info);
  if (simd) return conv2DFilterGradient(backend, x, dy, info);
  const K = info.filterHeight * info.filterWidth * info.inChannels;
  const Cout = info.outChannels;
  const positions = info.outHeight * info.outWidth;
  const perChunk = chunkSize(info);

  const dW = allocate(backend, attrs.filterShape, true);
  for (let n0 = 0; n0 < info.batchSize; n0 += perChunk) {
    const nc = Math.min(perChunk, info.batchSize - n0);
    const Mc = nc * positions;
    const xT = allocate(backend, [nc * info.inHeight * info.inWidth * info.inChannels]);
    const colT = allocate(backend, [K, Mc]);
    // dy rows for this chunk go into a fresh tensor: it is the matmul's "weights"
    // operand, which the wasm matmul caches by tensor id.
    const dyChunk = copyRows(backend, dy, Cout, n0 * positions, Mc);
    channelMajor(f32(backend, x), info, n0, nc, f32(backend, xT));
    gatherPatchesT(f32(backend, xT), info, nc, f32(backend, colT));
    release(backend, xT);
    const part = nativeMatMul(backend, colT, dyChunk); // [K, Cout]
    const acc = f32(backend, dW);
    const partValues = f32(backend, part);
    for (let i = 0; i < acc.length; i++) acc[i]! += partValues[i]!;
    release(backend, part);
    release(backend, dyChunk);
    release(backend, colT);
  }
  return dW;
}

/**
 * With unit strides and dilations, dx is itself a convolution: dy correlated with
 * the filter turned half a turn, input and output channels swapped, and each pad p
 * of the forward pass replaced by (filter size − 1 − p). That runs in the registered
 * Conv2D (ours from conv2d-simd.ts where the channels come in fours, the backend's
 * XNNPACK one otherwise) with no patch matrix at all. Null when it does not apply.
 */
function backpropInputAsConvolution(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: Conv2DInfo,
): TensorInfo | null {
  const { filterHeight: FH, filterWidth: FW, inChannels: Cin, outChannels: Cout, padInfo } = info;
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1)
    return null;
  const pads = [FH - 1 - padInfo.top, FH - 1 - padInfo.bottom, FW - 1 - padInfo.left, FW - 1 - padInfo.right];
  if (pads.some((p) => p < 0)) return null;
  const conv = tf.getKernel('Conv2D', 'wasm');
  if (!conv) return null;
  // A fresh tensor per call: the native convolution caches its packed filter by tensor id.
  const turned = allocate(backend, [FH, FW, Cout, Cin]);
  const w = f32(backend, filter);
  const t = f32(backend, turned);
  for (let fh = 0; fh < FH; fh++) {
    for (let fw = 0; fw < FW; fw++) {
      const src = (fh * FW + fw) * Cin * Cout;
      const dst = ((FH - 1 - fh) * FW + (FW - 1 - fw)) * Cout * Cin;
      for (let ci = 0; ci < Cin; ci++)
        for (let co = 0; co < Cout; co++) t[dst + co * Cin + ci] = w[src + ci * Cout + co]!;
    }
  }
  const attrs = {
    strides: [1, 1],
    dilations: [1, 1],
    pad: [
      [0, 0],
      [pads[0], pads[1]],
      [pads[2], pads[3]],
      [0, 0],
    ],
    dataFormat: 'NHWC',
  };
  try {
    return conv.kernelFunc({
      inputs: { x: dy, filter: turned },
      backend,
      attrs: attrs as unknown as NamedAttrMap,
    }) as TensorInfo;
  } finally {
    release(backend, turned);
  }
}

function conv2DBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
  const { dy, filter } = inputs;
  requireFloat32('Conv2DBackpropInput', dy, filter);
  const info = convInfoFor('Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs);
  const asForward = backpropInputAsConvolution(backend, dy, filter, info);
  if (asForward) return asForward;
  const K = info.filterHeight * info.filterWidth * info.inChannels;
  const Cout = info.outChannels;
  const positions = info.outHeight * info.outWidth;
  const perChunk = chunkSize(info);

  const dx = allocate(backend, attrs.inputShape, true);
  for (let n0 = 0; n0 < info.batchSize; n0 += perChunk) {
    const nc = Math.min(perChunk, info.batchSize - n0);
    const Mc = nc * positions;
    // W^T [Cout, K], transposed here (it is small) because the matmul's transposed
    // modes are the slow path on wasm. A fresh tensor per chunk: see copyRows.
    const filterT = allocate(backend, [Cout, K]);
    const w = f32(backend, filter);
    const wT = f32(backend, filterT);
    for (let k = 0; k < K; k++) for (let co = 0; co < Cout; co++) wT[co * K + k] = w[k * Cout + co]!;
    const whole = nc === info.batchSize;
    const dyChunk = whole ? dy : copyRows(backend, dy, Cout, n0 * positions, Mc);
    const dyMatrix: TensorInfo = { dataId: dyChunk.dataId, shape: [Mc, Cout], dtype: 'float32' };
    const dcol = nativeMatMul(backend, dyMatrix, filterT); // [Mc, K]
    scatterPatches(f32(backend, dcol), info, n0, nc, f32(backend, dx));
    release(backend, dcol);
    if (!whole) release(backend, dyChunk);
    release(backend, filterT);
  }
  return dx;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelConfig['kernelFunc'],
};

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelConfig['kernelFunc'],
};
