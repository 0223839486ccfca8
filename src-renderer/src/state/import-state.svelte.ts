/**
 * The Import dialog: folders, a label source with a live preview of the classes it
 * would produce (nothing is written until the user says go), then the import task
 * and its report.
 */
import type {
  ApiErrorPayload,
  ImportPreviewResult,
  ImportSettings,
  ImportUndoResult,
  SeshatApi,
  StoredReport,
} from '../../../src-shared/api/contract';
import { errorPayload } from '../api/api-client';

export type LabelKind = 'folders' | 'filename' | 'csv' | 'none';
/** Unas crops: `030001_D58.png` → D58. */
import { UNAS_FILENAME_PATTERN as UNAS_PATTERN } from '../../../src-shared/api/contract';
export { UNAS_PATTERN };

/**
 * Classes per image above which a preview warns: 1,548 classes from 2,594 photos is a
 * label source reading the wrong thing (another project's file-name pattern), not a dataset.
 */
export const CLASSES_PER_IMAGE_WARNING = 0.3;

/** Whether a preview's classes are suspiciously many for its images (at least 20 classes). */
export function tooManyClasses(preview: Pick<ImportPreviewResult, 'files' | 'classes' | 'unmatched'>): boolean {
  const labelled = preview.files - preview.unmatched.count;
  return preview.classes.length >= 20 && preview.classes.length > CLASSES_PER_IMAGE_WARNING * Math.max(1, labelled);
}

export class ImportState {
  open = $state(false);
  roots = $state<string[]>(['']);
  labelKind = $state<LabelKind>('folders');
  pattern = $state(UNAS_PATTERN);
  csvFile = $state('');
  duplicates = $state<'skip' | 'keep'>('skip');
  preview = $state<ImportPreviewResult | null>(null);
  /** What the last undo did, for the report dialog. */
  undone = $state<ImportUndoResult | null>(null);
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

  /** Opens the dialog as this project left it (or with the defaults, in a project that never imported). */
  async show(): Promise<void> {
    this.error = null;
    try {
      this.applySettings(await this.api.getImportSettings({}));
    } catch (error) {
      this.error = errorPayload(error);
    }
    this.open = true;
  }

  /** Another project was opened: nothing of this one's dialog, preview or report may carry over. */
  projectChanged(): void {
    this.applySettings(null);
    this.open = false;
    this.report = null;
    this.reportOpen = false;
    this.undone = null;
    this.taskId = null;
  }

  private applySettings(settings: ImportSettings | null): void {
    this.roots = settings && settings.roots.length > 0 ? [...settings.roots] : [''];
    this.labelKind = settings?.labelSource.kind ?? 'folders';
    this.pattern = settings?.labelSource.kind === 'filename' ? settings.labelSource.pattern : UNAS_PATTERN;
    this.csvFile = settings?.labelSource.kind === 'csv' ? settings.labelSource.file : '';
    this.duplicates = settings?.duplicates ?? 'skip';
    this.preview = null;
  }

  /** Takes the import of the open report back as one step. */
  async undoReport(): Promise<boolean> {
    if (!this.report) return false;
    try {
      this.undone = await this.api.undoImport({ reportId: this.report.id });
      return true;
    } catch (error) {
      this.error = errorPayload(error);
      return false;
    }
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
      const { taskId } = await this.api.startImport({
        roots: this.cleanRoots,
        labelSource: this.labelSource(),
        duplicates: this.duplicates,
      });
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
      this.undone = null;
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
