/**
 * Optimizer construction and its state, for checkpoints.
 */
import * as tf from '@tensorflow/tfjs';
import { FusedAdamOptimizer } from './fused-adam.js';
import type { OptimizerName } from './types.js';

/** A tensor with a name, as tfjs optimizers report their slots (tfjs-core does not export the type). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

export function createOptimizer(name: OptimizerName, learningRate: number, momentum: number): tf.Optimizer {
  switch (name) {
    case 'adam':
      // tfjs' Adam with the update fused into one in-place pass on wasm (fused-adam.ts).
      return new FusedAdamOptimizer(learningRate);
    case 'sgd':
      // Plain SGD when momentum is 0; tfjs' momentum optimizer otherwise.
      return momentum > 0 ? tf.train.momentum(learningRate, momentum) : tf.train.sgd(learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
    default:
      throw new Error(`unknown optimizer "${String(name)}"`);
  }
}

/**
 * The optimizer's slot variables (Adam moments, momentum accumulators, …) and
 * iteration count. tfjs matches them to model variables by position, which is
 * stable because the trainable variables are always passed in the model's order.
 */
export async function getOptimizerState(optimizer: tf.Optimizer): Promise<NamedTensor[]> {
  return optimizer.getWeights();
}

export async function setOptimizerState(optimizer: tf.Optimizer, state: NamedTensor[]): Promise<void> {
  await optimizer.setWeights(state);
}

/**
 * Changes an optimizer's learning rate in place. tfjs has a setter only on SGD
 * (which caches -lr as a tensor); Adam and RMSProp read their field at each step.
 */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  // Not `instanceof`: tfjs optimizers answer it by duck typing, so Adam "is" an SGDOptimizer.
  const target = optimizer as unknown as { learningRate: number; setLearningRate?: (rate: number) => void };
  if (typeof target.setLearningRate === 'function') target.setLearningRate(learningRate);
  else target.learningRate = learningRate;
}
