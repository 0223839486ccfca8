/**
 * The Evaluate view: a run's metrics on a split, its confusion matrix, the images
 * behind a cell, the mistakes gallery, and a second run to compare with.
 */
import type {
  ApiErrorPayload,
  PredictionItem,
  RunEvaluation,
  RunSummary,
  SeshatApi,
} from '../../../src-shared/api/contract';
import { errorPayload } from '../api/api-client';

export type EvalSplit = 'test' | 'validation';

export class EvaluateState {
  runs = $state<RunSummary[]>([]);
  runId = $state<number | null>(null);
  compareRunId = $state<number | null>(null);
  split = $state<EvalSplit>('test');
  evaluation = $state<RunEvaluation | null>(null);
  compare = $state<RunEvaluation | null>(null);
  cell = $state<{ trueIndex: number; predictedIndex: number } | null>(null);
  cellImages = $state<PredictionItem[]>([]);
  mistakes = $state<PredictionItem[]>([]);
  error = $state<ApiErrorPayload | null>(null);
  evaluatingTask = $state<string | null>(null);
  /** Tasks that ended before their start call returned (a fast evaluation can). */
  private readonly endedEarly = new Set<string>();

  readonly models = $derived(this.runs.filter((run) => run.weightsPath));

  constructor(private readonly api: SeshatApi) {}

  /** Run ids repeat across projects: forget the last project's runs and what they showed. */
  projectChanged(): void {
    this.runs = [];
    this.runId = null;
    this.compareRunId = null;
    this.evaluation = null;
    this.compare = null;
    this.cell = null;
    this.cellImages = [];
    this.mistakes = [];
    this.error = null;
  }

  async load(): Promise<void> {
    try {
      this.runs = (await this.api.listRuns({})).sort((a, b) => b.id - a.id);
      if (this.runId === null || !this.models.some((run) => run.id === this.runId))
        this.runId = this.models[0]?.id ?? null;
      await this.refresh();
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  async refresh(): Promise<void> {
    if (this.runId === null) return;
    try {
      this.evaluation = await this.api.getEvaluation({ runId: this.runId, split: this.split });
      this.compare =
        this.compareRunId === null
          ? null
          : await this.api.getEvaluation({ runId: this.compareRunId, split: this.split });
      this.cell = null;
      this.cellImages = [];
      this.mistakes = this.evaluation
        ? await this.api.getPredictionImages({
            runId: this.runId,
            split: this.split,
            mistakesOnly: true,
            order: 'confident-first',
            limit: 120,
          })
        : [];
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  /** "Compare with" picked a run that has no evaluation on this split yet. */
  readonly compareMissing = $derived(this.compareRunId !== null && this.compare === null);

  /** Evaluates the run to compare with on this split, so the comparison can show. */
  async evaluateCompare(): Promise<void> {
    if (this.compareRunId !== null) await this.evaluate(this.compareRunId);
  }

  async evaluate(runId: number | null = this.runId): Promise<void> {
    if (runId === null) return;
    try {
      const { taskId } = await this.api.startEvaluation({ runId, split: this.split });
      // Its end event may already have come over the socket, before this reply.
      if (this.endedEarly.delete(taskId)) void this.load();
      else this.evaluatingTask = taskId;
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  /** Class ids by name, so matrix indices (model classes) map to catalog classes. */
  async openCell(trueIndex: number, predictedIndex: number, classIdByName: Map<string, number>): Promise<void> {
    if (!this.evaluation || this.runId === null) return;
    this.cell = { trueIndex, predictedIndex };
    const trueClassId = classIdByName.get(this.evaluation.classes[trueIndex]!);
    const predictedClassId = classIdByName.get(this.evaluation.classes[predictedIndex]!);
    if (trueClassId === undefined || predictedClassId === undefined) {
      this.cellImages = [];
      return;
    }
    try {
      this.cellImages = await this.api.getPredictionImages({
        runId: this.runId,
        split: this.split,
        trueClassId,
        predictedClassId,
        order: 'confident-first',
        limit: 200,
      });
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  /** The label was wrong: take the model's class. */
  async relabel(item: PredictionItem): Promise<void> {
    if (item.predictedClassId === null) return;
    try {
      await this.api.setLabels({ imageIds: [item.imageId], classId: item.predictedClassId });
      this.dismiss(item);
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  /** The model was wrong: the label stays; the image leaves the list. */
  dismiss(item: PredictionItem): void {
    this.mistakes = this.mistakes.filter((m) => m.imageId !== item.imageId);
    this.cellImages = this.cellImages.filter((m) => m.imageId !== item.imageId);
  }

  /** Called for every task that ends. */
  taskEnded(taskId: string): void {
    if (taskId !== this.evaluatingTask) {
      this.endedEarly.add(taskId);
      if (this.endedEarly.size > 10) this.endedEarly.delete(this.endedEarly.values().next().value!);
      return;
    }
    this.evaluatingTask = null;
    void this.load();
  }
}
