/**
 * Errors that cross the API boundary as `{ code, message }`.
 * Every service throws `AppError` with one of these codes so that the UI and the
 * CLI can branch on the code instead of parsing messages.
 */
export const ERROR_CODES = [
  'INVALID_INPUT', // a call's arguments failed validation
  'UNKNOWN_METHOD', // no such API method
  'UNAUTHORIZED', // web mode: missing or wrong token
  'NOT_FOUND', // an id or path that does not exist
  'ALREADY_EXISTS',
  'UNSUPPORTED', // the transport or platform cannot do this (e.g. a folder picker in web mode)
  'PROJECT_INVALID', // a project folder that cannot be opened or created
  'CATALOG_NEWER_SCHEMA', // catalog written by a newer Seshat
  'CATALOG_DAMAGED', // integrity_check failed
  'IMAGE_UNREADABLE', // a file that is not a decodable image
  'IMAGE_TOO_LARGE', // refused as a possible decompression bomb
  'IMAGE_CHANGED', // a catalogued file that is no longer the file that was imported (content, type or link)
  'MODEL_INVALID', // a model folder that is damaged or incomplete (the message names the file)
  'BACKEND_UNAVAILABLE', // no usable TensorFlow.js backend
  'TASK_NOT_FOUND',
  'CANCELLED',
  'CONFLICT', // the request contradicts the current state
  'INTERNAL', // a bug: anything not thrown as an AppError
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The shape every error has once it has crossed a process or network boundary. */
export interface ApiErrorPayload {
  code: ErrorCode;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** SQLite's codes for a file that is no longer a healthy database (better-sqlite3 sets `code`). */
const DAMAGED_SQLITE = /^SQLITE_(CORRUPT|NOTADB)/;

/**
 * Converts anything thrown into the payload that crosses the API. A catalog found
 * damaged in the middle of a query is CATALOG_DAMAGED, not a bug; `catalogFile` names it.
 */
export function toErrorPayload(error: unknown, context: { catalogFile?: string } = {}): ApiErrorPayload {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  if (error instanceof Error && error.name === 'AbortError') return { code: 'CANCELLED', message: 'Cancelled' };
  const message = error instanceof Error ? error.message : String(error);
  const sqliteCode = (error as { code?: unknown } | null)?.code;
  if (typeof sqliteCode === 'string' && DAMAGED_SQLITE.test(sqliteCode)) {
    const where = context.catalogFile ? `Catalog ${context.catalogFile}` : 'The catalog';
    return {
      code: 'CATALOG_DAMAGED',
      message: `${where} is damaged (${message.split('\n')[0]}): restore it from a backup`,
    };
  }
  return { code: 'INTERNAL', message };
}

/** Throws the standard cancellation error if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError('CANCELLED', 'Cancelled');
}
