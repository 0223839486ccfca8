/**
 * Messages between `runTrainingInWorker` (main thread) and `train-worker.ts`, which
 * runs as a worker thread or, for native and GPU backends, as a child process.
 */
import type { ApiErrorPayload } from '../../../src-shared/errors.js';
import type { BackendName } from '../../../src-shared/api/types.js';
import type { TaskProgress } from '../../../src-shared/progress.js';
import type { EpochEvent, TrainOptions, TrainRequest, TrainResult } from '../training/types.js';

export interface WorkerInput {
  request: TrainRequest;
  /** Force a backend (else the usual probe order, or SESHAT_BACKEND). */
  backend?: BackendName;
  /** The main thread answers embedding-cache requests. */
  embeddingCache: boolean;
}

export type ToWorker =
  /** A child process gets its input as the first message (a thread has workerData). */
  | { type: 'input'; input: WorkerInput }
  | { type: 'cancel' }
  | { type: 'cache-got'; id: number; entries: Array<[string, Float32Array]> }
  | { type: 'cache-put-done'; id: number };

export type FromWorker =
  | { type: 'started'; backend: string; options: TrainOptions | null }
  | { type: 'progress'; progress: TaskProgress }
  | { type: 'epoch'; event: EpochEvent }
  | { type: 'done'; result: TrainResult }
  | { type: 'failed'; error: ApiErrorPayload }
  | { type: 'cache-get'; id: number; model: string; hashes: string[] }
  | { type: 'cache-put'; id: number; model: string; entries: Array<[string, Float32Array]> };
