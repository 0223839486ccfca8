/**
 * Adam with its update fused into one pass over each variable on the wasm heap.
 *
 * Why: tfjs' Adam runs about a dozen element-wise kernels per variable, each
 * allocating a fresh tensor the size of the variable. For the Small CNN (1.8 M
 * parameters, most in its dense layer) that is a large share of the step that
 * cannot overlap anything; under data-parallel training it is the trainer's
 * serial tail while the helpers wait. One JavaScript loop reads each weight, its
 * moments and its gradient once, updates the moments in place and writes the new
 * weights into one fresh tensor.
 *
 * Same state as tf.train.adam (moments as slot variables, the same names and
 * order), so checkpoints and learning-rate changes work unchanged. Falls back to
 * tfjs' own update whenever writing in place would be unsafe: another backend, a
 * non-float32 tensor, or a moment whose data another tensor shares (tfjs'
 * setWeights makes slot variables from a checkpoint's tensors), because tfjs
 * tensors are immutable by contract.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '../kernels/wasm/wasm-heap.js';

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

/** The fields of tfjs' AdamOptimizer this class reads (private in its typings). */
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
}

type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null) {
    super(learningRate, beta1, beta2, epsilon ?? undefined);
  }

  override applyGradients(variableGradients: Gradients): void {
    if (tf.getBackend() !== 'wasm') {
      super.applyGradients(variableGradients);
      return;
    }
    const backend = tf.backend() as BackendWasm;
    const self = this as unknown as AdamInternals;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((entry) => entry.name)
      : Object.keys(variableGradients);
    const gradientOf = (i: number, name: string): tf.Tensor | undefined =>
      Array.isArray(variableGradients)
        ? variableGradients[i]?.tensor
        : (variableGradients as Record<string, tf.Tensor | undefined>)[name];

    // Create the moment slots exactly as tfjs does (zeros, not trainable, named <var>/m and <var>/v).
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name]!;
      self.accumulatedFirstMoment[i] ??= {
        originalName: `${name}/m`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      self.accumulatedSecondMoment[i] ??= {
        originalName: `${name}/v`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
    });
    const owned = (t: tf.Tensor): boolean => t.dtype === 'float32' && backend.refCount(t.dataId) === 1;
    const inPlace = names.every((name, i) => {
      const gradient = gradientOf(i, name);
      if (!gradient) return true;
      const value = tf.engine().registeredVariables[name]!;
      // The weights get new data (below); the moments and beta powers are written in place.
      return (
        gradient.dtype === 'float32' &&
        value.dtype === 'float32' &&
        owned(self.accumulatedFirstMoment[i]!.variable) &&
        owned(self.accumulatedSecondMoment[i]!.variable) &&
        owned(self.accBeta1) &&
        owned(self.accBeta2)
      );
    });
    if (!inPlace) {
      super.applyGradients(variableGradients);
      return;
    }

    const heap = (t: tf.Tensor): Float32Array => backend.typedArrayFromHeap(t) as Float32Array;
    const { beta1, beta2, epsilon, learningRate } = self;
    const correction1 = 1 - heap(self.accBeta1)[0]!;
    const correction2 = 1 - heap(self.accBeta2)[0]!;
    names.forEach((name, i) => {
      const gradient = gradientOf(i, name);
      if (!gradient) return;
      const variable = tf.engine().registeredVariables[name]!;
      // The new weights get new data: XNNPACK caches packed filters and matmul
      // weights by data id, so weights changed in place would be read stale.
      // The moments are only read here, so they are updated in place.
      const next = tf.engine().makeTensorFromTensorInfo(backend.makeOutput(variable.shape, 'float32'));
      // Views are taken after the allocation (which can grow, and so detach, the heap).
      const m = heap(self.accumulatedFirstMoment[i]!.variable);
      const v = heap(self.accumulatedSecondMoment[i]!.variable);
      updateSlice(
        heap(variable),
        m,
        v,
        heap(gradient),
        heap(next),
        beta1,
        beta2,
        learningRate / correction1,
        1 / Math.sqrt(correction2),
        epsilon,
      );
      variable.assign(next);
      next.dispose();
    });
    const accBeta1 = heap(self.accBeta1);
    const accBeta2 = heap(self.accBeta2);
    accBeta1[0] = accBeta1[0]! * beta1;
    accBeta2[0] = accBeta2[0]! * beta2;
    this.incrementIterations();
  }
}

/** One variable's Adam update: moments in place, new weights into `out`. Monomorphic on purpose (hot loop). */
function updateSlice(
  w: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  out: Float32Array,
  beta1: number,
  beta2: number,
  step: number,
  rootScale: number,
  epsilon: number,
): void {
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  const n = w.length;
  for (let k = 0; k < n; k++) {
    const gk = g[k]!;
    const mk = beta1 * m[k]! + c1 * gk;
    const vk = beta2 * v[k]! + c2 * gk * gk;
    m[k] = mk;
    v[k] = vk;
    out[k] = w[k]! - (step * mk) / (Math.sqrt(vk) * rootScale + epsilon);
  }
}
