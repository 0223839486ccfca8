/**
 * The Import dialog: folders, a label source with a live preview of the classes it
 * would produce (nothing is written until the user says go), then the import task
 * and its report.
 */
import type { ApiErrorPayload, ImportPreview, SeshatApi, StoredReport } from '../../../src-main/api/contract';
import { errorPayload } from '../api/api-client';

export type LabelKind = 'folders' | 'filename' | 'csv' | 'none';
/** Unas crops: `030001_D58.png` → D58. */
export const UNAS_PATTERN = '^\\d+_([^.]+)\\.';

export class ImportState {
  open = $state(false);
  roots = $state<string[]>(['']);
  labelKind = $state<LabelKind>('folders');
  pattern = $state(UNAS_PATTERN);
  csvFile = $state('');
  duplicates = $state<'skip' | 'keep'>('skip');
  preview = $state<ImportPreview | null>(null);
  previewing = $state(false);
  error = $state<ApiErrorPayload | null>(null);
  taskId = $state<string | null>(null);
  report = $state<StoredReport | null>(null);
  reportOpen = $state(false);

  private previewSerial = 0;
  /** Results of import tasks that ended, kept briefly: a quick import can end before start() hears its id. */
  private readonly ended = new Map<string, unknown>();

  readonly cleanRoots = $derived(this.roots.map((root) => root.trim()).filter(Boolean));

  constructor(private readonly api: SeshatApi) {}

  labelSource() {
    switch (this.labelKind) {
      case 'filename':
        return { kind: 'filename' as const, pattern: this.pattern };
      case 'csv':
        return { kind: 'csv' as const, file: this.csvFile.trim() };
      default:
        return { kind: this.labelKind };
    }
  }

  show(): void {
    this.open = true;
    this.error = null;
  }

  close(): void {
    this.open = false;
  }

  async runPreview(): Promise<void> {
    if (this.cleanRoots.length === 0) {
      this.preview = null;
      return;
    }
    const serial = ++this.previewSerial;
    this.previewing = true;
    try {
      const preview = await this.api.previewImport({ roots: this.cleanRoots, labelSource: this.labelSource() });
      if (serial !== this.previewSerial) return; // a newer preview is on its way
      this.preview = preview;
      this.error = null;
    } catch (error) {
      if (serial !== this.previewSerial) return;
      this.preview = null;
      this.error = errorPayload(error);
    } finally {
      if (serial === this.previewSerial) this.previewing = false;
    }
  }

  async start(): Promise<boolean> {
    try {
      const { taskId } = await this.api.startImport({ roots: this.cleanRoots, labelSource: this.labelSource(), duplicates: this.duplicates });
      this.taskId = taskId;
      this.open = false;
      if (this.ended.has(taskId)) this.finished(this.ended.get(taskId));
      return true;
    } catch (error) {
      this.error = errorPayload(error);
      return false;
    }
  }

  /** Called for every import task that ends (done or cancelled: both keep what was committed). */
  taskEnded(taskId: string, result: unknown): void {
    if (taskId === this.taskId) this.finished(result);
    else {
      this.ended.set(taskId, result);
      if (this.ended.size > 10) this.ended.delete(this.ended.keys().next().value!);
    }
  }

  private finished(result: unknown): void {
    this.taskId = null;
    if (result && typeof result === 'object' && 'counts' in result) {
      this.report = result as StoredReport;
      this.reportOpen = true;
    }
  }

  async loadLatestReport(): Promise<void> {
    try {
      this.report = await this.api.getLatestImportReport({});
    } catch (error) {
      this.error = errorPayload(error);
    }
  }
}
