/**
 * Progress reported by a long job. Services take an `onProgress` callback of this
 * shape; the task runner throttles what reaches the UI.
 */
export interface TaskProgress {
  /** Units of work finished so far. */
  done: number;
  /** Total units, or null while unknown (e.g. while a folder scan is still running). */
  total: number | null;
  /** One human line: what is happening now. */
  message?: string;
  /** Units per second, when meaningful. */
  rate?: number;
  /** Seconds left, when it can be estimated. */
  etaSeconds?: number;
  /** Named counters shown beside the bar (imported, duplicates, errors, loss, …). */
  counts?: Record<string, number>;
}

export type ProgressCallback = (progress: TaskProgress) => void;

/** What every long-running service function receives besides its own arguments. */
export interface JobContext {
  signal: AbortSignal;
  onProgress: ProgressCallback;
}

/** A job context that ignores progress and never cancels: for tests and scripts. */
export function detachedJob(): JobContext {
  return { signal: new AbortController().signal, onProgress: () => {} };
}
