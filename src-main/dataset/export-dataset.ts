/**
 * Writes the labelled, split dataset as `train/`, `validation/`, `test/`, each with
 * one folder per class (the layout Keras' flow_from_directory reads), plus
 * `manifest.csv` (`path,label,split`). Files are copied, hard-linked or symlinked.
 */
import { constants } from 'node:fs';
import { copyFile, link, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError, throwIfAborted } from '../../src-shared/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import type { JobContext } from '../../src-shared/progress.js';
import type { ExportMode, ExportReport } from '../../src-shared/api/wire-dataset.js';
export type { ExportMode, ExportReport } from '../../src-shared/api/wire-dataset.js';

export interface ExportOptions {
  outDir: string;
  mode?: ExportMode;
  /** Allow writing into a folder that already has files. */
  overwrite?: boolean;
}

/**
 * Characters no folder name may hold: separators, Windows' reserved ones, and control
 * characters (U+0000–U+001F), which Windows refuses and which break shell scripts.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_IN_FOLDER_NAME = /[<>:"/\\|?*\u0000-\u001f]/g;

/** Folder names must survive every file system: no separators or reserved characters. */
export function safeFolderName(name: string): string {
  const cleaned = name.replace(UNSAFE_IN_FOLDER_NAME, '_').replace(/^\.+$/, '_').trim();
  return cleaned || '_';
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

async function placeFile(mode: ExportMode, source: string, target: string): Promise<void> {
  if (mode === 'copy') await copyFile(source, target, constants.COPYFILE_EXCL);
  else if (mode === 'link') await link(source, target);
  else await symlink(source, target);
}

export async function exportDataset(catalog: Catalog, options: ExportOptions, job: JobContext): Promise<ExportReport> {
  const mode = options.mode ?? 'copy';
  const outDir = path.resolve(options.outDir);
  await mkdir(outDir, { recursive: true });
  const existing = await readdir(outDir);
  if (existing.length > 0 && !options.overwrite) {
    throw new AppError('CONFLICT', `${outDir} is not empty; choose an empty folder or allow overwriting`);
  }
  const rows = catalog.imageRows({ labelledOnly: true });
  const splitRows = rows.filter((row) => row.split !== null);
  if (splitRows.length === 0)
    throw new AppError('CONFLICT', 'No labelled image has a split yet: split the dataset first');
  const report: ExportReport = {
    outDir,
    mode,
    exported: 0,
    perSplit: { train: 0, validation: 0, test: 0 },
    unsplit: rows.length - splitRows.length,
    renamed: 0,
    errors: [],
  };
  const used = new Set<string>();
  const manifest: string[] = ['path,label,split'];
  const started = Date.now();
  for (const [index, row] of splitRows.entries()) {
    throwIfAborted(job.signal);
    const folder = path.join(row.split!, safeFolderName(row.className!));
    const parsed = path.parse(row.relPath);
    let name = `${parsed.name}${parsed.ext}`;
    if (used.has(path.join(folder, name).toLowerCase())) {
      name = `${parsed.name}-${row.id}${parsed.ext}`;
      report.renamed++;
    }
    const relative = path.join(folder, name);
    used.add(relative.toLowerCase());
    const source = path.join(row.rootPath, row.relPath);
    try {
      await mkdir(path.join(outDir, folder), { recursive: true });
      await placeFile(mode, source, path.join(outDir, relative));
      manifest.push([relative.split(path.sep).join('/'), row.className!, row.split!].map(csvField).join(','));
      report.exported++;
      report.perSplit[row.split!]!++;
    } catch (error) {
      report.errors.push({ path: source, reason: (error as Error).message });
    }
    if (index % 50 === 0 || index === splitRows.length - 1) {
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? (index + 1) / seconds : 0;
      job.onProgress({
        done: index + 1,
        total: splitRows.length,
        message: `Exporting ${index + 1} of ${splitRows.length}`,
        rate,
        ...(rate > 0 ? { etaSeconds: (splitRows.length - index - 1) / rate } : {}),
      });
    }
  }
  await writeFile(path.join(outDir, 'manifest.csv'), `${manifest.join('\n')}\n`);
  return report;
}
