/**
 * The one place where a call from any transport (Electron IPC, HTTP, CLI) enters the
 * main process: the method name is checked against the contract, the input is
 * validated with the method's schema, and every outcome becomes an `ApiResult`.
 * Nothing a caller sends can crash the process.
 */
import { type z } from 'zod';
import { AppError, toErrorPayload } from '../../src-shared/errors.js';
import {
  apiMethods,
  type ApiEvent,
  type ApiHandlers,
  type ApiMethodName,
  type ApiResult,
  type CatalogChange,
} from '../../src-shared/api/contract.js';

export type ApiDispatcher = (method: string, input: unknown) => Promise<ApiResult<unknown>>;

export function isApiMethodName(name: string): name is ApiMethodName {
  return Object.prototype.hasOwnProperty.call(apiMethods, name);
}

function describeIssues(method: string, error: z.ZodError): string {
  const parts = error.issues.map((issue) => {
    const where = issue.path.length ? issue.path.join('.') : 'input';
    return `${where}: ${issue.message}`;
  });
  return `Invalid input for ${method}: ${parts.join('; ')}`;
}

/** Calls that work with a damaged catalog open: what it takes to see the problem and open another project. */
const UNTOUCHED_BY_DAMAGE: ReadonlySet<string> = new Set([
  'getAppInfo',
  'getBackend',
  'getProject',
  'listRecentProjects',
  'openProject',
  'pickFolder',
  'listTasks',
  'cancelTask',
]);

export function createDispatcher(
  handlers: ApiHandlers,
  options: {
    onInternalError?: (method: string, error: unknown) => void;
    /** The open catalog's file, named in CATALOG_DAMAGED errors. */
    catalogFile?: () => string;
    /** What a background check found wrong with the open catalog: every call but the project's own then fails with it. */
    catalogProblem?: () => string | null;
    /** Where the changes a call declares in the contract are announced (every window, the web socket). */
    emit?: (event: ApiEvent) => void;
    /** Resolves when a task has ended, so the changes its start call declares can be announced then. */
    whenTaskEnds?: (taskId: string) => Promise<unknown>;
  } = {},
): ApiDispatcher {
  const announce = (changes: readonly CatalogChange[]) => {
    for (const change of changes) options.emit?.({ type: 'catalog', change });
  };
  return async (method, input) => {
    try {
      if (!isApiMethodName(method)) throw new AppError('UNKNOWN_METHOD', `Unknown API method "${method}"`);
      const problem = options.catalogProblem?.();
      if (problem && !UNTOUCHED_BY_DAMAGE.has(method)) throw new AppError('CATALOG_DAMAGED', problem);
      const parsed = apiMethods[method].input.safeParse(input ?? {});
      if (!parsed.success) throw new AppError('INVALID_INPUT', describeIssues(method, parsed.error));
      // The schema and handler are looked up by the same key, so the parsed input
      // matches the handler's parameter; TypeScript cannot correlate them itself.
      const handler = handlers[method] as (input: unknown) => unknown;
      const value = await handler(parsed.data);
      // What the contract says this call changes, announced here so no handler can forget it.
      const { changes, taskChanges } = apiMethods[method];
      announce(changes);
      const taskId = (value as { taskId?: unknown } | null)?.taskId;
      if (taskChanges.length > 0 && typeof taskId === 'string' && options.whenTaskEnds) {
        void options.whenTaskEnds(taskId).then(
          () => announce(taskChanges),
          () => announce(taskChanges),
        );
      }
      return { ok: true, value };
    } catch (error) {
      const payload = toErrorPayload(error, options.catalogFile ? { catalogFile: options.catalogFile() } : {});
      if (payload.code === 'INTERNAL') options.onInternalError?.(method, error);
      return { ok: false, error: payload };
    }
  };
}
