/**
 * importFolders: add one or more folders of images to the catalog, with labels
 * from a LabelSource. Re-running it on the same folders is safe and cheap: files
 * already catalogued (same path, size, mtime) are skipped, new ones added, moved
 * and changed ones updated.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../src-shared/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import { detachedJob, type JobContext } from '../../src-shared/progress.js';
import { ImportEngine, type RootPlan } from './engine.js';
import { toImportReport, type DuplicatePolicy, type ImportReport } from './report.js';
import { describeFsError, nodeIo, type ImportIo } from './io.js';
import { createLabelResolver, type LabelSource } from './label-sources.js';
import { resolveNumbers, resolveThumbnailsDir, type CommonImportOptions } from './options.js';
import { scanFolder } from './scan.js';

export interface ImportFoldersOptions extends CommonImportOptions {
  roots: string[];
  labelSource: LabelSource;
  /** A file whose content is already catalogued: 'skip' (default) or 'keep' as another image. Both are reported. */
  duplicates?: DuplicatePolicy;
  /** Told of each file skipped as a copy, with the catalogued image it copies (Predict reads that one). */
  onDuplicateSkipped?: (path: string, imageId: number) => void;
  /** Tests inject file-system failures here. */
  io?: ImportIo;
}

/**
 * Imports the folders and returns the stored report (errors with reasons,
 * duplicates; `items` holds the first 1000, errors first — `catalog.reports.items`
 * pages the rest). On cancel, what was committed stays, the report says
 * 'cancelled', and the result is returned rather than thrown.
 */
export async function importFolders(
  catalog: Catalog,
  options: ImportFoldersOptions,
  job: JobContext = detachedJob(),
): Promise<ImportReport> {
  if (options.roots.length === 0) throw new AppError('INVALID_INPUT', 'Choose at least one folder to import');
  const io = options.io ?? nodeIo;
  const roots = [...new Set(options.roots.map((root) => path.resolve(root)))];
  for (const root of roots) await assertFolder(io, root);
  const resolver = await createLabelResolver(options.labelSource);
  const labelSource =
    options.labelSource.kind === 'csv'
      ? { ...options.labelSource, file: path.resolve(options.labelSource.file) }
      : options.labelSource;
  const thumbnailsDir = resolveThumbnailsDir(catalog, options.thumbnailsDir);
  const duplicates = options.duplicates ?? 'skip';
  catalog.reports.markInterrupted();
  const { reportId, operationId } = catalog.transaction(() => {
    const id = catalog.reports.create('import', roots, { labelSource, duplicates });
    return {
      reportId: id,
      operationId: catalog.imports.begin(id, `Import of ${roots.map((root) => path.basename(root)).join(', ')}`),
    };
  });
  const engine = new ImportEngine(
    catalog,
    reportId,
    {
      kind: 'import',
      duplicates,
      thumbnailsDir,
      io,
      operationId,
      ...(options.onDuplicateSkipped ? { onDuplicateSkipped: options.onDuplicateSkipped } : {}),
      ...resolveNumbers(options),
    },
    job,
  );
  try {
    const exclude = thumbnailsDir
      ? await realpath(thumbnailsDir).then(
          (p) => [p],
          () => [],
        )
      : [];
    const plans: RootPlan[] = [];
    for (const rootPath of roots) {
      const scan = await scanFolder(rootPath, {
        signal: job.signal,
        exclude,
        io,
        onFound: (count) =>
          job.onProgress({ done: count, total: null, message: `Scanning ${rootPath}: ${count} images found` }),
      });
      engine.addScanProblems(scan);
      const root = catalog.images.ensureRoot(rootPath, operationId);
      catalog.images.updateRoot(root.id, { labelSource: JSON.stringify(labelSource) });
      plans.push({ root, resolver, scan });
    }
    // Each row of the label file that was skipped or used only in part: the CSV's path, "line 12: why".
    for (const { line, reason } of resolver.problems) {
      const csvPath = labelSource.kind === 'csv' ? labelSource.file : '';
      engine.addError({ kind: 'error', path: csvPath, code: 'CSV_ROW', detail: `line ${line}: ${reason}` });
    }
    const finished = await engine.run(plans);
    if (finished) {
      for (const row of resolver.unusedRows?.() ?? []) {
        engine.addError({
          kind: 'error',
          path: row.path,
          code: 'CSV_NO_FILE',
          detail: `listed on line ${row.line} of the label file, but not found in the imported folders`,
        });
      }
    }
    engine.flush();
    catalog.reports.finish(reportId, finished ? 'done' : 'cancelled', { ...engine.counts });
  } catch (error) {
    const cancelled = job.signal.aborted || (error instanceof AppError && error.code === 'CANCELLED');
    engine.flush();
    catalog.reports.finish(reportId, cancelled ? 'cancelled' : 'failed', { ...engine.counts });
    if (!cancelled) throw error;
  }
  return toImportReport(catalog.reports.require(reportId));
}

async function assertFolder(io: ImportIo, folder: string): Promise<void> {
  try {
    if (!(await io.stat(folder)).isDirectory()) throw new AppError('INVALID_INPUT', `${folder} is not a folder`);
  } catch (error) {
    if (error instanceof AppError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new AppError('NOT_FOUND', `Folder ${folder} does not exist`);
    throw new AppError('INVALID_INPUT', `Cannot read folder ${folder}: ${describeFsError(error)}`);
  }
}
