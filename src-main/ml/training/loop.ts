/**
 * The training loop: a hand-written loop over our own step (step.ts, or
 * parallel-step.ts across threads) rather than `model.fit`.
 *
 * Why not fit: batches come from our own sources (pixel store + seeded augmentation,
 * or cached embeddings) that fit would need wrapped in a tf.data pipeline; class
 * weights as per-sample loss weights, cancellation between any two batches, per-batch
 * progress, and checkpointing the optimizer with the shuffle/augment RNG state all
 * want control of the step; and fit keeps extra per-epoch tensors we would have to
 * audit for leaks anyway. The loss is Keras' categorical cross-entropy on the
 * softmax output (probabilities clipped to [1e-7, 1-1e-7]).
 */
import * as tf from '@tensorflow/tfjs';
import { exampleSize, type BatchSource } from '../data/batches.js';
import { Rng } from '../data/rng.js';
import type { LoopState } from './checkpoint.js';
import { setLearningRate } from './optimizers.js';
import { createParallelStep } from '../worker/parallel-step.js';
import { startGemmTeam, stopGemmTeam } from '../kernels/gemm-team.js';
import type { BackendWasm } from '../kernels/wasm/wasm-heap.js';
import { createTrainStep, EPSILON, type TrainStep } from './step.js';
import type { EpochEvent } from './types.js';

export interface LabelledSource {
  source: BatchSource;
  labels: Int32Array;
}

export interface LoopConfig {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  train: LabelledSource;
  validation: LabelledSource | null;
  numClasses: number;
  classWeights: Float32Array;
  batchSize: number;
  epochs: number;
  augment: boolean;
  earlyStopping: { patience: number; minDelta: number } | null;
  /** Halve the learning rate after this many epochs without improvement (null: constant rate). */
  reduceOnPlateau: { patience: number; factor: number; minLearningRate: number } | null;
  /**
   * Cosine decay from `initial` to `final` over `epochs`, set at the start of each
   * epoch from the epoch number alone (so a resumed run continues the same curve).
   * Takes the place of `reduceOnPlateau` when set.
   */
  cosineDecay: { initial: number; final: number } | null;
  /** Label smoothing ε for the training targets (0: one-hot). Validation loss is always against the true labels. */
  labelSmoothing: number;
  /** Threads that may share each batch (data-parallel, see parallel-step.ts); 1: this thread only. */
  parallelism: number;
  /** Spread only if timing the first batches shows it is faster (see ParallelOptions). */
  adaptiveParallelism: boolean;
  /**
   * Spread by shards even where the GEMM team could start: for a network whose time is
   * mostly outside the team's products (MobileNet's depthwise layers and elementwise
   * ops), shards run every op on every core.
   */
  preferShards?: boolean;
  signal: AbortSignal;
  /**
   * End after this epoch as if cancelled (its checkpoint written): a sweep compares its
   * trials at fixed epochs and resumes the ones it keeps. Null: train to the end.
   */
  pauseAfterEpoch?: number | null;
  onBatch?: (info: {
    epoch: number;
    batch: number;
    batches: number;
    loss: number;
    accuracy: number;
    imagesPerSecond: number;
  }) => void;
  /**
   * Called after each epoch with the updated state and the best weights so far,
   * before the next epoch starts; awaited (checkpoint and export writes). On an
   * `improved` epoch the model itself holds the best weights.
   */
  onEpochEnd: (event: EpochEvent, state: LoopState, bestWeights: tf.Tensor[] | null) => Promise<void>;
}

export interface LoopOutcome {
  status: 'completed' | 'early-stopped' | 'cancelled';
  /** Threads the steps ran on at the end. */
  threads: number;
  /** Why the steps stayed on, or fell back to, one thread when more were asked for, if something failed. */
  parallelFailure: string | null;
  state: LoopState;
  /** Copies of the best weights (the caller disposes them), or null if no epoch improved. */
  bestWeights: tf.Tensor[] | null;
}

export function initialState(seedShuffle: number, seedAugment: number, learningRate: number): LoopState {
  return {
    epoch: 0,
    history: [],
    bestEpoch: null,
    bestValue: null,
    wait: 0,
    learningRate,
    shuffleRng: seedShuffle,
    augmentRng: seedAugment,
  };
}

/** Target rows: 1 − ε + ε/k for the label and ε/k elsewhere (ε = `smoothing`; 0 gives one-hot rows). */
function targetRows(
  labels: Int32Array,
  ids: ArrayLike<number>,
  count: number,
  numClasses: number,
  smoothing: number,
  out: Float32Array,
): void {
  const rest = smoothing / numClasses;
  out.fill(rest, 0, count * numClasses);
  for (let b = 0; b < count; b++) out[b * numClasses + labels[ids[b]!]!] = 1 - smoothing + rest;
}

/** Mean loss and accuracy of `model` on a whole source, in inference mode. */
export async function evaluateSource(
  model: tf.LayersModel,
  data: LabelledSource,
  numClasses: number,
  batchSize: number,
): Promise<{ loss: number; accuracy: number; probabilities: Float32Array }> {
  const { source, labels } = data;
  const size = exampleSize(source);
  const x = new Float32Array(batchSize * size);
  const probabilities = new Float32Array(source.size * numClasses);
  const ids = new Int32Array(batchSize);
  for (let start = 0; start < source.size; start += batchSize) {
    const count = Math.min(batchSize, source.size - start);
    for (let b = 0; b < count; b++) ids[b] = start + b;
    source.fill(ids.subarray(0, count), x, false);
    const output = tf.tidy(
      () =>
        model.apply(tf.tensor(x.subarray(0, count * size), [count, ...source.exampleShape]), {
          training: false,
        }) as tf.Tensor,
    );
    // Read asynchronously: GPU backends (webgpu) cannot read back synchronously in Node.
    probabilities.set((await output.data()) as Float32Array, start * numClasses);
    output.dispose();
  }
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < source.size; i++) {
    const row = probabilities.subarray(i * numClasses, (i + 1) * numClasses);
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (row[c]! > row[best]!) best = c;
    if (best === labels[i]) correct++;
    lossSum += -Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, row[labels[i]!]!)));
  }
  return { loss: lossSum / Math.max(1, source.size), accuracy: correct / Math.max(1, source.size), probabilities };
}

function snapshot(model: tf.LayersModel): tf.Tensor[] {
  return model.getWeights().map((w) => tf.clone(w));
}

interface Stepper {
  step: TrainStep;
  threads: () => number;
  failure: () => string | null;
  close: () => Promise<void>;
}

/**
 * The step function: spread over `config.parallelism` threads where that works, else
 * this thread's. Only wasm is spread: GPU and native backends use their own threads,
 * and the weights must be copies when read back (wasm's are).
 */
async function stepperFor(config: LoopConfig): Promise<Stepper> {
  const { model, optimizer, train, numClasses } = config;
  const single = (failure: string | null): Stepper => ({
    step: createTrainStep(model, optimizer, train.source.exampleShape, numClasses),
    threads: () => 1,
    failure: () => failure,
    close: async () => {},
  });
  if (config.parallelism <= 1 || tf.getBackend() !== 'wasm') return single(null);
  // Every core on each product of one step, on the shared heap: no weights or gradients
  // copied between threads (gemm-team.ts). Shards across threads only where that cannot start.
  const backend = tf.backend() as BackendWasm;
  const team = config.preferShards ? null : await startGemmTeam(backend, config.parallelism).catch(() => null);
  if (team) return { ...single(null), threads: () => team.threads, close: () => stopGemmTeam(backend) };
  try {
    return await createParallelStep(model, optimizer, train.source.exampleShape, numClasses, config.parallelism - 1, {
      adaptive: config.adaptiveParallelism,
    });
  } catch (error) {
    return single(error instanceof Error ? error.message : String(error));
  }
}

/** The learning rate of epoch `epoch` (0-based) of `epochs` under cosine decay. */
export function cosineRate(decay: { initial: number; final: number }, epoch: number, epochs: number): number {
  const progress = epochs > 1 ? Math.min(1, epoch / (epochs - 1)) : 0;
  return decay.final + 0.5 * (decay.initial - decay.final) * (1 + Math.cos(Math.PI * progress));
}

/** Runs epochs state.epoch+1 … config.epochs. */
export async function runTrainingLoop(
  config: LoopConfig,
  start: LoopState,
  startBest: tf.Tensor[] | null,
): Promise<LoopOutcome> {
  const stepper = await stepperFor(config);
  try {
    const outcome = await runEpochs(config, start, startBest, stepper.step);
    return { ...outcome, threads: stepper.threads(), parallelFailure: stepper.failure() };
  } finally {
    await stepper.close();
  }
}

async function runEpochs(
  config: LoopConfig,
  start: LoopState,
  startBest: tf.Tensor[] | null,
  step: TrainStep,
): Promise<Omit<LoopOutcome, 'threads' | 'parallelFailure'>> {
  const { model, train, numClasses, batchSize, optimizer } = config;
  const state: LoopState = { ...start, history: [...start.history] };
  let bestWeights = startBest;
  const size = exampleSize(train.source);
  const x = new Float32Array(batchSize * size);
  const y = new Float32Array(batchSize * numClasses);
  const sampleWeights = new Float32Array(batchSize);
  const order = new Int32Array(train.source.size);
  const batches = Math.ceil(train.source.size / batchSize);
  const shuffle = new Rng(0);
  const startedAt = performance.now();
  const previousSeconds = state.history.at(-1)?.elapsedSeconds ?? 0;
  train.source.setRandomState(state.augmentRng);
  setLearningRate(optimizer, state.learningRate);

  while (state.epoch < config.epochs) {
    if (config.signal.aborted) return { status: 'cancelled', state, bestWeights };
    if (config.cosineDecay) {
      state.learningRate = cosineRate(config.cosineDecay, state.epoch, config.epochs);
      setLearningRate(optimizer, state.learningRate);
    }
    const epochStart = performance.now();
    for (let i = 0; i < order.length; i++) order[i] = i;
    shuffle.setState(state.shuffleRng);
    shuffle.shuffle(order as unknown as number[]);
    let lossSum = 0;
    let correctSum = 0;
    let seen = 0;
    let trainSeconds = 0;

    for (let batch = 0; batch < batches; batch++) {
      // Yield so a worker sees cancel messages; abandon the partial epoch on cancel.
      await new Promise((resolve) => setImmediate(resolve));
      if (config.signal.aborted) return { status: 'cancelled', state, bestWeights };
      const stepStart = performance.now();
      const ids = order.subarray(batch * batchSize, Math.min(order.length, (batch + 1) * batchSize));
      const count = ids.length;
      train.source.fill(ids, x, config.augment);
      targetRows(train.labels, ids, count, numClasses, config.labelSmoothing, y);
      for (let b = 0; b < count; b++) sampleWeights[b] = config.classWeights[train.labels[ids[b]!]!]!;

      const { loss, correct } = await step(x, y, sampleWeights, count);
      trainSeconds += (performance.now() - stepStart) / 1000;
      lossSum += loss * count;
      correctSum += correct;
      seen += count;
      config.onBatch?.({
        epoch: state.epoch + 1,
        batch: batch + 1,
        batches,
        loss: lossSum / seen,
        accuracy: correctSum / seen,
        imagesPerSecond: seen / Math.max(trainSeconds, 1e-9),
      });
    }

    const val = config.validation ? await evaluateSource(model, config.validation, numClasses, batchSize * 2) : null;
    state.epoch += 1;
    state.shuffleRng = shuffle.getState();
    state.augmentRng = train.source.getRandomState();
    const monitored = val ? val.loss : lossSum / seen;
    const minDelta = config.earlyStopping?.minDelta ?? 0;
    const improved = state.bestValue === null || monitored < state.bestValue - minDelta;
    if (improved) {
      state.bestValue = monitored;
      state.bestEpoch = state.epoch;
      state.wait = 0;
      bestWeights?.forEach((t) => t.dispose());
      bestWeights = snapshot(model);
    } else {
      state.wait += 1;
    }
    const learningRate = state.learningRate;
    const plateau = config.cosineDecay ? null : config.reduceOnPlateau;
    if (plateau && !improved && state.wait % plateau.patience === 0) {
      // Noisy, stalled validation loss at a high rate is the usual case; a smaller
      // step lets it settle (and batch-norm statistics with it).
      state.learningRate = Math.max(plateau.minLearningRate, state.learningRate * plateau.factor);
      setLearningRate(optimizer, state.learningRate);
    }
    const elapsed = previousSeconds + (performance.now() - startedAt) / 1000;
    const epochSeconds = (performance.now() - epochStart) / 1000;
    const event: EpochEvent = {
      epoch: state.epoch,
      epochs: config.epochs,
      loss: lossSum / seen,
      accuracy: correctSum / seen,
      valLoss: val?.loss ?? null,
      valAccuracy: val?.accuracy ?? null,
      imagesPerSecond: seen / Math.max(trainSeconds, 1e-9),
      epochSeconds,
      elapsedSeconds: elapsed,
      etaSeconds: epochSeconds * (config.epochs - state.epoch),
      learningRate,
      improved,
    };
    state.history.push(event);
    await config.onEpochEnd(event, state, bestWeights);
    if (config.earlyStopping && state.wait >= config.earlyStopping.patience && state.epoch < config.epochs) {
      return { status: 'early-stopped', state, bestWeights };
    }
    if (config.pauseAfterEpoch && state.epoch >= config.pauseAfterEpoch && state.epoch < config.epochs)
      return { status: 'cancelled', state, bestWeights };
  }
  return { status: 'completed', state, bestWeights };
}
