/**
 * Training speed on one named backend, with the adapter it ran on. Prints one JSON
 * document on stdout (progress on stderr; Dawn's driver warnings also go to stderr).
 *
 *   node --import tsx bench/backend-train.ts --backend webgpu|wasm|cpu|tensorflow|tensorflow-gpu
 *     [--models small-cnn,mnist] [--steps 5] [--warmup 1] [--batch N] [--max-seconds 300]
 *
 * Models: the Small CNN preset (Conv16-Pool-Conv32-Pool-Conv64-Pool-Dense512-softmax)
 * at 75×50×3, batch 64, and an MNIST-style CNN (Conv32-Pool-Dense100-softmax) at
 * 28×28×1, batch 32 — the shapes bench/train.ts uses, so the figures sit side by side.
 * One step = upload a random batch, forward, loss, gradients, Adam update, read the
 * loss back with `await data()` (webgpu has no synchronous readback in Node). The
 * first step, which compiles the GPU shaders, is reported apart from the median.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../src-shared/api/types.js';
import { BACKEND_NAMES, selectBackend } from '../src-main/ml/backend.js';
import { registerWasmTrainingKernels } from '../src-main/ml/kernels/index.js';
import { buildSmallCnn } from '../src-main/ml/models/presets.js';
import { mnistCnn } from './bench-models.js';

const log = (...parts: unknown[]): void => console.error('[backend-train]', ...parts);

interface ModelSpec {
  id: string;
  shape: [number, number, number];
  classes: number;
  batch: number;
  build: () => tf.LayersModel;
}

const MODELS: ModelSpec[] = [
  {
    id: 'small-cnn',
    shape: [75, 50, 3],
    classes: 4,
    batch: 64,
    build: () => buildSmallCnn({ width: 50, height: 75, channels: 3 }, 4, 1),
  },
  {
    id: 'mnist',
    shape: [28, 28, 1],
    classes: 10,
    batch: 32,
    build: mnistCnn,
  },
];

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

function randomBatch(spec: ModelSpec, batch: number): { x: Float32Array; y: Float32Array } {
  const size = spec.shape[0] * spec.shape[1] * spec.shape[2];
  const x = Float32Array.from({ length: batch * size }, () => Math.random());
  const y = new Float32Array(batch * spec.classes);
  for (let b = 0; b < batch; b++) y[b * spec.classes + Math.floor(Math.random() * spec.classes)] = 1;
  return { x, y };
}

async function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  spec: ModelSpec,
  batch: number,
  data: { x: Float32Array; y: Float32Array },
): Promise<number> {
  const cost = tf.tidy(() => {
    const input = tf.tensor4d(data.x, [batch, ...spec.shape]);
    const target = tf.tensor2d(data.y, [batch, spec.classes]);
    return optimizer.minimize(
      () => tf.mean(tf.metrics.categoricalCrossentropy(target, model.apply(input, { training: true }) as tf.Tensor)),
      true,
    )!;
  });
  const loss = (await cost.data())[0]!;
  cost.dispose();
  return loss;
}

async function benchModel(
  spec: ModelSpec,
  options: { steps: number; warmup: number; batch?: number; deadline: number },
): Promise<Record<string, unknown>> {
  const batch = options.batch ?? spec.batch;
  const model = spec.build();
  const optimizer = tf.train.adam(1e-3);
  const pool = [randomBatch(spec, batch), randomBatch(spec, batch)];
  const times: number[] = [];
  let firstStep = NaN;
  let lastLoss = NaN;
  for (let i = 0; i < options.warmup + options.steps; i++) {
    if (i > 0 && performance.now() > options.deadline) {
      log(spec.id, `time budget spent after ${i} steps`);
      break;
    }
    const start = performance.now();
    lastLoss = await trainStep(model, optimizer, spec, batch, pool[i % pool.length]!);
    const ms = performance.now() - start;
    if (i === 0) firstStep = ms;
    if (i >= options.warmup) times.push(ms);
    log(spec.id, `step ${i + 1}: ${ms.toFixed(0)} ms`);
  }
  const input = tf.tensor4d(pool[0]!.x, [batch, ...spec.shape]);
  const inferTimes: number[] = [];
  for (let i = 0; i < 3 && performance.now() < options.deadline; i++) {
    const start = performance.now();
    const output = model.predict(input) as tf.Tensor;
    await output.data();
    output.dispose();
    inferTimes.push(performance.now() - start);
  }
  input.dispose();
  model.dispose();
  optimizer.dispose();
  const ms = median(times);
  const inferMs = median(inferTimes.slice(1));
  return {
    model: spec.id,
    input: spec.shape,
    batch,
    timed_steps: times.length,
    first_step_ms: round(firstStep),
    train_ms_per_step: round(ms),
    train_img_per_s: times.length ? round((batch / ms) * 1000) : null,
    infer_img_per_s: Number.isFinite(inferMs) ? round((batch / inferMs) * 1000) : null,
    last_loss: round(lastLoss, 4),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string' },
      models: { type: 'string', default: MODELS.map((m) => m.id).join(',') },
      steps: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      batch: { type: 'string' },
      'max-seconds': { type: 'string', default: '300' },
    },
  });
  const backend = values.backend as BackendName | undefined;
  if (!backend || !BACKEND_NAMES.includes(backend)) {
    process.stderr.write(
      `Usage: bench/backend-train.ts --backend <${BACKEND_NAMES.join('|')}> [--models ${MODELS.map((m) => m.id).join(',')}] [--steps N] [--warmup N] [--batch N] [--max-seconds S]\n`,
    );
    process.exit(2);
  }
  const wanted = values.models.split(',');
  const specs = MODELS.filter((spec) => wanted.includes(spec.id));
  const info = await selectBackend(backend);
  if (info.name === 'wasm') registerWasmTrainingKernels();
  log(`backend ${info.name}: ${info.device}`);
  const deadline = performance.now() + Number(values['max-seconds']) * 1000;
  const results = [];
  for (const spec of specs) {
    results.push(
      await benchModel(spec, {
        steps: Number(values.steps),
        warmup: Number(values.warmup),
        ...(values.batch ? { batch: Number(values.batch) } : {}),
        deadline,
      }),
    );
  }
  const env = {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    tfjs: tf.version.tfjs,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
  };
  const { name, device, adapter, slowForTraining, skipped } = info;
  process.stdout.write(
    `${JSON.stringify({ backend: { name, device, adapter: adapter ?? null, slowForTraining, skipped }, env, results }, null, 2)}\n`,
  );
}

await main();
// Dawn's instance stays referenced from navigator.gpu; nothing else is left to wait for.
process.exit(0);
