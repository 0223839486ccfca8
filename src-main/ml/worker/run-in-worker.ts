/**
 * runTrainingInWorker: runs `trainClassifier` off the main thread and adapts it to a
 * JobContext.
 *
 * - wasm and cpu train in a worker thread; native and GPU backends (tfjs-node, Dawn's
 *   WebGPU) train in a child process, because their addons are not safe to load in a
 *   second thread (Dawn has crashed the whole server that way) and a crash in a
 *   driver must end only the trainer;
 * - progress and epoch messages go to `job.onProgress` / `job.onEpoch`;
 * - `job.signal` sends `cancel`; a worker that has not finished `graceMs` later
 *   (stuck in a long synchronous step) is terminated — the run still resolves as
 *   `cancelled`, with the model folder if one was exported;
 * - a worker that crashes or exits without answering becomes an AppError instead of
 *   a promise that never settles.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fork } from 'node:child_process';
import { AppError, type ErrorCode } from '../../../src-shared/errors.js';
import type { BackendName } from '../../../src-shared/api/types.js';
import type { EmbeddingCache } from '../inference/embedding-cache.js';
import { hasExportedModel, MODEL_DIR } from '../models/model-folder.js';
import type { EpochEvent, TrainJob, TrainOptions, TrainRequest, TrainResult } from '../training/types.js';
import { entryScript, startThread } from './thread.js';
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
  /** Where to train; by default a thread for wasm/cpu and a process for native and GPU backends. */
  isolation?: 'thread' | 'process';
}

/** The backends whose native addons must not be loaded in a second thread. */
const PROCESS_BACKENDS: ReadonlySet<BackendName> = new Set(['webgpu', 'tensorflow', 'tensorflow-gpu']);

/** What runTrainingInWorker needs from a worker thread or a child process. */
interface Trainer {
  post(message: ToWorker): void;
  onMessage(listener: (message: FromWorker) => void): void;
  onError(listener: (error: Error) => void): void;
  onExit(listener: (code: number | null, signal: string | null, detail: string) => void): void;
  terminate(): void;
}

/** The training worker's entry script. */
export function workerScript(): URL {
  return entryScript('train-worker');
}

function startTrainerThread(input: WorkerInput, script: URL): Trainer {
  const worker = startThread(script, input);
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on('message', listener),
    onError: (listener) => worker.on('error', listener),
    onExit: (listener) => worker.on('exit', (code) => listener(code, null, '')),
    terminate: () => void worker.terminate(),
  };
}

/** A child process on the same runtime; `advanced` serialization carries typed arrays and maps. */
function startProcess(input: WorkerInput, script: URL): Trainer {
  const execArgv = script.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = fork(fileURLToPath(script), [], {
    execArgv,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  // Passed through, and the tail kept so a crash can say what the process last said.
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk.toString()).slice(-2000);
  });
  child.send({ type: 'input', input } satisfies ToWorker);
  const lastWords = () => {
    const line =
      stderrTail
        .trim()
        .split('\n')
        .filter((l) => /error/i.test(l))
        .at(-1) ?? stderrTail.trim().split('\n').at(-1);
    return line ? `: ${line.trim().slice(0, 300)}` : '';
  };
  return {
    post: (message) => {
      if (child.connected) child.send(message);
    },
    onMessage: (listener) => child.on('message', listener as (message: unknown) => void),
    onError: (listener) => child.on('error', listener),
    // 'close' rather than 'exit': by then stderr has been read to the end.
    onExit: (listener) => child.on('close', (code, signal) => listener(code, signal, lastWords())),
    terminate: () => void child.kill(),
  };
}

export function runTrainingInWorker(
  request: TrainRequest,
  job: TrainJob,
  options: WorkerRunOptions = {},
): Promise<TrainResult> {
  if (job.signal.aborted) return Promise.reject(new AppError('CANCELLED', 'Cancelled'));
  const input: WorkerInput = {
    request,
    embeddingCache: Boolean(options.embeddingCache),
    ...(options.backend ? { backend: options.backend } : {}),
  };
  const script = options.script ?? workerScript();
  const isolation =
    options.isolation ?? (options.backend && PROCESS_BACKENDS.has(options.backend) ? 'process' : 'thread');
  const worker = isolation === 'process' ? startProcess(input, script) : startTrainerThread(input, script);
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
      worker.terminate();
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
        threads: null,
        warnings: ['The training worker did not stop in time and was terminated.'],
        skipped: [],
        resumedFromEpoch: null,
        options: started.options,
        ensemble: null,
      };
    };

    const onAbort = (): void => {
      worker.post({ type: 'cancel' });
      graceTimer = setTimeout(() => {
        const result = forcedCancelResult();
        finish(result ? { result } : { error: new AppError('CANCELLED', 'Cancelled') });
      }, options.graceMs ?? 10_000);
    };
    job.signal.addEventListener('abort', onAbort, { once: true });

    worker.onMessage((message) => {
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
    worker.onError((error) => {
      finish({ error: new AppError('INTERNAL', `The training worker crashed: ${error.message}`, { cause: error }) });
    });
    worker.onExit((code, signal, detail) => {
      const how = signal ? `was killed by ${signal}` : `exited (code ${code})`;
      finish({
        error: new AppError(
          'INTERNAL',
          `The training ${isolation === 'process' ? 'process' : 'worker'} ${how} before reporting a result${detail}`,
        ),
      });
    });

    async function answerCacheGet(id: number, model: string, hashes: string[]): Promise<void> {
      let entries: Array<[string, Float32Array]> = [];
      try {
        entries = [...((await options.embeddingCache?.get(model, hashes)) ?? new Map<string, Float32Array>())];
      } catch {
        // A failing cache only costs recomputation.
      }
      if (!settled) worker.post({ type: 'cache-got', id, entries });
    }

    async function answerCachePut(id: number, model: string, entries: Array<[string, Float32Array]>): Promise<void> {
      try {
        await options.embeddingCache?.put(model, entries);
      } catch {
        // Not fatal: the vectors are simply computed again next time.
      }
      if (!settled) worker.post({ type: 'cache-put-done', id });
    }
  });
}
