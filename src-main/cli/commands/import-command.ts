import { AppError } from '../../../src-shared/errors.js';
import path from 'node:path';
import { UNAS_FILENAME_PATTERN, type ImportReport, type LabelSource } from '../../import/index.js';
import { reportItemOutcome } from '../../import/report.js';
import type { CliCommand } from '../cli-io.js';
import { printJson } from '../cli-io.js';
import { openCliSession } from '../cli-session.js';

/** `folders`, `filename` (the Unas preset), `filename:REGEX`, `csv:FILE` or `none`. */
export function parseLabelsOption(value: string | undefined): LabelSource {
  if (value === undefined || value === 'folders') return { kind: 'folders' };
  if (value === 'none') return { kind: 'none' };
  if (value === 'filename') return { kind: 'filename', pattern: UNAS_FILENAME_PATTERN };
  if (value.startsWith('filename:')) return { kind: 'filename', pattern: value.slice('filename:'.length) };
  if (value.startsWith('csv:')) return { kind: 'csv', file: value.slice('csv:'.length) };
  throw new AppError('INVALID_INPUT', `--labels must be folders, filename[:REGEX], csv:FILE or none, not "${value}"`);
}

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'Import folders of images into the project catalog',
  usage:
    'seshat import <folder>... --project DIR [--labels folders|filename[:REGEX]|csv:FILE|none] [--keep-duplicates] [--json]',
  options: { labels: { type: 'string' }, 'keep-duplicates': { type: 'boolean', default: false } },
  allowPositionals: true,
  async run(parsed, io) {
    if (parsed.positionals.length === 0) throw new AppError('INVALID_INPUT', 'Name at least one folder to import');
    const labelSource = parseLabelsOption(parsed.values.labels as string | undefined);
    // The Import dialog's own call: same validation, split placement and per-project settings.
    const session = openCliSession(parsed, io);
    try {
      const task = await session.runTask('startImport', {
        roots: parsed.positionals.map((root) => path.resolve(root)),
        labelSource: labelSource.kind === 'csv' ? { kind: 'csv', file: path.resolve(labelSource.file) } : labelSource,
        duplicates: parsed.values['keep-duplicates'] ? 'keep' : 'skip',
      });
      const report = task.result as ImportReport;
      const services = session.services;
      const stats = services.catalog.stats();
      const errors = report.items
        .filter((item) => item.kind === 'error')
        .map((item) => ({ path: item.path, code: item.code, reason: item.detail }));
      const duplicates = report.items
        .filter((item) => item.kind === 'duplicate')
        .map((item) => ({ path: item.path, of: item.detail }));
      const summary = {
        status: report.status,
        images: report.counts.imported ?? 0,
        counts: report.counts,
        classes: stats.classes,
        catalog: { images: stats.images, labelled: stats.labelled },
        duplicates: { count: report.counts.duplicates ?? 0, items: duplicates },
        errors: { count: report.counts.errors ?? 0, items: errors },
      };
      if (parsed.json) printJson(io, summary);
      else {
        io.out(`Imported ${summary.images} images (${stats.images} in the catalog, ${stats.classes} classes).`);
        if (summary.duplicates.count) io.out(`${summary.duplicates.count} duplicates skipped.`);
        for (const error of errors.slice(0, 50))
          io.out(
            `  ${reportItemOutcome({ kind: 'error', code: error.code }).toLowerCase()} ${error.path}: ${error.reason}`,
          );
        if (errors.length > 50) io.out(`  … and ${errors.length - 50} more`);
      }
      return report.status === 'done' ? 0 : 1;
    } finally {
      session.close();
    }
  },
};
