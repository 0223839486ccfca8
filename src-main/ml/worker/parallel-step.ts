/**
 * Data-parallel training step: one model, several cores.
 *
 * tfjs runs wasm single-threaded under Node, so one training step uses one core.
 * Here each batch is cut into shards; helper threads (gradient-worker.ts) each get
 * the current weights and one shard, this thread works on the first shard, and
 * the shards' gradients are averaged (weighted by shard size, which is exactly the
 * whole batch's mean-loss gradient) and applied once by this thread's optimizer.
 * Helpers never update weights, so there is one source of truth and nothing to
 * re-synchronise after a learning-rate change, a resume or a best-weights restore.
 *
 * Batch norm sees per-shard batch statistics (as in PyTorch's DDP without SyncBN);
 * the moving averages are this thread's.
 */
import type { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../src-shared/errors.js';
import {
  transferable,
  type FromGradientWorker,
  type GradientWorkerInput,
  type ToGradientWorker,
} from './parallel-protocol.js';
import { createGradientStep, createTrainStep, type Gradients, type TrainStep } from '../training/step.js';
import { entryScript, startThread } from './thread.js';

/** Shards smaller than this cost more in messages than they save. */
export const MIN_SHARD = 8;

export interface ParallelStep {
  step: TrainStep;
  /** Threads the steps run on now: 1 + helpers, or 1 once `adaptive` has found that faster. */
  threads(): number;
  /** Why the steps fell back to this thread mid-run (a helper failed), or null. */
  failure(): string | null;
  close(): Promise<void>;
}

export interface ParallelOptions {
  /**
   * Time both ways on the first batches and keep the faster per example. Messages
   * and per-step bookkeeping cost about the same whatever the model, so small
   * models (an MNIST-sized CNN) are no faster spread, while the presets at glyph
   * or photo size are 1.6–1.8× faster on two cores.
   */
  adaptive?: boolean;
}

/** Steps timed each way before an adaptive step settles (the first of each is warm-up). */
const TRIAL_STEPS = 4;

/**
 * An adaptive step that settled on one thread times both ways again after this many
 * steps: other work on the machine during the first trial (an import, a second
 * run) must not pin a whole run to one core. It costs a few slower steps at most.
 */
const RETRIAL_AFTER = 150;

interface Helper {
  worker: Worker;
  /** Settles with the next 'gradients' message. */
  pending: {
    resolve: (message: Extract<FromGradientWorker, { type: 'gradients' }>) => void;
    reject: (error: Error) => void;
  } | null;
  error: Error | null;
}

/** A helper's reply that failed: the step can be run again on this thread. */
class HelperFailure extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** Async, so that a Worker constructor that throws becomes a rejection like any other failure. */
async function startHelper(input: GradientWorkerInput): Promise<Helper> {
  const worker = startThread(entryScript('gradient-worker'), input);
  const helper: Helper = { worker, pending: null, error: null };
  const fail = (error: Error) => {
    helper.error = error;
    helper.pending?.reject(error);
    helper.pending = null;
  };
  return new Promise((resolve, reject) => {
    worker.on('message', (message: FromGradientWorker) => {
      if (message.type === 'ready') resolve(helper);
      else if (message.type === 'failed') {
        const error = new AppError('INTERNAL', `A training helper thread failed: ${message.message}`);
        reject(error);
        fail(error);
      } else if (message.type === 'gradients') {
        helper.pending?.resolve(message);
        helper.pending = null;
      }
    });
    worker.on('error', (error) => {
      reject(error);
      fail(new AppError('INTERNAL', `A training helper thread crashed: ${error.message}`, { cause: error }));
    });
    worker.on('exit', (code) => {
      const error = new AppError('INTERNAL', `A training helper thread exited (code ${code})`);
      reject(error);
      fail(error);
    });
  });
}

function sendShard(
  helper: Helper,
  message: ToGradientWorker,
): Promise<Extract<FromGradientWorker, { type: 'gradients' }>> {
  if (helper.error) return Promise.reject(helper.error);
  return new Promise((resolve, reject) => {
    helper.pending = { resolve, reject };
    helper.worker.postMessage(
      message,
      transferable([message.x, message.targets, message.sampleWeights, ...message.weights]),
    );
  });
}

/**
 * A TrainStep that spreads each batch over this thread and `helperCount` helper
 * threads. Batches too small to split run on this thread alone.
 */
export async function createParallelStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  exampleShape: number[],
  numClasses: number,
  helperCount: number,
  options: ParallelOptions = {},
): Promise<ParallelStep> {
  const input: GradientWorkerInput = {
    topology: JSON.stringify(model.toJSON(null, false)),
    backend: tf.getBackend(),
    exampleShape,
    numClasses,
  };
  const started = await Promise.allSettled(Array.from({ length: helperCount }, () => startHelper(input)));
  const helpers = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const notStarted = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (notStarted) {
    await Promise.all(helpers.map((helper) => helper.worker.terminate())); // no thread outlives a failed start
    throw notStarted.reason;
  }
  const local = createTrainStep(model, optimizer, exampleShape, numClasses);
  const gradients = createGradientStep(model, exampleShape, numClasses);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const size = exampleShape.reduce((a, b) => a * b, 1);
  let stepNumber = 0;

  const spread: TrainStep = async (x, targets, sampleWeights, count) => {
    const shards = Math.min(helpers.length + 1, Math.floor(count / MIN_SHARD));
    if (shards < 2) return local(x, targets, sampleWeights, count);
    stepNumber += 1;
    // Shard s is [bounds[s], bounds[s+1]): sizes differ by one at most and none is empty.
    const bounds = Array.from({ length: shards + 1 }, (_, s) => Math.floor((s * count) / shards));
    const weights = await Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
    const replies = helpers.slice(0, shards - 1).map((helper, h) => {
      const start = bounds[h + 1]!;
      const n = bounds[h + 2]! - start;
      return sendShard(helper, {
        type: 'shard',
        step: stepNumber,
        // Every helper but the last gets its own copy of the weights (the buffers are transferred).
        weights: h === shards - 2 ? weights : weights.map((w) => w.slice()),
        x: x.slice(start * size, (start + n) * size),
        targets: targets.slice(start * numClasses, (start + n) * numClasses),
        sampleWeights: sampleWeights.slice(start, start + n),
        count: n,
      }).then((reply) => ({ reply, n }));
    });
    // Settled, never rejected: no reply is left without a handler, whatever fails here.
    const settled = Promise.allSettled(replies);
    const ownCount = bounds[1]!;
    let own: Gradients | null = null;
    try {
      own = await gradients(x, targets, sampleWeights, ownCount);
      const outcomes = await settled;
      const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failed) throw new HelperFailure(failed.reason);
      const others = outcomes.map(
        (outcome) =>
          (outcome as PromiseFulfilledResult<{ reply: Extract<FromGradientWorker, { type: 'gradients' }>; n: number }>)
            .value,
      );
      const ownGrads = own.grads;
      const averaged = tf.tidy(() =>
        ownGrads.map((g, i) =>
          others.reduce(
            (sum, { reply, n }) => tf.add(sum, tf.mul(tf.tensor(reply.grads[i]!, g.shape), n / count)),
            tf.mul(g, ownCount / count),
          ),
        ),
      );
      optimizer.applyGradients(Object.fromEntries(variables.map((v, i) => [v.name, averaged[i]!])));
      averaged.forEach((g) => g.dispose());
      const loss = others.reduce((sum, { reply, n }) => sum + reply.loss * n, own.loss * ownCount) / count;
      const correct = others.reduce((sum, { reply }) => sum + reply.correct, own.correct);
      return { loss, correct };
    } finally {
      own?.grads.forEach((g) => g.dispose());
    }
  };

  const close = async () => {
    await Promise.all(helpers.map((helper) => helper.worker.terminate()));
  };
  let mode: 'trial' | 'spread' | 'local' = options.adaptive ? 'trial' : 'spread';
  let perExample = { spread: [] as number[], local: [] as number[] };
  let trials = 0;
  let localSteps = 0;
  let largestBatch = 0;
  let failure: string | null = null;

  /** Spreads the batch; a helper that fails mid-run hands the rest of the run to this thread. */
  const spreadOrFallBack: TrainStep = async (x, targets, sampleWeights, count) => {
    try {
      return await spread(x, targets, sampleWeights, count);
    } catch (error) {
      if (!(error instanceof HelperFailure)) throw error;
      // Nothing was applied yet: the batch is simply run again here.
      failure = error.message;
      mode = 'local';
      localSteps = -Infinity; // no more trials with a broken helper
      await close();
      return local(x, targets, sampleWeights, count);
    }
  };

  const step: TrainStep = async (x, targets, sampleWeights, count) => {
    if (mode === 'spread') return spreadOrFallBack(x, targets, sampleWeights, count);
    if (mode === 'local') {
      if (++localSteps >= RETRIAL_AFTER) {
        mode = 'trial';
        perExample = { spread: [], local: [] };
        trials = 0;
      }
      return local(x, targets, sampleWeights, count);
    }
    largestBatch = Math.max(largestBatch, count);
    // Only whole batches are timed: an epoch's short last batch says little and may not split.
    if (count < largestBatch) return local(x, targets, sampleWeights, count);
    const way = trials++ % 2 === 0 ? 'spread' : 'local';
    const start = performance.now();
    const result = await (way === 'spread' ? spreadOrFallBack : local)(x, targets, sampleWeights, count);
    if (mode !== 'trial') return result; // a helper failed during the trial
    perExample[way].push((performance.now() - start) / count);
    if (perExample.local.length >= TRIAL_STEPS) {
      // Medians without each way's first (warm-up) step; spreading must clearly win.
      const median = (values: number[]) =>
        [...values.slice(1)].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
      mode = median(perExample.spread) < 0.9 * median(perExample.local) ? 'spread' : 'local';
      localSteps = 0;
    }
    return result;
  };

  return {
    step,
    threads: () => (mode === 'local' ? 1 : helpers.length + 1),
    failure: () => failure,
    close,
  };
}
