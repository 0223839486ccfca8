/**
 * An inference worker (see inference/inference-helpers.ts): holds copies of the
 * models the main thread predicts with and runs the share of each batch it is sent.
 * tfjs' wasm backend runs on one thread under Node, so a second core needs a second
 * tfjs, here.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend.js';
import { registerWasmTrainingKernels } from '../kernels/index.js';
import { inferenceRunner, type InferenceGraph } from '../inference/inference-graph.js';
import type { FromInferenceWorker, InferenceWorkerInput, ToInferenceWorker } from './inference-protocol.js';

const port = parentPort;
if (!port) throw new Error('inference-worker.ts must run in a worker thread');
const input = workerData as InferenceWorkerInput;
const post = (message: FromInferenceWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

const models = new Map<number, { model: tf.LayersModel; graph: InferenceGraph }>();

function forget(id: number): void {
  const loaded = models.get(id);
  models.delete(id);
  loaded?.graph.dispose();
  loaded?.model.dispose();
}

async function handle(request: ToInferenceWorker): Promise<void> {
  if (request.type === 'forget') return forget(request.model);
  if (request.type === 'load') {
    try {
      const model = await tf.loadLayersModel(tf.io.fromMemory(request.artifacts));
      forget(request.model);
      models.set(request.model, { model, graph: inferenceRunner(model) });
      post({ type: 'loaded', model: request.model });
    } catch (error) {
      post({ type: 'failed', model: request.model, message: message(error) });
    }
    return;
  }
  try {
    const loaded = models.get(request.model);
    if (!loaded) throw new Error(`model ${request.model} is not loaded`);
    const output = tf.tidy(() => loaded.graph.predict(tf.tensor4d(request.inputs, request.shape)));
    const probabilities = (await output.data()) as Float32Array;
    output.dispose();
    post({ type: 'result', request: request.request, probabilities }, [probabilities.buffer as ArrayBuffer]);
  } catch (error) {
    post({ type: 'failed', request: request.request, message: message(error) });
  }
}

try {
  await selectBackend('wasm');
  if (input.wasmKernels) registerWasmTrainingKernels();
} catch (error) {
  post({ type: 'failed', message: message(error) });
  throw error;
}
// One request at a time, in the order sent: a batch share is a few hundred milliseconds of work.
let queue = Promise.resolve();
port.on('message', (request: ToInferenceWorker) => {
  // handle answers its own failures; a throw past it must not stop the requests after it.
  queue = queue
    .then(() => handle(request))
    .catch((error: unknown) => post({ type: 'failed', message: message(error) }));
});
post({ type: 'ready' });
