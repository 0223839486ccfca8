/**
 * Runs long jobs as tasks: `start → taskId`, throttled progress events,
 * `cancel(taskId)`, and exactly one final event (done / failed / cancelled).
 *
 * The runner does not care where the work happens (this thread, a worker, a child
 * process); a job is any async function of a JobContext.
 */
import { randomUUID } from 'node:crypto';
import { AppError, toErrorPayload } from '../../src-shared/errors.js';
import type { TaskEvent, TaskInfo } from '../../src-shared/api/types.js';
import type { JobContext, TaskProgress } from '../../src-shared/progress.js';

export type TaskJob<Result> = (job: JobContext) => Promise<Result>;
export type TaskListener = (event: TaskEvent) => void;

export interface TaskRunnerOptions {
  /** Minimum gap between two progress events of one task (ms). */
  progressIntervalMs?: number;
  /** How many finished tasks to keep for a reloaded renderer to see. */
  keepFinished?: number;
  now?: () => number;
}

interface TaskRecord {
  info: TaskInfo;
  controller: AbortController;
  lastEmitAt: number;
  pendingProgress: TaskProgress | null;
  timer: NodeJS.Timeout | null;
}

export class TaskRunner {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly listeners = new Set<TaskListener>();
  private readonly progressIntervalMs: number;
  private readonly keepFinished: number;
  private readonly now: () => number;

  constructor(options: TaskRunnerOptions = {}) {
    this.progressIntervalMs = options.progressIntervalMs ?? 100;
    this.keepFinished = options.keepFinished ?? 20;
    this.now = options.now ?? Date.now;
  }

  subscribe(listener: TaskListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts a job and returns its id at once; the job runs on the next tick. */
  start<Result>(kind: string, title: string, job: TaskJob<Result>): string {
    const id = randomUUID();
    const controller = new AbortController();
    const record: TaskRecord = {
      info: {
        id,
        kind,
        title,
        state: 'running',
        startedAt: this.now(),
        finishedAt: null,
        progress: { done: 0, total: null },
      },
      controller,
      lastEmitAt: 0,
      pendingProgress: null,
      timer: null,
    };
    this.tasks.set(id, record);
    this.emit({ type: 'started', task: { ...record.info } });
    const context: JobContext = {
      signal: controller.signal,
      onProgress: (progress) => this.reportProgress(record, progress),
    };
    void Promise.resolve()
      .then(() => {
        // Cancelled before it began: never start the work.
        if (controller.signal.aborted) throw new AppError('CANCELLED', 'Cancelled before it started');
        return job(context);
      })
      .then(
        (result) => this.finish(record, controller.signal.aborted ? 'cancelled' : 'done', result, undefined),
        (error: unknown) => {
          const payload = toErrorPayload(error);
          const cancelled = controller.signal.aborted || payload.code === 'CANCELLED';
          this.finish(record, cancelled ? 'cancelled' : 'failed', undefined, cancelled ? undefined : payload);
        },
      );
    return id;
  }

  /** Asks a running task to stop. Returns false when it had already finished. */
  cancel(taskId: string): boolean {
    const record = this.tasks.get(taskId);
    if (!record) throw new AppError('TASK_NOT_FOUND', `No task with id ${taskId}`);
    if (record.info.state !== 'running') return false;
    record.controller.abort();
    return true;
  }

  list(): TaskInfo[] {
    return [...this.tasks.values()].map((record) => ({ ...record.info }));
  }

  get(taskId: string): TaskInfo | undefined {
    const record = this.tasks.get(taskId);
    return record ? { ...record.info } : undefined;
  }

  /** Resolves with the final state of a task: handy for the CLI and tests. */
  waitFor(taskId: string): Promise<TaskInfo> {
    const current = this.tasks.get(taskId);
    if (!current) return Promise.reject(new AppError('TASK_NOT_FOUND', `No task with id ${taskId}`));
    if (current.info.state !== 'running') return Promise.resolve({ ...current.info });
    return new Promise((resolve) => {
      const unsubscribe = this.subscribe((event) => {
        if (event.type === 'started' || event.type === 'progress' || event.taskId !== taskId) return;
        unsubscribe();
        resolve(this.get(taskId)!);
      });
    });
  }

  /** Whether a task of one of these kinds is running now. */
  anyRunning(kinds: readonly string[]): boolean {
    return [...this.tasks.values()].some(
      (record) => record.info.state === 'running' && kinds.includes(record.info.kind),
    );
  }

  /** Drops finished tasks from the list (another project is open: they were about the last one). */
  forgetFinished(): void {
    for (const [id, record] of this.tasks) if (record.info.state !== 'running') this.tasks.delete(id);
  }

  /** Cancels everything still running (app shutdown). */
  cancelAll(): void {
    for (const record of this.tasks.values()) if (record.info.state === 'running') record.controller.abort();
  }

  /** Resolves when no task is running any more, or after `timeoutMs`, whichever comes first. */
  async settle(timeoutMs: number): Promise<void> {
    const running = this.list().filter((task) => task.state === 'running');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all(running.map((task) => this.waitFor(task.id))), timeout]);
    clearTimeout(timer);
  }

  private reportProgress(record: TaskRecord, progress: TaskProgress): void {
    if (record.info.state !== 'running') return;
    record.info.progress = progress;
    const elapsed = this.now() - record.lastEmitAt;
    if (elapsed >= this.progressIntervalMs) {
      this.flushProgress(record, progress);
      return;
    }
    // Within the interval: keep only the newest value and send it when the interval ends.
    record.pendingProgress = progress;
    record.timer ??= setTimeout(() => {
      record.timer = null;
      if (record.pendingProgress) this.flushProgress(record, record.pendingProgress);
    }, this.progressIntervalMs - elapsed);
  }

  private flushProgress(record: TaskRecord, progress: TaskProgress): void {
    record.pendingProgress = null;
    record.lastEmitAt = this.now();
    this.emit({ type: 'progress', taskId: record.info.id, progress });
  }

  private finish(
    record: TaskRecord,
    state: 'done' | 'failed' | 'cancelled',
    result: unknown,
    error: TaskInfo['error'],
  ): void {
    if (record.info.state !== 'running') return; // exactly one final event
    if (record.timer) clearTimeout(record.timer);
    record.timer = null;
    // The last progress the job reported is sent before the final event, so a UI
    // never ends on a stale bar.
    if (record.pendingProgress) this.flushProgress(record, record.pendingProgress);
    record.info.state = state;
    record.info.finishedAt = this.now();
    const id = record.info.id;
    if (state === 'done') {
      record.info.result = result;
      this.emit({ type: 'done', taskId: id, result });
    } else if (state === 'failed') {
      record.info.error = error;
      this.emit({ type: 'failed', taskId: id, error: error ?? { code: 'INTERNAL', message: 'Task failed' } });
    } else {
      if (result !== undefined) record.info.result = result;
      this.emit(result === undefined ? { type: 'cancelled', taskId: id } : { type: 'cancelled', taskId: id, result });
    }
    this.pruneFinished();
  }

  private pruneFinished(): void {
    const finished = [...this.tasks.values()].filter((record) => record.info.state !== 'running');
    for (const record of finished.slice(0, Math.max(0, finished.length - this.keepFinished))) {
      this.tasks.delete(record.info.id);
    }
  }

  private emit(event: TaskEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener (e.g. a closed socket) must not stop the others.
      }
    }
  }
}
