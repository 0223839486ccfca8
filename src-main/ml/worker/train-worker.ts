/**
 * Entry for a training run (started by run-in-worker.ts), as a worker thread or as
 * a child process.
 *
 * Training blocks its thread for seconds at a time; off the main thread it cannot
 * freeze the app. The loop yields between batches, so a `cancel` message is seen
 * within one batch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { toErrorPayload } from '../../../src-shared/errors.js';
import { selectBackend } from '../backend.js';
import { registerWasmTrainingKernels } from '../kernels/index.js';
import type { EmbeddingCache } from '../inference/embedding-cache.js';
import { trainClassifier } from '../training/train.js';
import type { FromWorker, ToWorker, WorkerInput } from './worker-protocol.js';

/**
 * Picks the tfjs backend for this thread: the project's probe order (native GPU →
 * native CPU → wasm → cpu), then makes wasm able to train. The one place to change
 * if backend selection moves.
 */
async function chooseBackend(force: WorkerInput['backend']): Promise<string> {
  const info = await selectBackend(force);
  if (tf.getBackend() === 'wasm') registerWasmTrainingKernels();
  return info.name;
}

/** The way back to runTrainingInWorker: the thread's port, or the child process's IPC channel. */
const channel = parentPort
  ? {
      post: (message: FromWorker) => parentPort!.postMessage(message),
      on: (listener: (message: ToWorker) => void) => parentPort!.on('message', listener),
      close: () => parentPort!.unref(),
    }
  : process.send
    ? {
        post: (message: FromWorker) => void process.send!(message),
        on: (listener: (message: ToWorker) => void) => process.on('message', listener as (message: unknown) => void),
        // The parent ends the process once it has the final message; unref lets it end by itself too.
        close: () => process.channel?.unref(),
      }
    : null;
if (!channel) throw new Error('train-worker.ts must run in a worker thread or a forked child process');
const post = channel.post;
const controller = new AbortController();

let nextId = 1;
const pending = new Map<number, (value: unknown) => void>();
function ask<T>(message: FromWorker & { id: number }): Promise<T> {
  return new Promise<T>((resolve) => {
    pending.set(message.id, resolve as (value: unknown) => void);
    post(message);
  });
}

/** The main thread's embedding cache, reached by messages. */
const remoteCache: EmbeddingCache = {
  async get(model, hashes) {
    const entries = await ask<Array<[string, Float32Array]>>({ type: 'cache-get', id: nextId++, model, hashes });
    return new Map(entries);
  },
  async put(model, entries) {
    await ask<void>({ type: 'cache-put', id: nextId++, model, entries });
  },
};

let receiveInput: (input: WorkerInput) => void = () => undefined;
const inputArrived = new Promise<WorkerInput>((resolve) => (receiveInput = resolve));

channel.on((message: ToWorker) => {
  if (message.type === 'input') return receiveInput(message.input);
  if (message.type === 'cancel') controller.abort();
  else if (message.type === 'cache-got') pending.get(message.id)?.(message.entries);
  else if (message.type === 'cache-put-done') pending.get(message.id)?.(undefined);
  if (message.type !== 'cancel') pending.delete(message.id);
});

try {
  const input = parentPort ? (workerData as WorkerInput) : await inputArrived;
  await chooseBackend(input.backend);
  const result = await trainClassifier(
    input.request,
    {
      signal: controller.signal,
      onProgress: (progress) => post({ type: 'progress', progress }),
      onEpoch: (event) => post({ type: 'epoch', event }),
      onStart: ({ backend, options }) => post({ type: 'started', backend, options }),
    },
    { embeddingCache: input.embeddingCache ? remoteCache : undefined },
  );
  post({ type: 'done', result });
} catch (error) {
  post({ type: 'failed', error: toErrorPayload(error) });
} finally {
  channel.close(); // the thread or process may exit once the last message is delivered
}
