/**
 * The Train view: choosing a preset and its options, starting and resuming runs,
 * the live curves of the run being trained, the list of past runs, and runs ticked
 * in that list compared side by side.
 */
import type {
  ApiErrorPayload,
  EpochEvent,
  EpochRecord,
  FineTuneMode,
  PresetDefaults,
  PresetSummary,
  RunComparison,
  RunDetails,
  RunSummary,
  SeshatApi,
} from '../../../src-shared/api/contract';
import { ensembleByDefault } from '../../../src-shared/api/contract';
import { errorPayload } from '../api/api-client';
import { defaultTrainForm, trainSettingsOf, type PresetId, type TrainForm } from './train-settings';

export type { PresetId, TrainForm } from './train-settings';

export class TrainState {
  presets = $state<PresetSummary[]>([]);
  form = $state<TrainForm>(defaultTrainForm());
  runs = $state<RunSummary[]>([]);
  selected = $state<RunDetails | null>(null);
  error = $state<ApiErrorPayload | null>(null);
  starting = $state(false);
  /** Runs ticked in the Runs table, to compare. */
  ticked = $state<number[]>([]);
  /** The runs compared side by side (null: the panel is closed). */
  comparison = $state<RunComparison | null>(null);
  comparing = $state(false);
  compareError = $state<ApiErrorPayload | null>(null);

  constructor(private readonly api: SeshatApi) {}

  async load(): Promise<void> {
    try {
      const [presets, runs] = await Promise.all([this.api.listPresets({}), this.api.listRuns({})]);
      if (this.presets.length === 0) {
        const recommended = presets.find((preset) => preset.recommended) ?? presets[0];
        if (recommended) this.choosePreset(recommended.id, presets);
      }
      this.presets = presets;
      this.runs = runs.sort((a, b) => b.id - a.id);
      const focus = this.selected?.id ?? this.runs[0]?.id;
      if (focus !== undefined) await this.select(focus);
      // A deleted run (or another project's) leaves the ticks and the comparison; the rest are read afresh.
      const exists = (id: number) => this.runs.some((run) => run.id === id);
      this.ticked = this.ticked.filter(exists);
      if (this.comparison) await this.fetchComparison(this.comparison.runs.map((run) => run.id).filter(exists));
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  /** Another project: its runs have ids of their own, so ticks and a comparison of this one's must not carry over. */
  projectChanged(): void {
    this.ticked = [];
    this.closeComparison();
  }

  toggleTicked(runId: number, on: boolean): void {
    this.ticked = on ? [...new Set([...this.ticked, runId])] : this.ticked.filter((id) => id !== runId);
  }

  /** Compares the ticked runs, oldest first, so the columns read in the order they were trained. */
  async compare(): Promise<void> {
    await this.fetchComparison(this.ticked.slice().sort((a, b) => a - b));
  }

  closeComparison(): void {
    this.comparison = null;
    this.compareError = null;
  }

  private async fetchComparison(runIds: number[]): Promise<void> {
    if (runIds.length < 2) {
      this.closeComparison();
      return;
    }
    this.comparing = true;
    this.compareError = null;
    try {
      this.comparison = await this.api.getRunComparison({ runIds });
    } catch (error) {
      this.compareError = errorPayload(error);
    } finally {
      this.comparing = false;
    }
  }

  choosePreset(id: PresetId, presets = this.presets): void {
    const preset = presets.find((candidate) => candidate.id === id);
    this.form.preset = id;
    this.form.ensemble = ensembleByDefault(id);
    this.form.fineTune = 'head';
    if (preset) this.applyDefaults(preset.defaults);
  }

  /** MobileNet: what to train; the whole network has its own epochs, rate and batch size. */
  chooseFineTune(mode: FineTuneMode, presets = this.presets): void {
    const preset = presets.find((candidate) => candidate.id === this.form.preset);
    const wasWhole = this.form.fineTune === 'all';
    this.form.fineTune = mode;
    const defaults = mode === 'all' ? preset?.wholeNetworkDefaults : wasWhole ? preset?.defaults : null;
    if (defaults) this.applyDefaults(defaults);
  }

  private applyDefaults(defaults: PresetDefaults): void {
    this.form.epochs = defaults.epochs;
    this.form.batchSize = defaults.batchSize;
    this.form.learningRate = defaults.learningRate;
    this.form.schedule = defaults.learningRateSchedule;
    this.form.labelSmoothing = defaults.labelSmoothing;
    this.form.earlyStopping = defaults.earlyStoppingPatience !== null;
    this.form.flip = defaults.mirror;
    if (defaults.earlyStoppingPatience !== null) this.form.patience = defaults.earlyStoppingPatience;
  }

  async start(): Promise<void> {
    const f = this.form;
    this.starting = true;
    this.error = null;
    try {
      await this.api.startTraining({
        keepBestOnCancel: f.keepBestOnCancel,
        settings: trainSettingsOf(f),
      });
    } catch (error) {
      this.error = errorPayload(error);
    } finally {
      this.starting = false;
    }
  }

  async resume(runId: number): Promise<void> {
    try {
      await this.api.resumeRun({ runId });
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  async remove(runId: number): Promise<void> {
    try {
      await this.api.deleteRun({ runId });
      if (this.selected?.id === runId) this.selected = null;
      await this.load();
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  async select(runId: number): Promise<void> {
    try {
      this.selected = await this.api.getRun({ runId });
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  /** A run appeared or changed state (event from main). */
  runChanged(run: RunSummary): void {
    const index = this.runs.findIndex((candidate) => candidate.id === run.id);
    if (index >= 0) this.runs[index] = run;
    else this.runs = [run, ...this.runs];
    if (this.selected?.id === run.id) this.selected = { ...this.selected, ...run };
    else if (run.active) this.selected = { ...run, epochs: [] };
  }

  /** One epoch finished on a run being trained: extend its curves live. */
  epochFinished(runId: number, epoch: EpochEvent): void {
    if (this.selected?.id !== runId) return;
    const record: EpochRecord = {
      runId,
      epoch: epoch.epoch,
      at: Date.now(),
      metrics: {
        loss: epoch.loss,
        accuracy: epoch.accuracy,
        ...(epoch.valLoss === null ? {} : { valLoss: epoch.valLoss }),
        ...(epoch.valAccuracy === null ? {} : { valAccuracy: epoch.valAccuracy }),
        imagesPerSecond: epoch.imagesPerSecond,
      },
    };
    this.selected.epochs = [...this.selected.epochs.filter((e) => e.epoch !== epoch.epoch), record];
  }
}
