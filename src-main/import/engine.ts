/**
 * The engine behind importFolders and rescan: scan roots, compare each file with
 * the catalog, process what is new or changed (read once → hash → probe →
 * thumbnail), and commit in batches.
 *
 * Crash and cancel safety: a batch's images, labels, splits, report items and
 * counts commit in one transaction, and a thumbnail is written (atomically) before
 * the row that points at it. A kill -9 therefore leaves committed batches whole and
 * the rest absent; running the same import again skips what is already there
 * (same path, size and mtime) and finishes the job.
 */
import { existsSync } from 'node:fs';
import { isAppError } from '../../src-shared/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import type { ImageFileState } from '../catalog/images.js';
import type { ReportItem } from '../catalog/reports.js';
import type { ImageRecord, RootRecord } from '../../src-shared/catalog-records.js';
import type { JobContext } from '../../src-shared/progress.js';
import { processImageFile, type ProcessedImage } from '../images/process-file.js';
import { thumbnailPath } from '../images/thumbnails.js';
import type { ImportIo } from './io.js';
import { usableGuess, type LabelGuess, type LabelResolver } from './label-sources.js';
import { runPool } from './pool.js';
import { emptyCounts, type DuplicatePolicy } from './report.js';
import type { ScanResult, ScannedFile } from './scan.js';

export interface RootPlan {
  root: RootRecord;
  resolver: LabelResolver;
  scan: ScanResult;
}

export interface EngineOptions {
  kind: 'import' | 'rescan';
  duplicates: DuplicatePolicy;
  thumbnailsDir: string | null;
  batchSize: number;
  concurrency: number;
  io: ImportIo;
  /**
   * The undoable operation an import runs under (every image, class, folder, label and
   * split it adds carries it, so "Undo import" can take them back). A rescan has none:
   * it starts a plain one the first time it labels something.
   */
  operationId?: number;
  /** Told of each file skipped as a copy of a catalogued image, and which image that is. */
  onDuplicateSkipped?: (path: string, imageId: number) => void;
}

/** A guess whose label can name a class; one that could not was taken out and is reported by `unusable`. */
type CheckedGuess = LabelGuess & { unusable?: ReportItem };

type Action =
  | { type: 'new'; file: ScannedFile; rootId: number; processed: ProcessedImage; guess: CheckedGuess }
  | { type: 'changed'; id: number; file: ScannedFile; processed: ProcessedImage }
  | { type: 'moved'; id: number; from: string; file: ScannedFile; rootId: number }
  | { type: 'existing'; image: ImageRecord; mtimeMs: number; guess: CheckedGuess }
  | { type: 'error'; item: ReportItem };

export class ImportEngine {
  readonly counts = emptyCounts();
  private pending: Action[] = [];
  private reorder: { next: number; done: Map<number, Action> } = { next: 0, done: new Map() };
  private operationId: number | null;
  /** Images labelled in the batch being committed: they join their group's split (or the rule's) in it. */
  private labelledInBatch: number[] = [];
  /** Images inserted in the batch being committed: their paths enter path search together, at its end. */
  private insertedInBatch: number[] = [];
  private processed = 0;
  private total = 0;
  private started = Date.now();
  private lastProgress = 0;

  constructor(
    private readonly catalog: Catalog,
    private readonly reportId: number,
    private readonly options: EngineOptions,
    private readonly job: JobContext,
  ) {
    this.operationId = options.operationId ?? null;
  }

  /** The operation this run's rows carry (null for a rescan that has labelled nothing yet). */
  get operation(): number | null {
    return this.operationId;
  }

  /** Processes every scanned file of every root; returns false when cancelled part-way. */
  async run(plans: RootPlan[]): Promise<boolean> {
    this.total = plans.reduce((n, plan) => n + plan.scan.files.length, 0);
    this.started = Date.now();
    for (const plan of plans) {
      const vanished = this.vanishedByHash(plan);
      this.reorder = { next: 0, done: new Map() };
      await runPool(plan.scan.files, this.options.concurrency, this.job.signal, (file, index) =>
        this.handle(plan, file, index, vanished),
      );
      // After a cancel, files finished out of order wait behind one that never ran.
      for (const [, action] of [...this.reorder.done].sort(([a], [b]) => a - b)) this.pending.push(action);
      this.flush();
      if (this.job.signal.aborted) return false;
      this.markMissing(plan, vanished);
      this.catalog.images.updateRoot(plan.root.id, { scannedAt: Date.now() });
    }
    this.progress(true);
    return true;
  }

  /** Records scan problems (unreadable folders, broken links) as report errors. */
  addScanProblems(scan: ScanResult): void {
    this.counts.scanned += scan.files.length;
    this.counts.ignored += scan.ignored;
    for (const p of scan.problems)
      this.pending.push({ type: 'error', item: { kind: 'error', path: p.path, code: p.code, detail: p.reason } });
    this.flush();
  }

  addError(item: ReportItem): void {
    this.pending.push({ type: 'error', item });
  }

  /** Commits what is pending: one transaction per batch. */
  flush(): void {
    if (this.pending.length === 0) return;
    const actions = this.pending;
    this.pending = [];
    const { catalog } = this;
    catalog.transaction(() => {
      const items: ReportItem[] = [];
      this.labelledInBatch = [];
      this.insertedInBatch = [];
      for (const action of actions) this.apply(action, items);
      catalog.images.indexPaths(this.insertedInBatch);
      // A newly labelled image follows its picture's split, or the project's rule, in the
      // same transaction as its label: no moment where a group straddles two splits.
      if (this.labelledInBatch.length > 0)
        catalog.splits.placeLabelled(this.labelledInBatch, { opId: this.operationId });
      catalog.reports.addItems(this.reportId, items);
      catalog.reports.updateCounts(this.reportId, { ...this.counts });
    });
    this.progress(false);
  }

  /**
   * Files finish out of order; their actions are committed in scan order, so image
   * ids follow the folder order and the first copy in scan order is the one a
   * duplicate is reported against. At most `concurrency` actions wait here.
   */
  private async handle(
    plan: RootPlan,
    file: ScannedFile,
    index: number,
    vanished: Map<string, ImageFileState[]>,
  ): Promise<void> {
    const action = await this.examine(plan, file, vanished);
    this.processed++;
    const { reorder } = this;
    reorder.done.set(index, action);
    for (let next = reorder.done.get(reorder.next); next !== undefined; next = reorder.done.get(reorder.next)) {
      reorder.done.delete(reorder.next++);
      this.queue(next);
    }
  }

  /** What to do with one scanned file; reads and decodes it only when it is new or changed. */
  private async examine(plan: RootPlan, file: ScannedFile, vanished: Map<string, ImageFileState[]>): Promise<Action> {
    const { images } = this.catalog;
    const existing = images.findByPath(plan.root.id, file.relPath);
    const guess = checkedGuess(plan.resolver, file);
    if (!guess.matched) this.counts.unmatched++;
    if (
      existing &&
      existing.bytes === file.size &&
      existing.mtimeMs === file.mtimeMs &&
      this.hasThumbnail(existing.hash)
    ) {
      return { type: 'existing', image: existing, mtimeMs: file.mtimeMs, guess };
    }
    let processed: ProcessedImage;
    try {
      processed = await processImageFile(file.absPath, {
        thumbnailsDir: this.options.thumbnailsDir,
        knownSize: file.size,
        readFile: this.options.io.readFile,
      });
    } catch (error) {
      if (!isAppError(error)) throw error;
      return { type: 'error', item: { kind: 'error', path: file.absPath, code: error.code, detail: error.message } };
    }
    if (existing) {
      return processed.hash === existing.hash
        ? { type: 'existing', image: existing, mtimeMs: file.mtimeMs, guess }
        : { type: 'changed', id: existing.id, file, processed };
    }
    // Claimed synchronously (no await in between), so two copies cannot both take one move.
    const candidate = vanished.get(processed.hash)?.shift();
    if (candidate) return { type: 'moved', id: candidate.id, from: candidate.relPath, file, rootId: plan.root.id };
    return { type: 'new', file, rootId: plan.root.id, processed, guess };
  }

  private queue(action: Action): void {
    this.pending.push(action);
    if (this.pending.length >= this.options.batchSize) this.flush();
    else this.progress(false);
  }

  private apply(action: Action, items: ReportItem[]): void {
    const { images } = this.catalog;
    const counts = this.counts;
    switch (action.type) {
      case 'error':
        counts.errors++;
        items.push(action.item);
        return;
      case 'existing': {
        const { image } = action;
        if (image.mtimeMs !== action.mtimeMs || image.status !== 'present') images.touch(image.id, action.mtimeMs);
        this.fillLabel(image.id, action.guess);
        this.reportUnusableLabel(action.guess, items);
        counts.unchanged++;
        return;
      }
      case 'changed':
        images.updateContent(action.id, contentOf(action.file, action.processed));
        counts.changed++;
        items.push({
          kind: 'changed',
          path: action.file.absPath,
          code: null,
          detail: 'content changed since the last scan',
        });
        return;
      case 'moved':
        images.move(action.id, action.rootId, action.file.relPath, action.file.mtimeMs);
        counts.moved++;
        items.push({ kind: 'moved', path: action.file.absPath, code: null, detail: `moved from ${action.from}` });
        return;
      case 'new': {
        const { file, processed, guess } = action;
        const twin = images.findByHash(processed.hash)[0];
        if (twin) {
          counts.duplicates++;
          const keep = this.options.duplicates === 'keep';
          items.push({
            kind: 'duplicate',
            path: file.absPath,
            code: null,
            detail: `same content as ${images.absolutePath(twin)}${keep ? '' : ' (skipped)'}`,
          });
          if (!keep) {
            this.options.onDuplicateSkipped?.(file.absPath, twin.id);
            return;
          }
        }
        if (guess.label !== undefined) this.operationId ??= this.beginOperation();
        const [id] = images.insertBatchInTransaction(
          [
            {
              rootId: action.rootId,
              ...contentOf(file, processed),
              relPath: file.relPath,
              label: guess.label,
              split: guess.split,
              splitLocked: guess.split !== undefined,
            },
          ],
          { operationId: this.operationId, indexPaths: false },
        );
        if (id !== undefined) this.insertedInBatch.push(id);
        counts.imported++;
        if (guess.label !== undefined) {
          counts.labelled++;
          if (guess.split === undefined && id !== undefined) this.labelledInBatch.push(id);
        }
        this.reportUnusableLabel(guess, items);
        if (this.options.kind === 'rescan') items.push({ kind: 'new', path: file.absPath, code: null, detail: '' });
        return;
      }
    }
  }

  /** A label that could not name a class is an error item of the image it was for; the image itself is kept. */
  private reportUnusableLabel(guess: CheckedGuess, items: ReportItem[]): void {
    if (guess.unusable === undefined) return;
    this.counts.errors++;
    items.push(guess.unusable);
  }

  /** A re-import with a label source labels images that have none; it never overwrites a label. */
  private fillLabel(imageId: number, guess: LabelGuess): void {
    const { labels, classes } = this.catalog;
    if (guess.label !== undefined && labels.get(imageId) === undefined) {
      this.operationId ??= this.beginOperation();
      labels.change(
        this.operationId,
        imageId,
        classes.ensure(guess.label, this.ownedOperation()),
        'import',
        Date.now(),
      );
      this.counts.labelled++;
      if (guess.split === undefined) this.labelledInBatch.push(imageId);
    }
    if (guess.split !== undefined && this.catalog.splits.get(imageId) === undefined) {
      this.catalog.splits.write([{ id: imageId, split: guess.split }], { lock: true, opId: this.operationId });
    }
  }

  /** The operation that owns what this run creates: an import's (undoable); a rescan owns nothing. */
  private ownedOperation(): number | null {
    return this.options.kind === 'import' ? this.operationId : null;
  }

  private beginOperation(): number {
    const verb = this.options.kind === 'import' ? 'Import' : 'Rescan';
    return this.catalog.labels.beginOperation(this.options.kind, `${verb} (report ${this.reportId})`, {
      undoable: false,
    });
  }

  /** Catalogued files of this root that the scan did not see, by hash: candidates for "moved", else "missing". */
  private vanishedByHash(plan: RootPlan): Map<string, ImageFileState[]> {
    const seen = new Set(plan.scan.files.map((f) => f.relPath));
    const blind = plan.scan.unreadableDirs.map((dir) => (dir === '' ? '' : `${dir}/`));
    const byHash = new Map<string, ImageFileState[]>();
    for (const row of this.catalog.images.iterateRoot(plan.root.id)) {
      if (seen.has(row.relPath) || blind.some((prefix) => row.relPath.startsWith(prefix))) continue;
      const list = byHash.get(row.hash);
      if (list) list.push(row);
      else byHash.set(row.hash, [row]);
    }
    return byHash;
  }

  private markMissing(plan: RootPlan, vanished: Map<string, ImageFileState[]>): void {
    const gone = [...vanished.values()].flat().filter((row) => row.status === 'present');
    if (gone.length === 0) return;
    this.catalog.transaction(() => {
      this.catalog.images.setStatus(
        gone.map((row) => row.id),
        'missing',
      );
      this.counts.missing += gone.length;
      this.catalog.reports.addItems(
        this.reportId,
        gone.map((row) => ({
          kind: 'missing' as const,
          path: joinRoot(plan.root.path, row.relPath),
          code: null,
          detail: 'no longer on disk',
        })),
      );
      this.catalog.reports.updateCounts(this.reportId, { ...this.counts });
    });
  }

  /**
   * Synchronous on purpose: a few microseconds of one system call, where the promise
   * version cost ~16 µs of this thread per file and a quarter of re-scanning an
   * unchanged tree (bench import-scale).
   */
  private hasThumbnail(hash: string): boolean {
    return this.options.thumbnailsDir === null || existsSync(thumbnailPath(this.options.thumbnailsDir, hash));
  }

  progress(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastProgress < 100) return;
    this.lastProgress = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? this.processed / seconds : 0;
    const { scanned, imported, unchanged, changed, moved, missing, duplicates, errors } = this.counts;
    this.job.onProgress({
      done: this.processed,
      total: this.total,
      message: `Importing: ${imported} new, ${duplicates} duplicates, ${errors} errors`,
      rate,
      ...(rate > 0 ? { etaSeconds: Math.max(0, this.total - this.processed) / rate } : {}),
      counts: { scanned, imported, unchanged, changed, moved, missing, duplicates, errors },
    });
  }
}

/**
 * The source's guess for a file. A label that cannot name a class (blank, control
 * characters, too long) counts as no label, not as a failed batch, and is reported
 * with the file and the reason rather than dropped silently.
 */
function checkedGuess(resolver: LabelResolver, file: ScannedFile): CheckedGuess {
  const { guess, problem } = usableGuess(resolver.source, resolver.resolve(file));
  if (problem === undefined) return guess;
  const detail = `${problem}, so it cannot be a class name; the image is imported without a label`;
  return { ...guess, unusable: { kind: 'error', path: file.absPath, code: 'LABEL_INVALID', detail } };
}

function contentOf(file: ScannedFile, processed: ProcessedImage) {
  const { width, height, channels, format } = processed.info;
  return { hash: processed.hash, width, height, channels, format, bytes: processed.bytes, mtimeMs: file.mtimeMs };
}

export function joinRoot(rootPath: string, relPath: string): string {
  return `${rootPath.replace(/[\\/]+$/, '')}/${relPath}`.replace(/\//g, process.platform === 'win32' ? '\\' : '/');
}
