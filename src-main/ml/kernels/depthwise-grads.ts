/**
 * DepthwiseConv2dNative gradients for the wasm backend (absent in tfjs 4.22).
 *
 * With a depth multiplier of 1 and channels in fours (MobileNet's) the taps run in
 * the SIMD kernel of depthwise-kernel.ts. Otherwise direct loops, ordered so the
 * innermost runs over channels × multiplier, contiguous in NHWC data and in the HWIM
 * filter. Dilations are supported (tfjs' own gradient refuses them,
 * but the kernels can be called directly).
 */
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { allocate, f32, heapAddress, requireFloat32, type BackendWasm } from './wasm/wasm-heap.js';
import { convInfoFor, type Conv2DInfo, type ConvAttrs } from './conv2d-simd.js';
import { stridedMultiplyAddFor, type StridedMultiplyAdd } from './depthwise-kernel.js';

/**
 * Both gradients with a depth multiplier of 1 and channels in fours, by the SIMD
 * kernel: one call per (image, output row, filter tap) covers the output pixels whose
 * input pixel lies inside the image. `filterGradient`: dW[tap] += x · dy; otherwise
 * dx += dy · W[tap]. Returns false (having done nothing) where it does not apply.
 */
function simdTaps(
  backend: BackendWasm,
  info: Conv2DInfo,
  addresses: { x: number; dy: number; w: number },
  filterGradient: boolean,
): boolean {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  if (info.outChannels !== C || C % 4 !== 0) return false;
  const kernel: StridedMultiplyAdd | null = stridedMultiplyAddFor(backend);
  if (!kernel) return false;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const FW = info.filterWidth;
  const pixel = C * 4;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let fh = 0; fh < info.filterHeight; fh++) {
        const ih = oh * sh + fh * dh - top;
        if (ih < 0 || ih >= H) continue;
        for (let fw = 0; fw < FW; fw++) {
          // Output columns whose input column ow·sw + fw·dw − left lies in [0, W).
          const shift = fw * dw - left;
          const first = Math.max(0, Math.ceil(-shift / sw));
          const end = Math.min(OW, Math.floor((W - 1 - shift) / sw) + 1);
          if (end <= first) continue;
          const x = addresses.x + ((n * H + ih) * W + first * sw + shift) * pixel;
          const dy = addresses.dy + ((n * OH + oh) * OW + first) * pixel;
          const w = addresses.w + (fh * FW + fw) * pixel;
          if (filterGradient) kernel(w, 0, x, sw * pixel, dy, pixel, end - first, pixel);
          else kernel(x, sw * pixel, dy, pixel, w, 0, end - first, pixel);
        }
      }
    }
  }
  return true;
}

/**
 * Visits every (output pixel, filter tap) pair whose input pixel is inside the
 * image, passing flat offsets of the x row, the dy row and the filter row.
 */
function forEachTap(info: Conv2DInfo, visit: (xBase: number, dyBase: number, wBase: number) => void): void {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const M = info.outChannels / C;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyBase = ((n * OH + oh) * OW + ow) * C * M;
        for (let fh = 0; fh < info.filterHeight; fh++) {
          const ih = oh * sh + fh * dh - top;
          if (ih < 0 || ih >= H) continue;
          for (let fw = 0; fw < info.filterWidth; fw++) {
            const iw = ow * sw + fw * dw - left;
            if (iw < 0 || iw >= W) continue;
            visit(((n * H + ih) * W + iw) * C, dyBase, (fh * info.filterWidth + fw) * C * M);
          }
        }
      }
    }
  }
}

function depthwiseBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
  requireFloat32('DepthwiseConv2dNativeBackpropFilter', inputs.x, inputs.dy);
  const info = convInfoFor('DepthwiseConv2dNativeBackpropFilter', inputs.x.shape, attrs.filterShape, attrs, true);
  const C = info.inChannels;
  const M = info.outChannels / C;
  const out = allocate(backend, attrs.filterShape, true);
  const at = { x: heapAddress(backend, inputs.x), dy: heapAddress(backend, inputs.dy), w: heapAddress(backend, out) };
  if (simdTaps(backend, info, at, true)) return out;
  const x = f32(backend, inputs.x);
  const dy = f32(backend, inputs.dy);
  const dW = f32(backend, out);
  forEachTap(info, (xBase, dyBase, wBase) => {
    for (let c = 0; c < C; c++) {
      const xv = x[xBase + c]!;
      const row = c * M;
      for (let m = 0; m < M; m++) dW[wBase + row + m]! += xv * dy[dyBase + row + m]!;
    }
  });
  return out;
}

function depthwiseBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
  requireFloat32('DepthwiseConv2dNativeBackpropInput', inputs.dy, inputs.filter);
  const info = convInfoFor('DepthwiseConv2dNativeBackpropInput', attrs.inputShape, inputs.filter.shape, attrs, true);
  const C = info.inChannels;
  const M = info.outChannels / C;
  const out = allocate(backend, attrs.inputShape, true);
  const at = {
    x: heapAddress(backend, out),
    dy: heapAddress(backend, inputs.dy),
    w: heapAddress(backend, inputs.filter),
  };
  if (simdTaps(backend, info, at, false)) return out;
  const dy = f32(backend, inputs.dy);
  const w = f32(backend, inputs.filter);
  const dx = f32(backend, out);
  forEachTap(info, (xBase, dyBase, wBase) => {
    for (let c = 0; c < C; c++) {
      const row = c * M;
      let sum = 0;
      for (let m = 0; m < M; m++) sum += dy[dyBase + row + m]! * w[wBase + row + m]!;
      dx[xBase + c]! += sum;
    }
  });
  return out;
}

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as unknown as KernelConfig['kernelFunc'],
};

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as unknown as KernelConfig['kernelFunc'],
};
