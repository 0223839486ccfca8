/**
 * Progress for long CLI commands: one updating line on a terminal's stderr, nothing
 * with --json or when stderr is not a terminal. Ctrl+C cancels the job cleanly.
 */
import type { JobContext, TaskProgress } from '../../src-shared/progress.js';
import type { CliIo } from './cli-io.js';

export function cliJob(io: CliIo, quiet: boolean): { context: JobContext; finish: () => void } {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const live = !quiet && process.stderr.isTTY;
  let last = 0;
  const onProgress = (progress: TaskProgress) => {
    if (!live || Date.now() - last < 200) return;
    last = Date.now();
    const total = progress.total ? `/${progress.total}` : '';
    process.stderr.write(`\r\x1b[2K${progress.message ?? `${progress.done}${total}`}`);
  };
  return {
    context: { signal: controller.signal, onProgress },
    finish: () => {
      process.off('SIGINT', onSigint);
      if (live) process.stderr.write('\r\x1b[2K');
      void io;
    },
  };
}
