/**
 * Builds every state object once, wires transport events into them, and is the
 * only thing `App.svelte` receives.
 */
import type { CatalogChange } from '../../../src-shared/api/contract';
import { createApi, type Transport } from '../api/api-client';
import { AppState } from './app-state.svelte';
import { ImportState } from './import-state.svelte';
import { LibraryState } from './library-state.svelte';
import { SplitsState } from './splits-state.svelte';
import { SweepState } from './sweep-state.svelte';
import { TrainState } from './train-state.svelte';
import { EvaluateState } from './evaluate-state.svelte';
import { PredictState } from './predict-state.svelte';
import { Router } from './router.svelte';
import { TasksState } from './tasks-state.svelte';
import { WallState } from './wall-state.svelte';

/** Changes the Library shows: any of them re-reads its pages and counts. */
const LIBRARY_CHANGES: readonly CatalogChange[] = ['images', 'labels', 'classes', 'splits', 'predictions'];

export class AppRoot {
  readonly app: AppState;
  readonly tasks: TasksState;
  readonly library: LibraryState;
  readonly importer: ImportState;
  readonly splits: SplitsState;
  readonly train: TrainState;
  readonly sweep: SweepState;
  readonly evaluate: EvaluateState;
  readonly predict: PredictState;
  readonly walls: WallState;
  readonly router = new Router();

  constructor(readonly transport: Transport) {
    const api = createApi(transport);
    this.app = new AppState(api);
    this.tasks = new TasksState(api);
    this.library = new LibraryState(api);
    this.importer = new ImportState(api);
    this.splits = new SplitsState(api);
    this.train = new TrainState(api);
    this.sweep = new SweepState(api, () => this.train.form);
    this.evaluate = new EvaluateState(api);
    this.predict = new PredictState(api, () => this.app.project?.name ?? 'project');
    this.walls = new WallState(api);
    transport.onEvent((event) => {
      if (event.type === 'task') {
        this.tasks.apply(event.event);
        const task = event.event;
        const kind =
          task.type === 'started' ? task.task.kind : this.tasks.tasks.find((t) => t.id === task.taskId)?.kind;
        if (task.type !== 'started' && this.router.view === 'train') {
          const info = this.tasks.tasks.find((t) => t.id === task.taskId);
          this.sweep.taskChanged(info, task.type !== 'progress');
        }
        if (task.type !== 'started' && task.type !== 'progress') {
          this.evaluate.taskEnded(task.taskId);
          if (kind === 'predict') {
            void this.predict.load();
            if (this.router.view === 'walls') void this.walls.load();
          }
        }
        if ((task.type === 'done' || task.type === 'cancelled') && kind === 'import') {
          this.importer.taskEnded(task.taskId, task.result);
          // An import keeps what it committed even when cancelled: show it.
          void this.library.reload();
          if (this.router.view === 'walls') void this.walls.importEnded(task.taskId, task.result);
        }
      } else if (event.type === 'backend') this.app.backend = event.backend;
      else if (event.type === 'project') {
        this.app.project = event.project;
        this.importer.projectChanged();
        this.splits.projectChanged();
        this.library.projectChanged();
        this.predict.projectChanged();
        this.walls.projectChanged();
        this.evaluate.projectChanged();
        this.sweep.projectChanged();
        this.train.projectChanged();
        void this.tasks.refresh(); // the last project's finished tasks are gone from the list
        void this.library.reload({ newList: true });
      } else if (event.type === 'run') {
        this.train.runChanged(event.run);
        if (this.router.view === 'train') this.sweep.runChanged(event.run.id);
      } else if (event.type === 'training') {
        this.train.epochFinished(event.runId, event.epoch);
        if (this.router.view === 'train') this.sweep.runChanged(event.runId);
      } else if (event.type === 'catalog') this.catalogChanged(event.change);
    });
    transport.onConnection((state) => {
      const reconnected = state === 'open' && this.app.connection !== 'open';
      this.app.connection = state;
      // Events may have been missed while disconnected: re-read what they describe.
      if (reconnected) void Promise.all([this.app.load(), this.tasks.refresh(), this.library.reload()]);
    });
  }

  private pendingChanges = new Set<CatalogChange>();
  private changeTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * The project changed (this window's own call, another window's, or a task that ended):
   * re-read what the change names. Changes arriving together (a label call announces
   * labels and splits) are read once.
   */
  private catalogChanged(change: CatalogChange): void {
    this.pendingChanges.add(change);
    this.changeTimer ??= setTimeout(() => {
      const changes = this.pendingChanges;
      this.pendingChanges = new Set();
      this.changeTimer = null;
      if (LIBRARY_CHANGES.some((c) => changes.has(c))) void this.library.reload();
      if (this.router.view === 'splits' && (changes.has('splits') || changes.has('labels') || changes.has('images')))
        void this.splits.load();
      // Predictions made or labels set elsewhere show on the wall (its own edits reload it already).
      if (this.router.view === 'walls' && (changes.has('predictions') || changes.has('classes')))
        void this.walls.load();
      if (changes.has('runs')) {
        if (this.router.view === 'train') void Promise.all([this.train.load(), this.sweep.load()]);
        if (this.router.view === 'predict') void this.predict.load();
        if (this.router.view === 'evaluate') void this.evaluate.load();
      }
    }, 50);
  }

  /** Files dropped or pasted anywhere: classify them in the Predict view. */
  predictFiles(files: File[]): void {
    if (files.length === 0) return;
    this.router.go('predict');
    void this.predict.predictFiles(files);
  }

  async start(): Promise<void> {
    await Promise.all([this.app.load(), this.tasks.refresh(), this.library.reload()]);
  }
}
