/**
 * Messages between the main thread's inference helpers (inference/inference-helpers.ts)
 * and an inference worker (inference-worker.ts).
 */
import type * as tf from '@tensorflow/tfjs';

export interface InferenceWorkerInput {
  /** Whether the main thread runs Seshat's wasm kernels, so that both compute alike. */
  wasmKernels: boolean;
}

export type ToInferenceWorker =
  /** A model's topology and current weights (adapted statistics included), as `model.save` gives them. */
  | { type: 'load'; model: number; artifacts: tf.io.ModelArtifacts }
  | { type: 'forget'; model: number }
  | {
      type: 'predict';
      request: number;
      model: number;
      inputs: Float32Array;
      /** [count, height, width, channels] */
      shape: [number, number, number, number];
    };

export type FromInferenceWorker =
  | { type: 'ready' }
  | { type: 'loaded'; model: number }
  | { type: 'result'; request: number; probabilities: Float32Array }
  | { type: 'failed'; model?: number; request?: number; message: string };
