/**
 * Training benchmark. Prints one JSON document on stdout (progress goes to stderr).
 *
 *   node --import tsx bench/train.ts              speed only (~5 min: three rounds)
 *   node --import tsx bench/train.ts --accuracy   + accuracy on the shared datasets (~25 min)
 *   flags: --accuracy=glyphs | --accuracy=flowers [--fine-tune=top|all] (one of them), --accuracy=walls (leave one
 *          wall photograph out, each in turn: the headline glyph figure), --accuracy=flowers-classes
 *          (flower classes added one at a time, see class-by-class.ts), --accuracy=architectures
 *          (MLP, Small CNN, CNN+ and ResNet on one split, see architectures.ts), --no-speed (skip speed),
 *          --rounds=N (speed rounds, wasm and PyTorch alternating; default 3)
 *
 * Speed (train-speed.ts): one training step and inference for the Small CNN, an
 * MNIST-style CNN and MobileNetV2 on one thread, with the GEMM team and with shards,
 * beside PyTorch's rows (../shared/bench/peer_torch.py) in alternating rounds; one
 * real `seshat train` run end to end (train-end-to-end.ts); then the main thread's
 * event-loop delay while the app's worker trains the glyph preset for 30 s (target:
 * under 50 ms).
 * Accuracy: unas-glyphs with cnn-plus on a stratified random 80/20 split and on a
 * split that holds out whole pictures; flowers-sample with mobilenet, stratified
 * random 80/20.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { DEFAULT_AUGMENT, type AugmentOptions } from '../src-main/ml/data/augment.js';
import { FINE_TUNE_MODES, type FineTuneMode } from '../src-shared/api/wire-training.js';
import { gemmFor } from '../src-main/ml/kernels/gemm-kernel.js';
import type { BackendWasm } from '../src-main/ml/kernels/wasm/wasm-heap.js';
import { registerWasmTrainingKernels } from '../src-main/ml/kernels/index.js';
import { accuracyRun, folderDataset, glyphDataset, SHARED } from './accuracy-runs.js';
import { architectures } from './architectures.js';
import { classByClass } from './class-by-class.js';
import { imageDetail } from './image-detail.js';
import { leaveOnePictureOut } from './walls.js';
import { eventLoopDuringTraining } from './train-responsiveness.js';
import { endToEndTrain, type EndToEndRow } from './train-end-to-end.js';
import { speedRounds } from './train-speed.js';

const log = (...parts: unknown[]): void => console.error('[bench]', ...parts);

/** The app's own `seshat train` rate (train-end-to-end.ts), or why it was not measured. */
function endToEndRow(): EndToEndRow | { skipped: string } {
  if (!existsSync(join(import.meta.dirname, '..', 'out', 'src-main', 'cli', 'main.js')))
    return { skipped: 'the CLI is not built (npm run build)' };
  try {
    return endToEndTrain(SHARED, log);
  } catch (error) {
    return { skipped: `seshat train failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** --augment=gamma:0.3,stroke:0.3: augmentation on top of the defaults (a quick check of one change). */
function augmentFlag(): { augment: Partial<AugmentOptions> } | Record<string, never> {
  const flag = process.argv.find((arg) => arg.startsWith('--augment='));
  if (!flag) return {};
  const entries = flag
    .slice('--augment='.length)
    .split(',')
    .map((pair) => pair.split(':'))
    .map(([key, value]) => [key!, Number(value)] as const);
  return { augment: { ...DEFAULT_AUGMENT, ...Object.fromEntries(entries) } };
}

async function main(): Promise<void> {
  const accuracyFlag = process.argv.find((arg) => arg.startsWith('--accuracy'));
  const only = accuracyFlag?.split('=')[1];
  await tf.setBackend('wasm');
  await tf.ready();
  const env = {
    node: process.version,
    tfjs: tf.version.tfjs,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    wasm_simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    wasm_threads: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
    // Whether our SIMD kernels (gemm-kernel.ts) use fused multiply-adds in this engine.
    wasm_relaxed_simd: gemmFor(tf.backend() as BackendWasm)?.relaxed ?? false,
  };
  const withSpeed = !process.argv.includes('--no-speed');
  const roundsFlag = process.argv.find((arg) => arg.startsWith('--rounds='));
  const rounds = Math.max(1, Number(roundsFlag?.split('=')[1] ?? 3) || 3);
  const measured = withSpeed ? await speedRounds(rounds) : null;
  const glyphs = glyphDataset(1, 'random');
  const responsiveness = withSpeed && glyphs ? await eventLoopDuringTraining(glyphs, 30, log) : null;
  const endToEnd = withSpeed ? endToEndRow() : null;
  const torch = measured?.torch ?? { available: false, reason: 'skipped (--no-speed)' };
  const speedRows = measured?.speed ?? [];
  const ratios = measured?.ratios ?? [];
  registerWasmTrainingKernels();
  const accuracy: Array<Record<string, unknown>> = [];
  if (only === 'walls') {
    // The headline glyph figure: each wall photograph read by a model that never saw it.
    accuracy.push(
      await leaveOnePictureOut(
        SHARED,
        {
          preset: 'cnn-plus',
          glyphMode: true,
          colorMode: 'grayscale',
          input: { width: 50, height: 75 },
          seed: 1,
          ...augmentFlag(),
        },
        log,
        // --pictures=3,5: hold out only these (a quick check of one change).
        process.argv
          .find((arg) => arg.startsWith('--pictures='))
          ?.split('=')[1]
          ?.split(',') ?? [],
        process.argv.find((arg) => arg.startsWith('--keep='))?.split('=')[1] ?? null,
      ),
    );
  } else if (only === 'architectures') {
    accuracy.push(await architectures(log));
  } else if (only === 'flowers-classes') {
    accuracy.push(await classByClass(folderDataset(join(SHARED, 'datasets', 'flowers-sample'), 1), log));
  } else if (accuracyFlag && only !== 'flowers') {
    const glyphOptions = {
      preset: 'cnn-plus',
      glyphMode: true,
      colorMode: 'grayscale',
      input: { width: 50, height: 75 },
      seed: 1,
    } as const;
    accuracy.push(await accuracyRun('unas-glyphs', 'stratified random 80/20', glyphDataset(1, 'random'), glyphOptions));
    accuracy.push(
      await accuracyRun(
        'unas-glyphs',
        'whole pictures held out (group-aware 80/20)',
        glyphDataset(1, 'picture'),
        glyphOptions,
      ),
    );
  }
  if (accuracyFlag && (only === undefined || only === 'flowers')) {
    const flowers = folderDataset(join(SHARED, 'datasets', 'flowers-sample'), 1);
    // --fine-tune=top|all: fine-tune MobileNet's top blocks or all of it, beside the default (head).
    const fineTune = process.argv.find((arg) => arg.startsWith('--fine-tune='))?.split('=')[1];
    const row = await accuracyRun('flowers-sample', 'stratified random 80/20', flowers, {
      preset: 'mobilenet',
      seed: 1,
      ...((FINE_TUNE_MODES as readonly string[]).includes(fineTune ?? '')
        ? { fineTune: fineTune as FineTuneMode }
        : {}),
    });
    // How much detail the photos hold (see image-detail.ts): it bounds what any backbone can see in them.
    const paths = flowers
      ? [...flowers.train, ...flowers.validation]
          .flatMap((s) => (s.source.kind === 'file' ? [s.source.path] : []))
          .sort()
      : [];
    accuracy.push(paths.length > 0 ? { ...row, image_detail: await imageDetail(paths) } : row);
  }
  console.log(
    JSON.stringify(
      {
        env,
        speed: speedRows,
        torch,
        ratios,
        end_to_end: endToEnd,
        responsiveness,
        accuracy: accuracyFlag ? accuracy : null,
      },
      null,
      2,
    ),
  );
}

await main();
