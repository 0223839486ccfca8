/**
 * The Train view: choosing a preset and its options, starting and resuming runs,
 * the live curves of the run being trained, and the list of past runs.
 */
import type {
  ApiErrorPayload,
  EpochEvent,
  EpochRecord,
  PresetSummary,
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
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  choosePreset(id: PresetId, presets = this.presets): void {
    const preset = presets.find((candidate) => candidate.id === id);
    this.form.preset = id;
    this.form.ensemble = ensembleByDefault(id);
    if (preset) {
      this.form.epochs = preset.defaults.epochs;
      this.form.batchSize = preset.defaults.batchSize;
      this.form.learningRate = preset.defaults.learningRate;
      this.form.schedule = preset.defaults.learningRateSchedule;
      this.form.labelSmoothing = preset.defaults.labelSmoothing;
      this.form.earlyStopping = preset.defaults.earlyStoppingPatience !== null;
      if (preset.defaults.earlyStoppingPatience !== null) this.form.patience = preset.defaults.earlyStoppingPatience;
    }
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
