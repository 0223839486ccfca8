/**
 * rescan: compare catalogued folders with the disk and report each difference —
 * new files (imported, labelled by the root's stored label source), changed files
 * (same path, new content), moved files (same content, new path: the row follows,
 * keeping its label) and missing files (status set to 'missing', not deleted, so
 * a drive that comes back restores them).
 */
import { realpath } from 'node:fs/promises';
import { AppError } from '../../src-shared/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import { detachedJob, type JobContext } from '../../src-shared/progress.js';
import { ImportEngine, type RootPlan } from './engine.js';
import { toImportReport, type DuplicatePolicy, type ImportReport } from './report.js';
import { nodeIo, type ImportIo } from './io.js';
import { createLabelResolver, parseLabelSource, type LabelResolver } from './label-sources.js';
import { resolveNumbers, resolveThumbnailsDir, type CommonImportOptions } from './options.js';
import { scanFolder, type ScanResult } from './scan.js';

export interface RescanOptions extends CommonImportOptions {
  /** One root; default every root of the catalog. */
  rootId?: number;
  duplicates?: DuplicatePolicy;
  io?: ImportIo;
}

/**
 * Rescans one root (`rescan(catalog, rootId, job)`) or every root (`rescan(catalog)`),
 * or with options. Returns the stored report; on cancel, what was committed stays.
 */
export async function rescan(
  catalog: Catalog,
  rootOrOptions: number | RescanOptions = {},
  job: JobContext = detachedJob(),
): Promise<ImportReport> {
  const options: RescanOptions = typeof rootOrOptions === 'number' ? { rootId: rootOrOptions } : rootOrOptions;
  const io = options.io ?? nodeIo;
  const roots =
    options.rootId === undefined ? catalog.images.listRoots() : [catalog.images.requireRoot(options.rootId)];
  const thumbnailsDir = resolveThumbnailsDir(catalog, options.thumbnailsDir);
  const duplicates = options.duplicates ?? 'skip';
  catalog.reports.markInterrupted();
  const reportId = catalog.reports.create(
    'rescan',
    roots.map((root) => root.path),
    { duplicates },
  );
  const engine = new ImportEngine(
    catalog,
    reportId,
    { kind: 'rescan', duplicates, thumbnailsDir, io, ...resolveNumbers(options) },
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
    for (const root of roots) {
      let scan: ScanResult;
      try {
        scan = await scanFolder(root.path, {
          signal: job.signal,
          exclude,
          io,
          onFound: (count) =>
            job.onProgress({ done: count, total: null, message: `Scanning ${root.path}: ${count} images found` }),
        });
      } catch (error) {
        if (!(error instanceof AppError) || error.code === 'CANCELLED') throw error;
        // The folder is gone (or unplugged): its images are reported missing, not deleted.
        engine.addError({ kind: 'error', path: root.path, code: 'ROOT_UNAVAILABLE', detail: error.message });
        scan = { root: root.path, files: [], problems: [], ignored: 0, unreadableDirs: [] };
      }
      engine.addScanProblems(scan);
      const resolver = await rootResolver(root.labelSource, (detail) =>
        engine.addError({ kind: 'error', path: root.path, code: 'LABEL_SOURCE', detail }),
      );
      // As on import: each row of the root's label file that was skipped, with its line and why.
      const csvPath = csvFileOf(root.labelSource);
      for (const { line, reason } of resolver.problems) {
        engine.addError({
          kind: 'error',
          path: csvPath ?? root.path,
          code: 'CSV_ROW',
          detail: `line ${line}: ${reason}`,
        });
      }
      plans.push({ root, resolver, scan });
    }
    const finished = await engine.run(plans);
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

/** The label file of a root imported from a CSV, else null. */
function csvFileOf(json: string | null): string | null {
  if (json === null) return null;
  try {
    const source = parseLabelSource(JSON.parse(json));
    return source.kind === 'csv' ? source.file : null;
  } catch {
    return null;
  }
}

/** The label source the root was imported with; if it cannot be used now (CSV gone), new files stay unlabelled. */
async function rootResolver(json: string | null, warn: (detail: string) => void): Promise<LabelResolver> {
  if (json === null) return createLabelResolver({ kind: 'none' });
  try {
    return await createLabelResolver(parseLabelSource(JSON.parse(json)));
  } catch (error) {
    warn(`new files left unlabelled: ${(error as Error).message}`);
    return createLabelResolver({ kind: 'none' });
  }
}
