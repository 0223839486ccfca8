/**
 * The Splits view: the current split per class, a preview of a new split (nothing
 * written until Apply), the test-set lock, and export.
 */
import type { ApiErrorPayload, SeshatApi, SplitOverview, SplitPlan } from '../../../src-shared/api/contract';
import { errorPayload } from '../api/api-client';

export type GroupChoice = 'none' | 'folder' | 'unas' | 'regex';
export const UNAS_GROUP_PATTERN = '^(\\d{2})';

export class SplitsState {
  overview = $state<SplitOverview | null>(null);
  plan = $state<SplitPlan | null>(null);
  ratios = $state({ train: 70, validation: 15, test: 15 });
  seed = $state(42);
  group = $state<GroupChoice>('none');
  pattern = $state(UNAS_GROUP_PATTERN);
  busy = $state(false);
  error = $state<ApiErrorPayload | null>(null);
  exportDir = $state('');
  exportMode = $state<'copy' | 'link' | 'symlink'>('copy');
  exportOverwrite = $state(false);
  lastExportTask = $state<string | null>(null);

  constructor(private readonly api: SeshatApi) {}

  private request() {
    const group =
      this.group === 'none'
        ? null
        : this.group === 'folder'
          ? { kind: 'folder' as const }
          : {
              kind: 'regex' as const,
              pattern: this.group === 'unas' ? UNAS_GROUP_PATTERN : this.pattern,
              on: 'name' as const,
            };
    return { ratios: { ...this.ratios }, seed: this.seed, group };
  }

  /** The form follows the project's rule until the user edits it (and again after another project opens). */
  private formFromRule = true;

  async load(): Promise<void> {
    try {
      this.overview = await this.api.getSplitOverview({});
      if (this.formFromRule) this.fillForm(this.overview.rule, this.overview.folders);
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  /** The user changed a field: their values stay until they apply or another project opens. */
  edited(): void {
    this.formFromRule = false;
  }

  projectChanged(): void {
    this.formFromRule = true;
    this.plan = null;
    this.overview = null;
  }

  /**
   * The form from the project's rule; a project never split whose images come from more
   * than one folder is offered "keep each folder together", since crops of one picture
   * on both sides would flatter the figures.
   */
  private fillForm(rule: SplitOverview['rule'], folders: number): void {
    const sum = rule.ratios.train + rule.ratios.validation + rule.ratios.test || 1;
    const percent = (value: number) => Math.round((value / sum) * 100);
    this.ratios = {
      train: percent(rule.ratios.train),
      validation: percent(rule.ratios.validation),
      test: percent(rule.ratios.test),
    };
    this.seed = typeof rule.seed === 'number' ? rule.seed : 42;
    const group = rule.group;
    if (!group) this.group = rule.appliedAt === null && folders > 1 ? 'folder' : 'none';
    else if (group.kind === 'folder') this.group = 'folder';
    else if (group.pattern === UNAS_GROUP_PATTERN) this.group = 'unas';
    else {
      this.group = 'regex';
      this.pattern = group.pattern;
    }
  }

  async preview(): Promise<void> {
    await this.run(async () => {
      this.plan = await this.api.previewSplit(this.request());
    });
  }

  async apply(): Promise<void> {
    await this.run(async () => {
      this.plan = await this.api.applySplit(this.request());
      this.formFromRule = true;
      await this.load();
    });
  }

  async setTestLocked(locked: boolean): Promise<void> {
    await this.run(async () => {
      await this.api.lockSplit({ split: 'test', locked });
      await this.load();
    });
  }

  async startExport(): Promise<void> {
    await this.run(async () => {
      const { taskId } = await this.api.startExport({
        outDir: this.exportDir.trim(),
        mode: this.exportMode,
        overwrite: this.exportOverwrite,
      });
      this.lastExportTask = taskId;
    });
  }

  private async run(action: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await action();
    } catch (error) {
      this.error = errorPayload(error);
    } finally {
      this.busy = false;
    }
  }
}
