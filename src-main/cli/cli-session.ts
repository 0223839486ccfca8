/**
 * A CLI command runs the app's own API in-process: the same dispatcher, schemas and
 * handlers as the Electron window and web mode, so `seshat import` does exactly what
 * the Import dialog does. Long calls run as tasks; their progress is one updating line
 * on a terminal's stderr, and Ctrl+C cancels the task cleanly.
 */
import { AppError, type ErrorCode } from '../../src-shared/errors.js';
import type { ApiInput, ApiMethodName, ApiOutput } from '../../src-shared/api/contract.js';
import type { TaskInfo } from '../../src-shared/api/types.js';
import { createAppDispatcher } from '../api/app-dispatcher.js';
import type { AppServices } from '../app/app-services.js';
import { openServices, type CliIo, type ParsedCommand } from './cli-io.js';

export interface CliSession {
  services: AppServices;
  /** One API call; an error result is thrown as the AppError it describes. */
  call<K extends ApiMethodName>(method: K, input: ApiInput<K>): Promise<ApiOutput<K>>;
  /** A task-starting call, waited for; returns the task as it ended (done or cancelled). */
  runTask<K extends ApiMethodName>(method: K, input: ApiInput<K>): Promise<TaskInfo>;
  close(): void;
}

export function openCliSession(parsed: ParsedCommand, io: CliIo): CliSession {
  const services = openServices(parsed, 'cli');
  const dispatch = createAppDispatcher(services, {
    onInternalError: (method, error) =>
      io.err(`Internal error in ${method}: ${(error as Error)?.stack ?? String(error)}`),
  });
  const call = async <K extends ApiMethodName>(method: K, input: ApiInput<K>): Promise<ApiOutput<K>> => {
    const result = await dispatch(method, input);
    if (!result.ok) throw new AppError(result.error.code as ErrorCode, result.error.message);
    return result.value as ApiOutput<K>;
  };
  const live = !parsed.json && process.stderr.isTTY;
  return {
    services,
    call,
    async runTask(method, input) {
      const { taskId } = (await call(method, input)) as { taskId: string };
      let last = 0;
      const unsubscribe = services.tasks.subscribe((event) => {
        if (!live || event.type !== 'progress' || event.taskId !== taskId || Date.now() - last < 200) return;
        last = Date.now();
        const { done, total, message } = event.progress;
        process.stderr.write(`\r\x1b[2K${message ?? `${done}${total ? `/${total}` : ''}`}`);
      });
      const cancel = () => services.tasks.cancel(taskId);
      process.once('SIGINT', cancel);
      try {
        const task = await services.tasks.waitFor(taskId);
        if (task.state === 'failed')
          throw new AppError((task.error?.code ?? 'INTERNAL') as ErrorCode, task.error?.message ?? `${method} failed`);
        return task;
      } finally {
        process.off('SIGINT', cancel);
        unsubscribe();
        if (live) process.stderr.write('\r\x1b[2K');
      }
    },
    close: () => services.close(),
  };
}
