/**
 * One training step, and its first half (gradients without the update) for
 * data-parallel training (parallel-step.ts). The loss is Keras' categorical
 * cross-entropy on the softmax output, probabilities clipped to [ε, 1-ε], weighted
 * per sample and averaged over the batch.
 */
import * as tf from '@tensorflow/tfjs';

export const EPSILON = 1e-7;

/** Per-sample weighted cross-entropy averaged over the batch (Keras' sample-weight rule). */
function weightedLoss(probabilities: tf.Tensor, targets: tf.Tensor, weights: tf.Tensor): tf.Scalar {
  const clipped = tf.clipByValue(probabilities, EPSILON, 1 - EPSILON);
  const perSample = tf.neg(tf.sum(tf.mul(targets, tf.log(clipped)), -1));
  return tf.mean(tf.mul(perSample, weights)) as tf.Scalar;
}

/** The batch in reused buffers: only the first `count` examples (and target rows: one-hot, or smoothed) are used. */
export type TrainStep = (
  x: Float32Array,
  targets: Float32Array,
  sampleWeights: Float32Array,
  count: number,
) => Promise<{ loss: number; correct: number }>;

function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Builds the loss closure on one batch; `hits` receives the number of correct predictions. */
function lossOn(
  model: tf.LayersModel,
  exampleShape: number[],
  numClasses: number,
  x: Float32Array,
  targets: Float32Array,
  sampleWeights: Float32Array,
  count: number,
) {
  const size = exampleShape.reduce((a, b) => a * b, 1);
  const input = tf.tensor(x.subarray(0, count * size), [count, ...exampleShape]);
  const target = tf.tensor2d(targets.subarray(0, count * numClasses), [count, numClasses]);
  const weights = tf.tensor1d(sampleWeights.subarray(0, count));
  const result: { hits: tf.Tensor | null; loss: () => tf.Scalar } = {
    hits: null,
    loss: () => {
      const probabilities = model.apply(input, { training: true }) as tf.Tensor;
      // Kept past the gradient's own tidy so accuracy needs no second forward pass.
      result.hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(probabilities, -1), tf.argMax(target, -1)), 'float32')));
      return weightedLoss(probabilities, target, weights);
    },
  };
  return result;
}

/** Reads two scalars and frees them (asynchronously: webgpu cannot read synchronously in Node). */
async function readScalars(cost: tf.Tensor, hits: tf.Tensor): Promise<{ loss: number; correct: number }> {
  try {
    const [loss, correct] = await Promise.all([cost.data(), hits.data()]);
    return { loss: loss[0]!, correct: correct[0]! };
  } finally {
    cost.dispose();
    hits.dispose();
  }
}

/**
 * One optimisation step on `count` examples held in reused buffers: forward in
 * training mode, weighted loss, gradients, update. Returns the batch loss and the
 * number of correct predictions. Everything it creates is freed before it returns.
 */
export function createTrainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  exampleShape: number[],
  numClasses: number,
): TrainStep {
  const variables = trainableVariables(model);
  return async (x, targets, sampleWeights, count) => {
    const [cost, hits] = tf.tidy(() => {
      const closure = lossOn(model, exampleShape, numClasses, x, targets, sampleWeights, count);
      const loss = optimizer.minimize(closure.loss, true, variables)!;
      return [loss, closure.hits!];
    });
    return readScalars(cost, hits);
  };
}

export interface Gradients {
  loss: number;
  correct: number;
  /** d(mean loss)/d(variable), in `model.trainableWeights` order; the caller disposes them. */
  grads: tf.Tensor[];
}

/** The first half of a step: gradients of the batch's mean loss, weights left as they are. */
export function createGradientStep(model: tf.LayersModel, exampleShape: number[], numClasses: number) {
  const variables = trainableVariables(model);
  return async (
    x: Float32Array,
    targets: Float32Array,
    sampleWeights: Float32Array,
    count: number,
  ): Promise<Gradients> => {
    let hits: tf.Tensor | null = null;
    let result: { value: tf.Scalar; grads: tf.NamedTensorMap };
    try {
      result = tf.tidy(() => {
        const closure = lossOn(model, exampleShape, numClasses, x, targets, sampleWeights, count);
        const computed = tf.variableGrads(closure.loss, variables);
        hits = closure.hits;
        return computed;
      });
    } catch (error) {
      (hits as tf.Tensor | null)?.dispose(); // kept past the tidy, so freed here
      throw error;
    }
    const { value, grads } = result;
    // A variable the loss does not reach has no gradient (minimize skips it): zeros keep the order.
    const ordered = variables.map((variable) => grads[variable.name] ?? tf.zerosLike(variable));
    const { loss, correct } = await readScalars(value, hits!);
    return { loss, correct, grads: ordered };
  };
}
