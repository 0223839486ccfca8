/**
 * The one place where a call from any transport (Electron IPC, HTTP, CLI) enters the
 * main process: the method name is checked against the contract, the input is
 * validated with the method's schema, and every outcome becomes an `ApiResult`.
 * Nothing a caller sends can crash the process.
 */
import { z } from 'zod';
import { AppError, toErrorPayload } from '../../src-shared/errors.js';
import { apiMethods, type ApiHandlers, type ApiMethodName, type ApiResult } from '../../src-shared/api/contract.js';

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

export function createDispatcher(
  handlers: ApiHandlers,
  options: {
    onInternalError?: (method: string, error: unknown) => void;
    /** The open catalog's file, named in CATALOG_DAMAGED errors. */
    catalogFile?: () => string;
  } = {},
): ApiDispatcher {
  return async (method, input) => {
    try {
      if (!isApiMethodName(method)) throw new AppError('UNKNOWN_METHOD', `Unknown API method "${method}"`);
      const parsed = apiMethods[method].input.safeParse(input ?? {});
      if (!parsed.success) throw new AppError('INVALID_INPUT', describeIssues(method, parsed.error));
      // The schema and handler are looked up by the same key, so the parsed input
      // matches the handler's parameter; TypeScript cannot correlate them itself.
      const handler = handlers[method] as (input: unknown) => unknown;
      const value = await handler(parsed.data);
      return { ok: true, value };
    } catch (error) {
      const payload = toErrorPayload(error, options.catalogFile ? { catalogFile: options.catalogFile() } : {});
      if (payload.code === 'INTERNAL') options.onInternalError?.(method, error);
      return { ok: false, error: payload };
    }
  };
}
