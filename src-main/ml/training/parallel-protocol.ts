/** Messages between a data-parallel step (parallel-step.ts) and its helpers (gradient-worker.ts). */

export interface GradientWorkerInput {
  /** `model.toJSON()`: the replica's architecture (weights arrive with every shard). */
  topology: string;
  backend: string;
  exampleShape: number[];
  numClasses: number;
}

export type ToGradientWorker = {
  type: 'shard';
  step: number;
  /** All of the model's weights (trainable and not), in `model.weights` order. */
  weights: Float32Array[];
  x: Float32Array;
  oneHot: Float32Array;
  sampleWeights: Float32Array;
  count: number;
};

export type FromGradientWorker =
  | { type: 'ready' }
  | { type: 'gradients'; step: number; loss: number; correct: number; grads: Float32Array[] }
  | { type: 'failed'; message: string };
