/**
 * The Predict view: drop or paste images for an instant top-5, classify folders,
 * review the unsure predictions and accept them as labels, export CSV and models.
 */
import type { ApiErrorPayload, DroppedImageResult, PredictionItem, RunSummary, SeshatApi } from '../../../src-main/api/contract';
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

export class PredictState {
  runs = $state<RunSummary[]>([]);
  runId = $state<number | null>(null);
  dropped = $state<DroppedImage[]>([]);
  folder = $state('');
  threshold = $state(0.8);
  review = $state<PredictionItem[]>([]);
  reviewSelection = $state.raw<ReadonlySet<number>>(new Set());
  error = $state<ApiErrorPayload | null>(null);
  modelFolder = $state('');
  message = $state<string | null>(null);
  private nextKey = 1;

  readonly models = $derived(this.runs.filter((run) => run.weightsPath));

  constructor(private readonly api: SeshatApi) {}

  async load(): Promise<void> {
    try {
      this.runs = (await this.api.listRuns({})).sort((a, b) => b.id - a.id);
      if (this.runId === null || !this.models.some((run) => run.id === this.runId)) this.runId = this.models[0]?.id ?? null;
      await this.loadReview();
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  /** Classifies dropped, pasted or chosen files; non-images get a clear message. */
  async predictFiles(files: File[]): Promise<void> {
    const entries = files.map((file) => {
      const entry: DroppedImage = { key: this.nextKey++, name: file.name || 'pasted image', url: null, result: null, error: null };
      if (!file.type.startsWith('image/') && !IMAGE_NAME.test(file.name)) entry.error = `${entry.name} is not an image file`;
      else if (file.size > MAX_DROP_BYTES) entry.error = `${entry.name} is too large (${Math.round(file.size / 1e6)} MB)`;
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
            const result = await this.api.predictImage({ name: entry.name, data: toBase64(await file.arrayBuffer()), ...(this.runId === null ? {} : { runId: this.runId }) });
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
    await this.run(() => this.api.startPrediction({ ...(this.runId === null ? {} : { runId: this.runId }), target: { kind: 'folders', roots: [this.folder.trim()] } }));
  }

  async classifyUnlabeled(): Promise<void> {
    await this.run(() => this.api.startPrediction({ ...(this.runId === null ? {} : { runId: this.runId }), target: { kind: 'unlabeled' } }));
  }

  async loadReview(): Promise<void> {
    if (this.runId === null) return;
    this.review = await this.api.getPredictionImages({ runId: this.runId, unlabeledOnly: true, maxConfidence: this.threshold, order: 'unsure-first', limit: 300 });
    this.reviewSelection = new Set();
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
        ? (await this.api.getPredictionImages({ runId, unlabeledOnly: true, order: 'confident-first', limit: 1000 })).filter((item) => item.confidence >= this.threshold).map((item) => item.imageId)
        : [...this.reviewSelection];
      if (ids.length === 0) return;
      const { changed } = await this.api.acceptPredictions({ runId, imageIds: ids });
      this.message = `${changed} predictions accepted as labels (label source: model). Undo in the Library with Ctrl+Z.`;
      await this.loadReview();
    });
  }

  async downloadCsv(): Promise<void> {
    if (this.runId === null) return;
    const runId = this.runId;
    await this.run(async () => {
      const csv = await this.api.getPredictionsCsv({ runId });
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const link = Object.assign(document.createElement('a'), { href: url, download: `predictions-run-${runId}.csv` });
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
