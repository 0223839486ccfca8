/**
 * The Predict view: drop or paste images for an instant top-5, classify folders,
 * review the unsure predictions and accept them as labels, export CSV and models.
 */
import type {
  ApiErrorPayload,
  DroppedImageResult,
  PredictionItem,
  RunSummary,
  SeshatApi,
} from '../../../src-shared/api/contract';
import { thresholdPrecision } from '../../../src-shared/api/contract';
import { errorPayload } from '../api/api-client';

export interface DroppedImage {
  key: number;
  name: string;
  url: string | null;
  result: DroppedImageResult | null;
  error: string | null;
}

const IMAGE_NAME = /\.(png|jpe?g|webp|gif|tiff?|avif|bmp)$/i;
const MAX_DROP_BYTES = 40 * 1024 * 1024;

function toBase64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** A run's validation accuracy as its training recorded it, or null. */
export function validationAccuracy(run: RunSummary): number | null {
  const accuracy = run.metrics?.evaluation?.accuracy;
  return typeof accuracy === 'number' ? accuracy : null;
}

/**
 * The model Predict uses unless the user picks another: the finished run with the best
 * validation accuracy (newest first on a tie), never a cancelled or failed one while a
 * finished one exists.
 */
export function bestFinishedRun(runs: readonly RunSummary[]): RunSummary | null {
  const withModel = runs.filter((run) => run.weightsPath);
  const finished = withModel.filter((run) => run.status === 'done');
  const pool = finished.length > 0 ? finished : withModel;
  return (
    [...pool].sort((a, b) => (validationAccuracy(b) ?? -1) - (validationAccuracy(a) ?? -1) || b.id - a.id)[0] ?? null
  );
}

export class PredictState {
  runs = $state<RunSummary[]>([]);
  runId = $state<number | null>(null);
  /** True once the user picked a model themselves: a reload then keeps their choice. */
  runChosen = $state(false);
  /** The folder of the last "Classify folder": Export CSV writes its images. */
  classifiedFolder = $state<string | null>(null);
  /** The review item the keyboard acts on. */
  reviewFocus = $state(0);
  dropped = $state<DroppedImage[]>([]);
  folder = $state('');
  /** Classify folder: re-estimate the model's batch-norm statistics on the folder's images first. */
  adaptToFolder = $state(true);
  threshold = $state(0.8);
  review = $state<PredictionItem[]>([]);
  reviewSelection = $state.raw<ReadonlySet<number>>(new Set());
  error = $state<ApiErrorPayload | null>(null);
  modelFolder = $state('');
  message = $state<string | null>(null);
  private nextKey = 1;

  readonly models = $derived(this.runs.filter((run) => run.weightsPath));
  readonly selectedRun = $derived(this.runs.find((run) => run.id === this.runId) ?? null);
  /** What accepting at the current threshold is worth, measured on the validation split. */
  readonly thresholdReport = $derived.by(() => {
    const bins = this.selectedRun?.metrics?.evaluation?.confidenceBins;
    return bins ? thresholdPrecision(bins, this.threshold) : null;
  });

  constructor(
    private readonly api: SeshatApi,
    private readonly projectName: () => string = () => 'project',
  ) {}

  /** Run ids start at 1 in every project: a choice made in the last one must not pick a model here. */
  projectChanged(): void {
    this.runId = null;
    this.runChosen = false;
    this.classifiedFolder = null;
    this.review = [];
    this.reviewSelection = new Set();
    this.reviewFocus = 0;
    this.dropped = [];
    this.error = null;
    this.message = null;
  }

  async load(): Promise<void> {
    try {
      this.runs = (await this.api.listRuns({})).sort((a, b) => b.id - a.id);
      const kept = this.runChosen && this.models.some((run) => run.id === this.runId);
      if (!kept) {
        this.runId = bestFinishedRun(this.runs)?.id ?? null;
        this.runChosen = false;
      }
      await this.loadReview();
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  /** The user picked a model in the list. */
  async chooseRun(runId: number | null): Promise<void> {
    this.runId = runId;
    this.runChosen = true;
    await this.loadReview();
  }

  /** Classifies dropped, pasted or chosen files; non-images get a clear message. */
  async predictFiles(files: File[]): Promise<void> {
    const entries = files.map((file) => {
      const entry: DroppedImage = {
        key: this.nextKey++,
        name: file.name || 'pasted image',
        url: null,
        result: null,
        error: null,
      };
      if (!file.type.startsWith('image/') && !IMAGE_NAME.test(file.name))
        entry.error = `${entry.name} is not an image file`;
      else if (file.size > MAX_DROP_BYTES)
        entry.error = `${entry.name} is too large (${Math.round(file.size / 1e6)} MB)`;
      else entry.url = URL.createObjectURL(file);
      return { file, entry };
    });
    this.dropped = [...entries.map((e) => e.entry), ...this.dropped].slice(0, 24);
    await Promise.all(
      entries
        .filter(({ entry }) => entry.error === null)
        .map(async ({ file, entry }) => {
          const target = () => this.dropped.find((d) => d.key === entry.key);
          try {
            const result = await this.api.predictImage({
              name: entry.name,
              data: toBase64(await file.arrayBuffer()),
              ...(this.runId === null ? {} : { runId: this.runId }),
            });
            const current = target();
            if (current) current.result = result;
          } catch (error) {
            const current = target();
            if (current) current.error = errorPayload(error).message;
          }
        }),
    );
  }

  clearDropped(): void {
    for (const entry of this.dropped) if (entry.url) URL.revokeObjectURL(entry.url);
    this.dropped = [];
  }

  async classifyFolder(): Promise<void> {
    const folder = this.folder.trim();
    await this.run(async () => {
      await this.api.startPrediction({
        ...(this.runId === null ? {} : { runId: this.runId }),
        target: { kind: 'folders', roots: [folder], adapt: this.adaptToFolder },
      });
      this.classifiedFolder = folder;
    });
  }

  async classifyUnlabeled(): Promise<void> {
    await this.run(async () => {
      await this.api.startPrediction({
        ...(this.runId === null ? {} : { runId: this.runId }),
        target: { kind: 'unlabeled' },
      });
      this.classifiedFolder = null;
    });
  }

  async loadReview(): Promise<void> {
    if (this.runId === null) return;
    this.review = await this.api.getPredictionImages({
      runId: this.runId,
      unlabeledOnly: true,
      maxConfidence: this.threshold,
      order: 'unsure-first',
      limit: 300,
    });
    this.reviewSelection = new Set();
    this.reviewFocus = Math.min(this.reviewFocus, Math.max(0, this.review.length - 1));
  }

  /** Labels one reviewed image with the model's guess number `rank` (1 = best, 2 = second, …). */
  async acceptGuess(imageId: number, rank: number): Promise<void> {
    if (this.runId === null) return;
    const runId = this.runId;
    const item = this.review.find((candidate) => candidate.imageId === imageId);
    if (!item || item.topK.length < rank) return;
    await this.run(async () => {
      const { changed } = await this.api.acceptPredictions({ runId, imageIds: [imageId], rank });
      this.message =
        changed > 0
          ? `Labelled ${item.relPath} with the model's ${rank === 1 ? 'best' : rank === 2 ? '2nd' : '3rd'} guess. Undo in the Library with Ctrl+Z.`
          : null;
      await this.loadReview();
    });
  }

  toggleReview(imageId: number): void {
    const next = new Set(this.reviewSelection);
    if (next.has(imageId)) next.delete(imageId);
    else next.add(imageId);
    this.reviewSelection = next;
  }

  /** Accepts the model's class as the label for the selected (or, with none selected, all confident) unlabelled images. */
  async accept(all: boolean): Promise<void> {
    if (this.runId === null) return;
    const runId = this.runId;
    await this.run(async () => {
      const ids = all
        ? (await this.api.getPredictionImages({ runId, unlabeledOnly: true, order: 'confident-first', limit: 1000 }))
            .filter((item) => item.confidence >= this.threshold)
            .map((item) => item.imageId)
        : [...this.reviewSelection];
      if (ids.length === 0) {
        this.message = `No unlabelled image has a prediction at ${(this.threshold * 100).toFixed(0)}% confidence or more.`;
        return;
      }
      const { changed } = await this.api.acceptPredictions({ runId, imageIds: ids });
      this.message = `${changed} predictions accepted as labels (label source: model). Undo in the Library with Ctrl+Z.`;
      await this.loadReview();
    });
  }

  async downloadCsv(): Promise<void> {
    if (this.runId === null) return;
    const runId = this.runId;
    await this.run(async () => {
      const folder = this.classifiedFolder;
      const csv = await this.api.getPredictionsCsv({ runId, ...(folder ? { folder } : {}) });
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const link = Object.assign(document.createElement('a'), {
        href: url,
        download: csvFileName(this.projectName(), folder, runId, new Date()),
      });
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    });
  }

  async exportModel(): Promise<void> {
    if (this.runId === null) return;
    const runId = this.runId;
    await this.run(async () => {
      const { dir } = await this.api.exportModel({ runId, outDir: this.modelFolder.trim() });
      this.message = `Model written to ${dir} (model.json, weights, labels.json, preprocessing.json).`;
    });
  }

  async importModel(): Promise<void> {
    await this.run(async () => {
      const { runId } = await this.api.importModel({ dir: this.modelFolder.trim() });
      await this.load();
      this.runId = runId;
      this.message = 'Model imported.';
    });
  }

  private async run(action: () => Promise<unknown>): Promise<void> {
    this.error = null;
    try {
      await action();
    } catch (error) {
      this.error = errorPayload(error);
    }
  }
}

/** `<project>-<folder>-run<id>-<yyyymmdd-hhmm>.csv`: exports of two projects or two folders never share a name. */
export function csvFileName(project: string, folder: string | null, runId: number, at: Date): string {
  const safe = (text: string) => text.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^_+|_+$/g, '') || 'project';
  const folderName = folder ? safe(folder.split(/[\\/]/).filter(Boolean).pop() ?? 'folder') : 'all';
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}-${pad(at.getHours())}${pad(at.getMinutes())}`;
  return `${safe(project)}-${folderName}-run${runId}-${stamp}.csv`;
}
