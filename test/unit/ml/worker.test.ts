/**
 * runTrainingInWorker: a real worker thread (or child process) running the training loop.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from '../../../src-shared/errors.js';
import { runTrainingInWorker } from '../../../src-main/ml/worker/run-in-worker.js';
import type { EpochEvent } from '../../../src-main/ml/training/types.js';
import type { TaskProgress } from '../../../src-shared/progress.js';
import { shapeDataset, tempDir } from './fixtures.js';

describe('runTrainingInWorker', () => {
  test('trains in a worker and forwards progress and epochs', async () => {
    const runDir = await tempDir('worker');
    const progress: TaskProgress[] = [];
    const epochs: EpochEvent[] = [];
    const result = await runTrainingInWorker(
      { dataset: shapeDataset(90, 30), options: { preset: 'small-cnn', epochs: 3, batchSize: 16 }, runDir },
      { signal: new AbortController().signal, onProgress: (p) => progress.push(p), onEpoch: (e) => epochs.push(e) },
      { backend: 'wasm' },
    );
    assert.equal(result.status, 'completed');
    assert.equal(result.backend, 'wasm');
    assert.equal(epochs.length, 3);
    assert.ok(progress.some((p) => p.message?.startsWith('Decoding')));
    assert.ok(progress.some((p) => p.message?.startsWith('Epoch 3/3')));
    assert.ok(result.modelDir);
    await rm(runDir, { recursive: true, force: true });
  });

  test('cancel stops the worker and reports the best-so-far model', async () => {
    const runDir = await tempDir('worker');
    const controller = new AbortController();
    const result = await runTrainingInWorker(
      { dataset: shapeDataset(90, 30), options: { preset: 'small-cnn', epochs: 50, batchSize: 16 }, runDir },
      { signal: controller.signal, onProgress: () => {}, onEpoch: () => controller.abort() },
      { backend: 'wasm' },
    );
    assert.equal(result.status, 'cancelled');
    assert.ok(result.epochsCompleted >= 1 && result.epochsCompleted < 50);
    assert.ok(result.modelDir);
    await rm(runDir, { recursive: true, force: true });
  });

  test('errors from the run keep their code', async () => {
    const runDir = await tempDir('worker');
    const dataset = { ...shapeDataset(3, 0), classes: ['only-one'] };
    await assert.rejects(
      runTrainingInWorker(
        { dataset, options: { preset: 'small-cnn' }, runDir },
        { signal: new AbortController().signal, onProgress: () => {} },
        { backend: 'wasm' },
      ),
      (error: unknown) => error instanceof AppError && error.code === 'INVALID_INPUT',
    );
    await rm(runDir, { recursive: true, force: true });
  });

  test('a crashing or silently exiting worker becomes an AppError, not a hang', async () => {
    const dir = await tempDir('worker');
    const crash = join(dir, 'crash.mjs');
    const exit = join(dir, 'exit.mjs');
    await writeFile(crash, "throw new Error('boom');\n");
    await writeFile(exit, 'process.exit(3);\n');
    const run = (script: string): Promise<unknown> =>
      runTrainingInWorker(
        { dataset: shapeDataset(3, 0), options: { preset: 'small-cnn' }, runDir: dir },
        { signal: new AbortController().signal, onProgress: () => {} },
        { script: pathToFileURL(script) },
      );
    await assert.rejects(
      run(crash),
      (error: unknown) => error instanceof AppError && error.code === 'INTERNAL' && /boom/.test(error.message),
    );
    await assert.rejects(
      run(exit),
      (error: unknown) => error instanceof AppError && error.code === 'INTERNAL' && /code 3/.test(error.message),
    );
    await rm(dir, { recursive: true, force: true });
  });

  test('trains in a child process (the isolation native and GPU backends get)', async () => {
    const runDir = await tempDir('worker');
    const epochs: EpochEvent[] = [];
    const result = await runTrainingInWorker(
      { dataset: shapeDataset(60, 20), options: { preset: 'small-cnn', epochs: 2, batchSize: 16 }, runDir },
      { signal: new AbortController().signal, onProgress: () => {}, onEpoch: (e) => epochs.push(e) },
      { backend: 'wasm', isolation: 'process' },
    );
    assert.equal(result.status, 'completed');
    assert.equal(epochs.length, 2);
    assert.ok(result.modelDir);
    await rm(runDir, { recursive: true, force: true });
  });

  test('a trainer process killed by a signal (a driver crash) becomes an AppError; this process lives on', async () => {
    const dir = await tempDir('worker');
    const segfault = join(dir, 'segfault.mjs');
    const crash = join(dir, 'crash.mjs');
    await writeFile(segfault, "process.kill(process.pid, 'SIGSEGV');\nsetInterval(() => {}, 1000);\n");
    await writeFile(crash, "throw new Error('boom in the driver');\n");
    const run = (script: string): Promise<unknown> =>
      runTrainingInWorker(
        { dataset: shapeDataset(3, 0), options: { preset: 'small-cnn' }, runDir: dir },
        { signal: new AbortController().signal, onProgress: () => {} },
        { script: pathToFileURL(script), isolation: 'process' },
      );
    await assert.rejects(
      run(segfault),
      (error: unknown) => error instanceof AppError && error.code === 'INTERNAL' && /SIGSEGV/.test(error.message),
    );
    await assert.rejects(
      run(crash),
      (error: unknown) =>
        error instanceof AppError && /code 1/.test(error.message) && /boom in the driver/.test(error.message),
    );
    await rm(dir, { recursive: true, force: true });
  });
});
