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
  /** Target rows, count × classes: one-hot, or smoothed (see TrainOptions.labelSmoothing). */
  targets: Float32Array;
  sampleWeights: Float32Array;
  count: number;
};

export type FromGradientWorker =
  | { type: 'ready' }
  | { type: 'gradients'; step: number; loss: number; correct: number; grads: Float32Array[] }
  | { type: 'failed'; message: string };

/** The buffers of `arrays` to transfer, each once, and only where an array owns its whole buffer. */
export function transferable(arrays: Float32Array[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const array of arrays) {
    if (array.byteOffset === 0 && array.byteLength === array.buffer.byteLength)
      buffers.add(array.buffer as ArrayBuffer);
  }
  return [...buffers];
}
