/**
 * A data-parallel helper (started by parallel-step.ts): holds a replica of the
 * model and, for each shard it is sent with the current weights, answers the
 * shard's gradients. It never updates weights itself, so the replicas cannot drift.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../kernels/index.js';
import {
  transferable,
  type FromGradientWorker,
  type GradientWorkerInput,
  type ToGradientWorker,
} from './parallel-protocol.js';
import { createGradientStep } from '../training/step.js';

const port = parentPort;
if (!port) throw new Error('gradient-worker.ts must run in a worker thread');
const input = workerData as GradientWorkerInput;
const post = (message: FromGradientWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const failed = (error: unknown) =>
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });

try {
  if (!(await tf.setBackend(input.backend)))
    throw new Error(`the ${input.backend} backend is not available in a helper thread`);
  await tf.ready();
  if (input.backend === 'wasm') registerWasmTrainingKernels();
  const model = await tf.models.modelFromJSON(
    JSON.parse(input.topology) as Parameters<typeof tf.models.modelFromJSON>[0],
  );
  const shapes = model.weights.map((w) => w.shape as number[]);
  const gradients = createGradientStep(model, input.exampleShape, input.numClasses);

  port.on('message', (message: ToGradientWorker) => {
    if (message.type !== 'shard') return;
    void (async () => {
      try {
        const fresh = message.weights.map((values, i) => tf.tensor(values, shapes[i]!));
        model.setWeights(fresh);
        fresh.forEach((t) => t.dispose());
        const { loss, correct, grads } = await gradients(
          message.x,
          message.targets,
          message.sampleWeights,
          message.count,
        );
        let values: Float32Array[];
        try {
          values = await Promise.all(grads.map(async (g) => (await g.data()) as Float32Array));
        } finally {
          grads.forEach((g) => g.dispose());
        }
        post({ type: 'gradients', step: message.step, loss, correct, grads: values }, transferable(values));
      } catch (error) {
        failed(error);
      }
    })();
  });
  post({ type: 'ready' });
} catch (error) {
  failed(error);
}
