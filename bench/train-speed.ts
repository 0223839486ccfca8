/**
 * The train bench's speed rows (train.ts): images/s of one training step (forward, loss,
 * gradients, the app's optimizer step) and of inference, for the Small CNN (75×50×3,
 * batch 64), an MNIST-style CNN (28×28×1, batch 32) and MobileNetV2 α 0.35 at 224 px,
 * on wasm with one thread, with the GEMM team and with shards, and a few steps on the
 * pure-JS cpu backend; beside PyTorch's rows from ../shared/bench/peer_torch.py on the
 * same thread counts, in alternating rounds.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { trainingCores } from '../src-main/ml/cores.js';
import { startGemmTeam, stopGemmTeam } from '../src-main/ml/kernels/gemm-team.js';
import type { BackendWasm } from '../src-main/ml/kernels/wasm/wasm-heap.js';
import { registerWasmTrainingKernels } from '../src-main/ml/kernels/index.js';
import { buildSmallCnn } from '../src-main/ml/models/presets.js';
import { loadMobilenetBackbone } from '../src-main/ml/models/mobilenet.js';
import { createParallelStep } from '../src-main/ml/worker/parallel-step.js';
import { createOptimizer } from '../src-main/ml/training/optimizers.js';
import { createTrainStep } from '../src-main/ml/training/step.js';
import { SHARED } from './accuracy-runs.js';
import { runPeerTorch, type PeerRow } from './peer-torch.js';
import { mnistCnn } from './bench-models.js';
import { inferenceRunner } from '../src-main/ml/inference/inference-graph.js';
import { predictShared, rowsPredictedByHelpers } from '../src-main/ml/inference/inference-helpers.js';
import { predictMember, type ClassifierMember } from '../src-main/ml/inference/predict.js';

/** Cores the data-parallel rows use (training's default caps at 4). */
const CORES = trainingCores();
const log = (...parts: unknown[]): void => console.error('[bench]', ...parts);

/**
 * How a step uses more than one thread: `team` shares each product of the step between
 * threads on the shared heap (gemm-team.ts, what training uses); `shards` splits the
 * batch between threads that each run the step (parallel-step.ts, the fallback).
 */
type Mode = 'single' | 'team' | 'shards';

interface SpeedRow {
  backend: string;
  /** Threads per training step, and per inference batch (shared with the inference helpers above one). */
  threads: number;
  mode: Mode;
  model: string;
  batch: number;
  steps: number;
  train_ms_per_step: number;
  train_img_per_s: number;
  infer_img_per_s: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Images/s of inference as the app runs it (inference/predict.ts): the model compiled for
 * inference (batch norm folded), on this thread alone, or with a batch shared between
 * this thread and the inference helpers (one per other core) for the rows on more than
 * one thread. The helpers start and load the model before the clock starts.
 */
async function inferenceSpeed(
  model: tf.LayersModel,
  shape: number[],
  batch: number,
  calls: number,
  shared: boolean,
): Promise<number> {
  const [height, width, channels] = shape as [number, number, number];
  const member = { model, graph: inferenceRunner(model), preprocessing: { input: { width, height, channels } } };
  const here = (x: Float32Array, rows: number) => predictMember(member as ClassifierMember, x, rows);
  const input = Float32Array.from({ length: batch * width * height * channels }, () => Math.random());
  const run = () => (shared ? predictShared(member, input, batch, here) : here(input, batch));
  try {
    if (shared) {
      const before = rowsPredictedByHelpers();
      for (let i = 0; i < 200 && rowsPredictedByHelpers() === before; i++) {
        await run();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (rowsPredictedByHelpers() === before) throw new Error('the inference helpers never took a share');
    }
    await run();
    const times: number[] = [];
    for (let i = 0; i < calls; i++) {
      const start = performance.now();
      await run();
      times.push(performance.now() - start);
    }
    return Math.round((batch / median(times)) * 10000) / 10;
  } finally {
    member.graph.dispose();
  }
}

/** Median step time over `steps` steps after `warmup`, on random batches like peer_torch.py. */
async function speed(
  backend: string,
  name: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  shape: number[],
  classes: number,
  batch: number,
  warmup: number,
  steps: number,
  threads = 1,
  mode: Mode = 'single',
): Promise<SpeedRow> {
  const size = shape.reduce((a, b) => a * b, 1);
  const pool = Array.from({ length: 4 }, () => {
    const x = Float32Array.from({ length: batch * size }, () => Math.random());
    const y = new Float32Array(batch * classes);
    for (let b = 0; b < batch; b++) y[b * classes + Math.floor(Math.random() * classes)] = 1;
    return { x, y };
  });
  const weights = new Float32Array(batch).fill(1);
  // The app's own step: one thread, or spread over `threads` as training does on wasm.
  const parallel = mode === 'shards' ? await createParallelStep(model, optimizer, shape, classes, threads - 1) : null;
  const wasm = tf.backend() as BackendWasm;
  if (mode === 'team' && !(await startGemmTeam(wasm, threads))) throw new Error('the GEMM team could not start');
  const step = parallel?.step ?? createTrainStep(model, optimizer, shape, classes);
  const times: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const { x, y } = pool[i % pool.length]!;
    const start = performance.now();
    await step(x, y, weights, batch);
    if (i >= warmup) times.push(performance.now() - start);
  }
  await parallel?.close();
  const inferBatch = 64;
  const infer_img_per_s = await inferenceSpeed(model, shape, inferBatch, Math.max(2, Math.min(steps, 10)), threads > 1);
  if (mode === 'team') await stopGemmTeam(wasm);
  const ms = median(times);
  return {
    backend,
    threads,
    mode,
    model: name,
    batch,
    steps,
    train_ms_per_step: Math.round(ms * 10) / 10,
    train_img_per_s: Math.round((batch / ms) * 10000) / 10,
    infer_img_per_s,
  };
}

/**
 * MobileNetV2 α 0.35 at 224 px, every layer trained (Adam), as peer_torch.py's
 * mobilenet_v2_035_224 row: the bundled ImageNet backbone with a 5-class head. Batch 16,
 * not PyTorch's 32: a step of 32 keeps more activations than wasm32's 4 GiB heap holds
 * (16 peaks near 3 GiB). Shards would copy 1.4 M weights per step: only one thread and
 * the team are timed.
 */
async function mobilenetSpeed(threads: number, mode: Mode): Promise<SpeedRow> {
  log('wasm mobilenet_v2_035_224', `${threads} thread(s), ${mode}`);
  const backbone = await loadMobilenetBackbone();
  backbone.trainable = true;
  const input = tf.input({ shape: [224, 224, 3] });
  const features = backbone.apply(input) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 5, activation: 'softmax' }).apply(features) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  const adam = createOptimizer('adam', 1e-3, 0);
  try {
    return await speed('wasm', 'mobilenet_v2_035_224', model, adam, [224, 224, 3], 5, 16, 2, 5, threads, mode);
  } finally {
    model.dispose();
    adam.dispose();
  }
}

async function speedBench(includeCpu: boolean): Promise<SpeedRow[]> {
  const rows: SpeedRow[] = [];
  for (const backend of includeCpu ? ['wasm', 'cpu'] : ['wasm']) {
    await tf.setBackend(backend);
    await tf.ready();
    if (backend === 'wasm') registerWasmTrainingKernels();
    // The pure-JS backend is ~100× slower: a few small steps are enough to show it.
    const [warmup, steps] = backend === 'cpu' ? [1, 2] : [3, 12];
    // wasm also on every core, both ways (team: what training uses); cpu is too slow to bother.
    const ways: Array<[number, Mode]> =
      backend === 'wasm' && CORES > 1
        ? [
            [1, 'single'],
            [CORES, 'team'],
            [CORES, 'shards'],
          ]
        : [[1, 'single']];
    for (const [threads, mode] of ways) {
      log(backend, 'small_cnn', `${threads} thread(s), ${mode}`);
      const small = buildSmallCnn({ width: 50, height: 75, channels: 3 }, 4, 1);
      // The app's own optimizers (on wasm, Adam is the fused one from fused-adam.ts).
      const adam = createOptimizer('adam', 1e-3, 0);
      rows.push(
        await speed(
          backend,
          'small_cnn_3x75x50',
          small,
          adam,
          [75, 50, 3],
          4,
          backend === 'cpu' ? 8 : 64,
          warmup,
          steps,
          threads,
          mode,
        ),
      );
      small.dispose();
      adam.dispose();
      log(backend, 'mnist_cnn', `${threads} thread(s), ${mode}`);
      const mnist = mnistCnn();
      const sgd = createOptimizer('sgd', 0.01, 0.9);
      rows.push(
        await speed(backend, 'mnist_cnn_1x28x28', mnist, sgd, [28, 28, 1], 10, 32, warmup, steps, threads, mode),
      );
      mnist.dispose();
      sgd.dispose();
      if (backend === 'wasm' && mode !== 'shards') rows.push(await mobilenetSpeed(threads, mode));
    }
  }
  await tf.setBackend('wasm');
  return rows;
}

function torchBench(): { available: boolean; reason?: string; rows?: PeerRow[] } {
  const threads = CORES > 1 ? `1,${CORES}` : '1';
  const small = runPeerTorch(SHARED, ['--threads', threads], log);
  if (!small.available) return small;
  // MobileNet needs torchvision; without it the small models' rows still stand.
  const mobile = runPeerTorch(
    SHARED,
    ['--threads', threads, '--models', 'mobilenet_v2_035_224', '--steps', '5', '--warmup', '2'],
    log,
  );
  return { available: true, rows: [...small.rows, ...(mobile.available ? mobile.rows : [])] };
}

const ratio = (a: number, b: number | null): number | null => (b ? Math.round((a / b) * 1000) / 1000 : null);

/** Each wasm row against PyTorch on the same number of threads, and against single-threaded PyTorch (the reference figure). */
function roundRatios(speedRows: SpeedRow[], torchRows: PeerRow[]) {
  const torchRow = (model: string, threads: number) =>
    torchRows.find((r) => r.model === model && r.threads === threads);
  return speedRows
    .filter((row) => row.backend === 'wasm')
    .map((row) => {
      const same = torchRow(row.model, row.threads);
      const single = torchRow(row.model, 1);
      return {
        model: row.model,
        threads: row.threads,
        mode: row.mode,
        wasm_over_torch_train_same_threads: ratio(row.train_img_per_s, same ? Number(same.train_img_per_s) : null),
        wasm_over_torch_1_thread_train: ratio(row.train_img_per_s, single ? Number(single.train_img_per_s) : null),
        wasm_over_torch_infer_same_threads: ratio(row.infer_img_per_s, same ? Number(same.infer_img_per_s) : null),
        wasm_over_torch_1_thread_infer:
          row.threads === 1 ? ratio(row.infer_img_per_s, single ? Number(single.infer_img_per_s) : null) : null,
      };
    });
}

/**
 * wasm and PyTorch measured in alternating rounds. This machine's speed drifts by
 * ±30% over minutes (both sides move), so a ratio is only fair between figures
 * taken close together; the summary is each ratio's median over rounds.
 */
export async function speedRounds(rounds: number) {
  const speed: Array<SpeedRow & { round: number }> = [];
  const torchRows: Array<PeerRow & { round: number }> = [];
  let torchAvailable = true;
  let torchReason: string | undefined;
  const perRound: Array<ReturnType<typeof roundRatios>> = [];
  for (let round = 1; round <= rounds; round++) {
    log(`speed round ${round} of ${rounds}`);
    const rows = await speedBench(round === 1);
    speed.push(...rows.map((row) => ({ ...row, round })));
    const torch = torchBench();
    if (!torch.available) {
      torchAvailable = false;
      torchReason = torch.reason;
      continue;
    }
    torchRows.push(...(torch.rows ?? []).map((row) => ({ ...row, round })));
    perRound.push(roundRatios(rows, torch.rows ?? []));
  }
  const middle = (values: Array<number | null>): number | null => {
    const known = values.filter((v): v is number => v !== null);
    return known.length ? median(known) : null;
  };
  const ratios = (perRound[0] ?? []).map((first, i) => ({
    model: first.model,
    threads: first.threads,
    mode: first.mode,
    rounds: perRound.length,
    wasm_over_torch_train_same_threads: middle(perRound.map((r) => r[i]!.wasm_over_torch_train_same_threads)),
    wasm_over_torch_1_thread_train: middle(perRound.map((r) => r[i]!.wasm_over_torch_1_thread_train)),
    wasm_over_torch_1_thread_infer: middle(perRound.map((r) => r[i]!.wasm_over_torch_1_thread_infer)),
    wasm_over_torch_infer_same_threads: middle(perRound.map((r) => r[i]!.wasm_over_torch_infer_same_threads)),
    per_round_train_same_threads: perRound.map((r) => r[i]!.wasm_over_torch_train_same_threads),
  }));
  return { speed, torch: { available: torchAvailable, reason: torchReason, rows: torchRows }, ratios };
}
