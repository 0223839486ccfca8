/**
 * Prediction on every core: worker threads that each run a share of a batch.
 *
 * Why: tfjs' wasm backend runs on one thread under Node, so classifying a folder or
 * reading a wall used one core of two. The GEMM team that training uses
 * (kernels/gemm-team.ts) does not help here: inference runs the backend's own fused
 * convolutions, which on one thread beat Seshat's GEMM on two (1,650 against 1,050
 * images/s for the Small CNN). So each helper is a second tfjs with a copy of the
 * model, and a batch is split between this thread and the helpers.
 *
 * A helper gets a model's weights once per `InferenceGraph` (a graph is replaced
 * whenever the weights change, e.g. by batch-norm adaptation), so a helper always
 * runs exactly the weights this thread would. Until a helper has started and loaded
 * the model, this thread runs whole batches alone; a helper that fails is dropped
 * and its share is run here, so a helper can only ever make prediction faster.
 */
import type { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { concatenated } from '../../../src-shared/typed-arrays.js';
import { trainingCores } from '../cores.js';
import { wasmTrainingKernelsRegistered } from '../kernels/index.js';
import { entryScript, startThread } from '../worker/thread.js';
import type { FromInferenceWorker, InferenceWorkerInput, ToInferenceWorker } from '../worker/inference-protocol.js';
import type { InferenceGraph } from './inference-graph.js';

/** What a helper needs to run a member: its model (to copy), the graph it runs now, its input size. */
export interface HelpedMember {
  model: tf.LayersModel;
  graph: InferenceGraph;
  preprocessing: { input: { width: number; height: number; channels: number } };
}

/** Models a helper keeps at once: an ensemble's two members, and each adapted to a wall or two. */
const MODELS_KEPT = 6;

/** The weights of `model` as `model.save` writes them (adapted statistics included). */
async function artifactsOf(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

class InferenceHelper {
  private readonly worker: Worker;
  private started = false;
  private broken = false;
  private nextRequest = 1;
  private nextModel = 1;
  private readonly pending = new Map<number, { resolve(p: Float32Array): void; reject(e: Error): void }>();
  /** Each graph this helper has (or is getting) a copy of, oldest first, with the model's id there. */
  private readonly models = new Map<InferenceGraph, { id: number; loaded: boolean }>();

  constructor(input: InferenceWorkerInput) {
    this.worker = startThread(entryScript('inference-worker'), input);
    this.worker.on('message', (message: FromInferenceWorker) => this.receive(message));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', () => this.fail(new Error('the inference worker exited')));
    // After the listeners: adding a 'message' listener refs the worker again.
    this.worker.unref();
  }

  /** Members to load as soon as the worker has started (see `warmInferenceHelpers`). */
  private readonly expected: HelpedMember[] = [];

  expect(member: HelpedMember): void {
    if (this.started) this.canRun(member);
    else this.expected.push(member);
  }

  /** Whether it can take a share of `member`'s batch now; if it is not ready, starts getting ready. */
  canRun(member: HelpedMember): boolean {
    if (this.broken || !this.started) return false;
    const model = this.models.get(member.graph);
    if (model) {
      // Moved to the back: the models kept are the ones used last.
      this.models.delete(member.graph);
      this.models.set(member.graph, model);
      return model.loaded;
    }
    const id = this.nextModel++;
    this.models.set(member.graph, { id, loaded: false });
    if (this.models.size > MODELS_KEPT) this.forget(this.models.keys().next().value!);
    artifactsOf(member.model)
      .then((artifacts) => {
        // Sent only while still wanted: a model forgotten meanwhile would never be freed there.
        if (this.models.get(member.graph)?.id === id) this.send({ type: 'load', model: id, artifacts });
      })
      .catch(() => {
        // Its model was disposed before the worker started (a classifier used once): not a broken helper.
        if (this.models.get(member.graph)?.id === id) this.models.delete(member.graph);
      });
    return false;
  }

  /** Frees the worker's copy of `graph`'s model (its classifier was disposed, or it was used least lately). */
  forget(graph: InferenceGraph): void {
    const entry = this.models.get(graph);
    this.models.delete(graph);
    if (entry) this.send({ type: 'forget', model: entry.id });
  }

  /** Probabilities for `count` images of `member` in `inputs` (transferred: the caller must not use it after). */
  run(member: HelpedMember, inputs: Float32Array, count: number): Promise<Float32Array> {
    const model = this.models.get(member.graph);
    if (this.broken || !model?.loaded) return Promise.reject(new Error('the inference worker cannot run this model'));
    const { width, height, channels } = member.preprocessing.input;
    const request = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.pending.set(request, { resolve, reject });
      // Kept referenced while it owes an answer, so that a CLI waiting on it does not exit.
      this.worker.ref();
      try {
        this.send({ type: 'predict', request, model: model.id, inputs, shape: [count, height, width, channels] }, [
          inputs.buffer as ArrayBuffer,
        ]);
      } catch (error) {
        this.settle(request, error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  stop(): Promise<number> {
    this.broken = true;
    return this.worker.terminate();
  }

  private send(message: ToInferenceWorker, transfer: ArrayBuffer[] = []): void {
    if (!this.broken) this.worker.postMessage(message, transfer);
  }

  private receive(message: FromInferenceWorker): void {
    if (message.type === 'ready') {
      this.started = true;
      for (const member of this.expected.splice(0)) this.canRun(member);
    } else if (message.type === 'loaded') {
      for (const entry of this.models.values()) if (entry.id === message.model) entry.loaded = true;
    } else if (message.type === 'result') this.settle(message.request, message.probabilities);
    else if (message.request !== undefined) this.settle(message.request, new Error(message.message));
    else if (message.model !== undefined) {
      // A model it could not load stays unloaded: this thread runs that member alone.
    } else this.fail(new Error(message.message));
  }

  private settle(request: number, outcome: Float32Array | Error): void {
    const waiting = this.pending.get(request);
    this.pending.delete(request);
    if (this.pending.size === 0) this.worker.unref();
    if (outcome instanceof Error) waiting?.reject(outcome);
    else waiting?.resolve(outcome);
  }

  private fail(error: Error): void {
    const first = !this.broken;
    this.broken = true;
    for (const request of [...this.pending.keys()]) this.settle(request, error);
    if (first) void this.worker.terminate();
  }
}

let helpers: InferenceHelper[] | null = null;
/** Images the helpers have predicted in this process (benches and tests report it). */
let helpedRows = 0;

export function rowsPredictedByHelpers(): number {
  return helpedRows;
}

/**
 * How many threads prediction uses: SESHAT_INFERENCE_THREADS if set (1 turns the
 * helpers off), else every core `trainingCores` counts.
 */
export function inferenceThreads(): number {
  const wanted = Number(process.env.SESHAT_INFERENCE_THREADS);
  return Number.isInteger(wanted) && wanted >= 1 ? Math.min(wanted, 8) : trainingCores();
}

/** This process's inference helpers (started on first use, wasm only), or none. */
function currentHelpers(): InferenceHelper[] {
  if (helpers) return helpers;
  if (tf.getBackend() !== 'wasm') return [];
  const input: InferenceWorkerInput = { wasmKernels: wasmTrainingKernelsRegistered() };
  helpers = [];
  try {
    for (let i = 1; i < inferenceThreads(); i++) helpers.push(new InferenceHelper(input));
  } catch {
    // No worker threads here (a missing entry script, a sandbox): prediction runs on this thread.
  }
  return helpers;
}

/** Frees the helpers' copies of these graphs' models (their classifier was disposed). */
export function forgetInInferenceHelpers(graphs: InferenceGraph[]): void {
  for (const helper of helpers ?? []) for (const graph of graphs) helper.forget(graph);
}

/**
 * Starts the helpers and has them load `members` now, while the caller still has
 * other work (loading, importing): a helper takes about half a second to start, which
 * is a third of classifying two thousand crops.
 */
export function warmInferenceHelpers(members: HelpedMember[]): void {
  for (const helper of currentHelpers()) for (const member of members) helper.expect(member);
}

/** Stops the helpers (tests; the process's exit stops them otherwise). */
export async function stopInferenceHelpers(): Promise<void> {
  const stopping = helpers ?? [];
  helpers = null;
  await Promise.all(stopping.map((helper) => helper.stop()));
}

/** A batch whose helpers' shares are on their way; `finish` runs this thread's share and joins them. */
export interface SharedBatch {
  finish(predictHere: (inputs: Float32Array, count: number) => Promise<Float32Array>): Promise<Float32Array>;
}

/**
 * Sends every ready helper its share of `member`'s batch of `count` images in `inputs`
 * now, so that they work while this thread finishes the batch before (predict.ts
 * prepares batch k + 1 while it infers and stores batch k). `inputs` must stay
 * untouched until `finish` resolves: a helper that fails has its share run here.
 */
export function startShared(member: HelpedMember, inputs: Float32Array, count: number): SharedBatch {
  const ready = count < 2 ? [] : currentHelpers().filter((helper) => helper.canRun(member));
  const { width, height, channels } = member.preprocessing.input;
  const floats = width * height * channels;
  const fraction = ready.length === 0 ? 1 : (ownShare.get(member.graph) ?? 1 / (ready.length + 1));
  const mine = Math.max(1, Math.min(count, Math.round(count * fraction)));
  const each = Math.ceil((count - mine) / Math.max(1, ready.length));
  const parts = ready.map((helper, h) => {
    const from = Math.min(count, mine + h * each);
    const to = Math.min(count, from + each);
    const outcome: Promise<Float32Array | Error> =
      to > from
        ? helper.run(member, inputs.slice(from * floats, to * floats), to - from).then(
            (probabilities) => {
              helpedRows += to - from;
              return probabilities;
            },
            (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
          )
        : Promise.resolve(new Float32Array(0));
    // Whether the share was back before this thread finished its own (then the helper was waiting).
    let back = false;
    void outcome.then(() => (back = true));
    return { from, to, outcome, back: () => back };
  });
  return {
    async finish(predictHere) {
      const results = [await predictHere(inputs.subarray(0, mine * floats), mine)];
      if (parts.length > 0) {
        // A helper's answer waits in the event loop until this thread yields: let it in first.
        await new Promise((resolve) => setImmediate(resolve));
        balance(
          member.graph,
          fraction,
          parts.every((part) => part.back()),
        );
      }
      for (const part of parts) {
        const outcome = await part.outcome;
        results.push(
          outcome instanceof Error
            ? await predictHere(inputs.subarray(part.from * floats, part.to * floats), part.to - part.from)
            : outcome,
        );
      }
      return results.length === 1 ? results[0]! : concatenated(results, (length) => new Float32Array(length));
    },
  };
}

/**
 * This thread's share of a batch, per graph. It does more than infer (decoding,
 * storing results), so an even split left the helpers waiting: the share moves a step
 * towards whichever side finished first, batch by batch, until both finish together.
 */
const ownShare = new WeakMap<InferenceGraph, number>();
const SHARE_STEP = 0.02;

function balance(graph: InferenceGraph, fraction: number, helpersWereBack: boolean): void {
  const next = fraction + (helpersWereBack ? -SHARE_STEP : SHARE_STEP);
  ownShare.set(graph, Math.min(0.9, Math.max(0.1, next)));
}

/** `member`'s probabilities for `count` images in `inputs`, shared between this thread and the ready helpers. */
export function predictShared(
  member: HelpedMember,
  inputs: Float32Array,
  count: number,
  predictHere: (inputs: Float32Array, count: number) => Promise<Float32Array>,
): Promise<Float32Array> {
  return startShared(member, inputs, count).finish(predictHere);
}
