/**
 * DepthwiseConv2dNative gradients on wasm (depthwise-grads.ts, absent from tfjs 4.22)
 * against tfjs' reference `cpu` backend: the scalar loops (3 channels, multiplier 2)
 * and the SIMD taps (multiplier 1, channels in fours); dilated cases by the adjoint
 * identity, since the cpu kernels ignore dilations.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { compare, randomArray, shapeOf, zeros4d, type Attrs } from './kernel-compare.js';
import { useWasm } from './fixtures.js';

before(async () => {
  await useWasm();
});

describe('DepthwiseConv2dNative gradients (wasm)', () => {
  const cases: Array<[string, number[], number[], Attrs]> = [
    ['same, stride 1, multiplier 1', [2, 7, 6, 3], [3, 3, 3, 1], { strides: 1, pad: 'same', dilations: 1 }],
    ['valid, stride 2, multiplier 2', [2, 9, 8, 3], [3, 3, 3, 2], { strides: 2, pad: 'valid', dilations: 1 }],
    // Multiplier 1 and channels in fours: the SIMD taps of depthwise-kernel.ts.
    ['same, stride 1, 8 channels (SIMD)', [2, 7, 6, 8], [3, 3, 8, 1], { strides: 1, pad: 'same', dilations: 1 }],
    ['same, stride 2, 8 channels (SIMD)', [2, 9, 8, 8], [3, 3, 8, 1], { strides: 2, pad: 'same', dilations: 1 }],
    ['valid, stride 2, 4 channels (SIMD)', [1, 8, 7, 4], [3, 3, 4, 1], { strides: 2, pad: 'valid', dilations: 1 }],
  ];
  const dyShapeOf = (xShape: number[], filterShape: number[], attrs: Attrs): number[] =>
    shapeOf(() =>
      tf.depthwiseConv2d(
        zeros4d(xShape),
        zeros4d(filterShape),
        attrs.strides as number,
        attrs.pad as 'same',
        'NHWC',
        attrs.dilations as number,
      ),
    );
  for (const [label, xShape, filterShape, attrs] of cases) {
    test(`filter matches cpu: ${label}`, async () => {
      await compare(
        'DepthwiseConv2dNativeBackpropFilter',
        { x: xShape, dy: dyShapeOf(xShape, filterShape, attrs) },
        { ...attrs, filterShape },
        label,
      );
    });
    test(`input matches cpu: ${label}`, async () => {
      await compare(
        'DepthwiseConv2dNativeBackpropInput',
        { dy: dyShapeOf(xShape, filterShape, attrs), filter: filterShape },
        { ...attrs, inputShape: xShape },
        label,
      );
    });
  }

  // tfjs' cpu backprop kernels ignore dilations (its gradient never passes them), so
  // dilated cases are checked against the forward op instead: the gradient is the
  // adjoint of the convolution, <dy, conv(x, W)> = <dW(x, dy), W> = <x, dx(dy, W)>.
  const dilated: Array<[string, number[], number[], Attrs]> = [
    ['same, dilation 2', [1, 9, 9, 2], [3, 3, 2, 2], { strides: 1, pad: 'same', dilations: 2 }],
    ['valid, dilation [2,1]', [2, 10, 8, 4], [3, 3, 4, 1], { strides: 1, pad: 'valid', dilations: [2, 1] }],
  ];
  for (const [label, xShape, filterShape, attrs] of dilated) {
    test(`adjoint identity: ${label}`, async () => {
      await tf.setBackend('wasm');
      const dot = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.sum(tf.mul(a, b)).dataSync()[0]!);
      const before = tf.memory().numTensors;
      const x = tf.tensor(
        randomArray(
          xShape.reduce((a, b) => a * b, 1),
          5,
        ),
        xShape,
      );
      const w = tf.tensor(
        randomArray(
          filterShape.reduce((a, b) => a * b, 1),
          6,
        ),
        filterShape,
      );
      const dyShape = dyShapeOf(xShape, filterShape, attrs);
      const dy = tf.tensor(
        randomArray(
          dyShape.reduce((a, b) => a * b, 1),
          7,
        ),
        dyShape,
      );
      const y = tf.depthwiseConv2d(
        x as tf.Tensor4D,
        w as tf.Tensor4D,
        attrs.strides as number,
        attrs.pad as 'same',
        'NHWC',
        attrs.dilations as number,
      );
      const dW = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, {
        ...attrs,
        filterShape,
      } as tf.NamedAttrMap) as tf.Tensor;
      const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, {
        ...attrs,
        inputShape: xShape,
      } as tf.NamedAttrMap) as tf.Tensor;
      const reference = dot(dy, y);
      assert.ok(
        Math.abs(dot(dW, w) - reference) < 1e-3 * Math.max(1, Math.abs(reference)),
        `${label}: filter gradient`,
      );
      assert.ok(Math.abs(dot(dx, x) - reference) < 1e-3 * Math.max(1, Math.abs(reference)), `${label}: input gradient`);
      [x, w, dy, y, dW, dx].forEach((t) => t.dispose());
      assert.equal(tf.memory().numTensors, before);
    });
  }
});
