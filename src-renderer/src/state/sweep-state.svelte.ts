/**
 * The Train view's sweeps: the form (what to vary, on top of the Train form's preset and
 * settings), starting a sweep, the list of sweeps and the chosen one's trials, kept
 * current while its trials train.
 */
import type { ApiErrorPayload, SeshatApi, TaskInfo } from '../../../src-shared/api/contract';
import type { SweepDetails, SweepSummary } from '../../../src-shared/api/wire-sweeps';
import { errorPayload } from '../api/api-client';
import { defaultSweepForm, sweepParametersFor, sweepSpecOf, type SweepForm } from './sweep-form';
import { trainSettingsOf, type TrainForm } from './train-settings';

export class SweepState {
  form = $state<SweepForm>(defaultSweepForm());
  sweeps = $state<SweepSummary[]>([]);
  selected = $state<SweepDetails | null>(null);
  /** The sweep whose best settings were last sent to train on train + validation. */
  trainedBest = $state<number | null>(null);
  error = $state<ApiErrorPayload | null>(null);
  starting = $state(false);
  /** The parameters the Train form's preset has: the others are not shown. */
  get parameters() {
    return sweepParametersFor(this.trainForm().preset);
  }
  /** The spec the form makes now (its trial count), or what is wrong with it; cheap, so read afresh. */
  get plan() {
    return sweepSpecOf(this.form, this.baseSettings());
  }

  /** Tasks this window started, by task: each is one sweep. */
  private sweepOfTask = new Map<string, number>();
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;

  constructor(
    private readonly api: SeshatApi,
    private readonly trainForm: () => TrainForm,
  ) {}

  /**
   * Every trial starts from the Train form's settings. The MobileNet companion is left out:
   * it would add a minute to every trial, and trials are compared on the model itself.
   */
  private baseSettings() {
    return { ...trainSettingsOf(this.trainForm()), ensemble: false };
  }

  /** Whether a task trains a sweep (this window's, or one started elsewhere: its title says so). */
  isSweepTask(task: TaskInfo): boolean {
    return this.sweepOfTask.has(task.id) || (task.kind === 'train' && task.title.startsWith('Sweep:'));
  }

  async load(): Promise<void> {
    try {
      const sweeps = await this.api.listSweeps({});
      this.sweeps = sweeps.sort((a, b) => b.id - a.id);
      const focus = this.selected?.id ?? this.sweeps[0]?.id;
      if (focus !== undefined) await this.select(focus);
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  async select(sweepId: number): Promise<void> {
    try {
      this.selected = await this.api.getSweep({ sweepId });
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  async start(): Promise<void> {
    const plan = this.plan;
    this.error = null;
    if (!plan.ok) {
      this.error = { code: 'INVALID_INPUT', message: plan.message };
      return;
    }
    this.starting = true;
    try {
      const { taskId, sweepId } = await this.api.startSweep({ spec: $state.snapshot(plan.spec) });
      this.sweepOfTask.set(taskId, sweepId);
      this.selected = await this.api.getSweep({ sweepId });
      await this.load();
    } catch (error) {
      this.error = errorPayload(error);
    } finally {
      this.starting = false;
    }
  }

  /** Goes on with the chosen sweep, stopped (cancelled, or its app killed), from where its trials are. */
  async resume(): Promise<void> {
    const sweep = this.selected;
    if (!sweep || (sweep.status !== 'cancelled' && sweep.status !== 'interrupted')) return;
    this.error = null;
    try {
      const { taskId, sweepId } = await this.api.resumeSweep({ sweepId: sweep.id });
      this.sweepOfTask.set(taskId, sweepId);
      this.selected = await this.api.getSweep({ sweepId });
      await this.load();
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  /**
   * Trains the chosen sweep's best settings on train and validation together, for the
   * best trial's epoch count: the model to keep. It shows in Runs like any run.
   */
  async trainBest(): Promise<void> {
    const sweep = this.selected;
    if (!sweep?.best) return;
    this.error = null;
    try {
      await this.api.trainBestOfSweep({ sweepId: sweep.id });
      this.trainedBest = sweep.id;
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  /**
   * A sweep task made progress or ended: re-read the chosen sweep while it runs, and the
   * list and the sweep once the task ends (its final status, the best trial).
   */
  taskChanged(task: TaskInfo | undefined, ended: boolean): void {
    if (!task || !this.isSweepTask(task)) return;
    if (ended) {
      this.sweepOfTask.delete(task.id);
      void this.load();
    } else if (this.selected?.status === 'running') this.refresh();
  }

  /** A run started, changed or finished an epoch: refresh the sweep if the run is one of its trials. */
  runChanged(runId: number): void {
    const sweep = this.selected;
    if (!sweep) return;
    // A trial's run is recorded on the sweep only once it exists: while running, any new run may be its next trial.
    if (sweep.status === 'running' || sweep.trials.some((trial) => trial.runId === runId)) this.refresh();
  }

  /** Re-reads the chosen sweep; calls arriving while one is on its way make one more, not one each. */
  private refresh(): void {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    const sweepId = this.selected?.id;
    if (sweepId === undefined) return;
    this.refreshing = (async () => {
      try {
        const details = await this.api.getSweep({ sweepId });
        if (this.selected?.id === sweepId) this.selected = details;
        const index = this.sweeps.findIndex((sweep) => sweep.id === sweepId);
        const { spec: _spec, trials: _trials, best: _best, ...summary } = details;
        if (index >= 0) this.sweeps[index] = summary;
      } catch (error) {
        this.error = errorPayload(error);
      } finally {
        this.refreshing = null;
        if (this.refreshAgain) {
          this.refreshAgain = false;
          this.refresh();
        }
      }
    })();
  }

  projectChanged(): void {
    this.sweeps = [];
    this.selected = null;
    this.trainedBest = null;
    this.error = null;
    this.sweepOfTask.clear();
  }
}
