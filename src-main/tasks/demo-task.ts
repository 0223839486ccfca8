/**
 * A small task that only counts, so the task runner, progress events, cancel and
 * the status bar can be tested end to end before real tasks exist.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { AppError } from '../../src-shared/errors.js';
import type { JobContext } from '../../src-shared/progress.js';

export interface DemoTaskOptions {
  steps: number;
  stepMs: number;
  /** Fail on this step, to exercise the failed path. */
  failAt?: number | undefined;
}

export async function runDemoTask(options: DemoTaskOptions, job: JobContext): Promise<{ steps: number }> {
  const started = Date.now();
  for (let step = 1; step <= options.steps; step++) {
    if (job.signal.aborted) throw new AppError('CANCELLED', 'Demo task cancelled');
    if (options.stepMs > 0) {
      await delay(options.stepMs, undefined, { signal: job.signal }).catch(() => undefined);
      if (job.signal.aborted) throw new AppError('CANCELLED', 'Demo task cancelled');
    }
    if (options.failAt === step) throw new AppError('INTERNAL', `Demo task failed on purpose at step ${step}`);
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? step / seconds : 0;
    job.onProgress({
      done: step,
      total: options.steps,
      message: `Step ${step} of ${options.steps}`,
      rate,
      ...(rate > 0 ? { etaSeconds: (options.steps - step) / rate } : {}),
    });
  }
  return { steps: options.steps };
}
