/**
 * DepthwiseConv2dNative gradients for the wasm backend (absent in tfjs 4.22).
 *
 * A depthwise convolution does fh·fw·cin·multiplier work per output pixel, far less
 * than a dense convolution, so direct loops are fine; they are ordered so the
 * innermost loop runs over channels × multiplier, which is contiguous in NHWC data
 * and in the HWIM filter. Dilations are supported (tfjs' own gradient refuses them,
 * but the kernels can be called directly).
 */
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { allocate, f32, requireFloat32, type BackendWasm } from './wasm/wasm-heap.js';
import { convInfoFor, type Conv2DInfo, type ConvAttrs } from './conv2d-simd.js';

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
