/**
 * The app's main thread while a model trains: event-loop delay on this thread
 * while runTrainingInWorker (the app's own path: a worker thread, data-parallel
 * helpers on every core) trains the glyph preset. The target is under 50 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Dataset } from '../src-main/ml/data/dataset.js';
import { runTrainingInWorker } from '../src-main/ml/worker/run-in-worker.js';

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

export async function eventLoopDuringTraining(dataset: Dataset, seconds: number, log: (...parts: unknown[]) => void) {
  const runDir = mkdtempSync(join(tmpdir(), 'seshat-bench-responsive-'));
  const controller = new AbortController();
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  let threads: number | null;
  let batches = 0;
  let measuring = false;
  log(`responsiveness: training cnn-plus in a worker for ${seconds} s`);
  const run = runTrainingInWorker(
    {
      dataset,
      options: {
        preset: 'cnn-plus',
        glyphMode: true,
        colorMode: 'grayscale',
        input: { width: 50, height: 75 },
        epochs: 50,
        seed: 1,
      },
      runDir,
    },
    {
      signal: controller.signal,
      onProgress: (progress) => {
        // Measure from the first batch on: decoding is sharp's thread pool, not training.
        if (progress.message?.startsWith('Epoch') && !measuring) {
          measuring = true;
          histogram.enable();
          setTimeout(() => controller.abort(), seconds * 1000);
        }
        if (measuring) batches++;
      },
    },
    { backend: 'wasm' },
  );
  try {
    const result = await run;
    threads = result.threads;
  } finally {
    histogram.disable();
    rmSync(runDir, { recursive: true, force: true });
  }
  return {
    seconds,
    training_threads: threads,
    progress_events: batches,
    event_loop_delay_ms: {
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
    },
    target_ms: 50,
  };
}
