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

export type PresetId = PresetSummary['id'];

export interface TrainForm {
  preset: PresetId;
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: 'adam' | 'sgd' | 'rmsprop';
  schedule: 'plateau' | 'cosine';
  labelSmoothing: number;
  earlyStopping: boolean;
  patience: number;
  classWeights: 'none' | 'balanced';
  /** Logit adjustment on (τ 0.75); balanced class weights turn it off (they correct the same lean). */
  adjustRare: boolean;
  augment: boolean;
  flip: boolean;
  /** Conv presets: also train a MobileNet-features head and combine the two. */
  ensemble: boolean;
  seed: number;
  keepBestOnCancel: boolean;
}

export class TrainState {
  presets = $state<PresetSummary[]>([]);
  form = $state<TrainForm>({
    preset: 'cnn-plus',
    epochs: 60,
    batchSize: 32,
    learningRate: 0.002,
    optimizer: 'adam',
    schedule: 'plateau',
    labelSmoothing: 0,
    earlyStopping: true,
    patience: 8,
    classWeights: 'none',
    adjustRare: true,
    augment: true,
    flip: false,
    ensemble: ensembleByDefault('cnn-plus'),
    seed: 1,
    keepBestOnCancel: false,
  });
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
        settings: {
          preset: f.preset,
          epochs: f.epochs,
          batchSize: f.batchSize,
          learningRate: f.learningRate,
          optimizer: f.optimizer,
          learningRateSchedule: f.schedule,
          labelSmoothing: f.labelSmoothing,
          earlyStopping: f.earlyStopping ? { patience: f.patience, minDelta: 0 } : null,
          classWeights: f.classWeights,
          logitAdjustment: f.adjustRare && f.classWeights === 'none' ? 0.75 : 0,
          augment: f.preset === 'mobilenet' || !f.augment ? false : { flip: f.flip },
          ensemble: f.preset !== 'mobilenet' && f.ensemble,
          seed: f.seed,
        },
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
