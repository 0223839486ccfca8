/**
 * Running and recently finished tasks, kept in step with the main process through
 * task events. After a reload or reconnect it re-reads the list, so nothing is lost.
 */
import type { SeshatApi, TaskEvent, TaskInfo } from '../../../src-shared/api/contract';
import { errorPayload } from '../api/api-client';
import type { ApiErrorPayload } from '../../../src-shared/api/contract';

export class TasksState {
  tasks = $state<TaskInfo[]>([]);
  lastError = $state<ApiErrorPayload | null>(null);
  readonly running = $derived(this.tasks.filter((task) => task.state === 'running'));
  readonly finished = $derived(
    this.tasks.filter((task) => task.state !== 'running').sort((a, b) => (b.finishedAt ?? 0) - (a.finishedAt ?? 0)),
  );

  constructor(private readonly api: SeshatApi) {}

  async refresh(): Promise<void> {
    try {
      this.tasks = await this.api.listTasks({});
    } catch (error) {
      this.lastError = errorPayload(error);
    }
  }

  apply(event: TaskEvent): void {
    if (event.type === 'started') {
      if (!this.tasks.some((task) => task.id === event.task.id)) this.tasks.push(event.task);
      return;
    }
    const task = this.tasks.find((candidate) => candidate.id === event.taskId);
    if (!task) {
      void this.refresh(); // an event for a task we never saw: resync
      return;
    }
    switch (event.type) {
      case 'progress':
        task.progress = event.progress;
        break;
      case 'done':
        task.state = 'done';
        task.result = event.result;
        task.finishedAt = Date.now();
        break;
      case 'failed':
        task.state = 'failed';
        task.error = event.error;
        task.finishedAt = Date.now();
        break;
      case 'cancelled':
        task.state = 'cancelled';
        task.finishedAt = Date.now();
        break;
    }
  }

  async cancel(taskId: string): Promise<void> {
    try {
      await this.api.cancelTask({ taskId });
    } catch (error) {
      this.lastError = errorPayload(error);
    }
  }

  async startDemo(steps = 100, stepMs = 100): Promise<string | null> {
    try {
      const { taskId } = await this.api.startDemoTask({ steps, stepMs });
      return taskId;
    } catch (error) {
      this.lastError = errorPayload(error);
      return null;
    }
  }

  dismissFinished(): void {
    this.tasks = this.tasks.filter((task) => task.state === 'running');
  }
}

/** 0…1, or null when the total is unknown. */
export function taskFraction(task: TaskInfo): number | null {
  const { done, total } = task.progress;
  if (total === null || total <= 0) return null;
  return Math.min(1, Math.max(0, done / total));
}
