/**
 * runTrainingInWorker: runs `trainClassifier` in a worker thread and adapts it to a
 * JobContext.
 *
 * - progress and epoch messages go to `job.onProgress` / `job.onEpoch`;
 * - `job.signal` sends `cancel`; a worker that has not finished `graceMs` later
 *   (stuck in a long synchronous step) is terminated — the run still resolves as
 *   `cancelled`, with the model folder if one was exported;
 * - a worker that crashes or exits without answering becomes an AppError instead of
 *   a promise that never settles.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../../errors.js';
import type { BackendName } from '../../api/types.js';
import type { EmbeddingCache } from '../models/embedding-cache.js';
import { hasExportedModel, MODEL_DIR } from './export.js';
import type { EpochEvent, TrainJob, TrainOptions, TrainRequest, TrainResult } from './types.js';
import type { FromWorker, ToWorker, WorkerInput } from './worker-protocol.js';

export interface WorkerRunOptions {
  /** Answers the worker's embedding lookups (mobilenet preset). */
  embeddingCache?: EmbeddingCache;
  /** Force a backend in the worker. */
  backend?: BackendName;
  /** How long a cancelled worker may take to stop by itself (default 10 s). */
  graceMs?: number;
  /** Another worker entry (tests use one that crashes). */
  script?: URL;
}

/** The worker script beside this file: `.ts` under tsx, `.js` once compiled to out/. */
export function workerScript(): URL {
  for (const name of ['train-worker.js', 'train-worker.ts']) {
    const url = new URL(`./${name}`, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new AppError('INTERNAL', 'The training worker script is missing');
}

/**
 * Starts the worker. Compiled, it is the .js file. Under tsx (development, tests)
 * the entry is .ts, and tsx's `--import` hook only registers itself on the main
 * thread (execArgv is passed through, but that is not enough on Node 20), so a
 * one-line bootstrap registers tsx's ESM API inside the worker, then imports the entry.
 */
function startWorker(input: WorkerInput, script: URL): Worker {
  const options = { workerData: input, execArgv: process.execArgv };
  if (!script.pathname.endsWith('.ts')) return new Worker(script, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(script.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

export function runTrainingInWorker(request: TrainRequest, job: TrainJob, options: WorkerRunOptions = {}): Promise<TrainResult> {
  if (job.signal.aborted) return Promise.reject(new AppError('CANCELLED', 'Cancelled'));
  const input: WorkerInput = { request, embeddingCache: Boolean(options.embeddingCache), ...(options.backend ? { backend: options.backend } : {}) };
  const worker = startWorker(input, options.script ?? workerScript());
  const history: EpochEvent[] = [];
  let started: { backend: string; options: TrainOptions | null } | null = null;
  let graceTimer: NodeJS.Timeout | null = null;
  let settled = false;

  return new Promise<TrainResult>((resolve, reject) => {
    const finish = (outcome: { result: TrainResult } | { error: AppError }): void => {
      if (settled) return;
      settled = true;
      job.signal.removeEventListener('abort', onAbort);
      if (graceTimer) clearTimeout(graceTimer);
      void worker.terminate();
      if ('result' in outcome) resolve(outcome.result);
      else reject(outcome.error);
    };

    /** What we know of a run whose worker had to be killed after a cancel. */
    const forcedCancelResult = (): TrainResult | null => {
      if (!started?.options) return null;
      const modelDir = join(request.runDir, MODEL_DIR);
      const best = history.filter((event) => event.improved).at(-1);
      return {
        status: 'cancelled',
        epochsCompleted: history.length,
        bestEpoch: best?.epoch ?? null,
        history,
        modelDir: hasExportedModel(modelDir) ? modelDir : null,
        checkpointDir: history.length > 0 ? join(request.runDir, 'checkpoint') : null,
        evaluation: null,
        backend: started.backend,
        warnings: ['The training worker did not stop in time and was terminated.'],
        skipped: [],
        resumedFromEpoch: null,
        options: started.options,
      };
    };

    const onAbort = (): void => {
      worker.postMessage({ type: 'cancel' } satisfies ToWorker);
      graceTimer = setTimeout(() => {
        const result = forcedCancelResult();
        finish(result ? { result } : { error: new AppError('CANCELLED', 'Cancelled') });
      }, options.graceMs ?? 10_000);
    };
    job.signal.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'started':
          started = { backend: message.backend, options: message.options };
          break;
        case 'progress':
          job.onProgress(message.progress);
          break;
        case 'epoch':
          history.push(message.event);
          job.onEpoch?.(message.event);
          break;
        case 'done':
          finish({ result: message.result });
          break;
        case 'failed':
          finish({ error: new AppError(message.error.code as ErrorCode, message.error.message) });
          break;
        case 'cache-get':
          void answerCacheGet(message.id, message.model, message.hashes);
          break;
        case 'cache-put':
          void answerCachePut(message.id, message.model, message.entries);
          break;
      }
    });
    worker.on('error', (error) => {
      finish({ error: new AppError('INTERNAL', `The training worker crashed: ${error.message}`, { cause: error }) });
    });
    worker.on('exit', (code) => {
      finish({ error: new AppError('INTERNAL', `The training worker exited (code ${code}) before reporting a result`) });
    });

    async function answerCacheGet(id: number, model: string, hashes: string[]): Promise<void> {
      let entries: Array<[string, Float32Array]> = [];
      try {
        entries = [...((await options.embeddingCache?.get(model, hashes)) ?? new Map<string, Float32Array>())];
      } catch {
        // A failing cache only costs recomputation.
      }
      if (!settled) worker.postMessage({ type: 'cache-got', id, entries } satisfies ToWorker);
    }

    async function answerCachePut(id: number, model: string, entries: Array<[string, Float32Array]>): Promise<void> {
      try {
        await options.embeddingCache?.put(model, entries);
      } catch {
        // Not fatal: the vectors are simply computed again next time.
      }
      if (!settled) worker.postMessage({ type: 'cache-put-done', id } satisfies ToWorker);
    }
  });
}
