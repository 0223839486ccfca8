/**
 * Builds every state object once, wires transport events into them, and is the
 * only thing `App.svelte` receives.
 */
import { createApi, type Transport } from '../api/api-client';
import { AppState } from './app-state.svelte';
import { Router } from './router.svelte';
import { TasksState } from './tasks-state.svelte';

export class AppRoot {
  readonly app: AppState;
  readonly tasks: TasksState;
  readonly router = new Router();

  constructor(readonly transport: Transport) {
    const api = createApi(transport);
    this.app = new AppState(api);
    this.tasks = new TasksState(api);
    transport.onEvent((event) => {
      if (event.type === 'task') this.tasks.apply(event.event);
      else if (event.type === 'backend') this.app.backend = event.backend;
      else if (event.type === 'project') this.app.project = event.project;
    });
    transport.onConnection((state) => {
      const reconnected = state === 'open' && this.app.connection !== 'open';
      this.app.connection = state;
      // Events may have been missed while disconnected: re-read what they describe.
      if (reconnected) void Promise.all([this.app.load(), this.tasks.refresh()]);
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.app.load(), this.tasks.refresh()]);
  }
}
