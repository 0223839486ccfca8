import { AppError } from '../../../src-shared/errors.js';
import path from 'node:path';
import type { ExportMode, ExportReport } from '../../../src-shared/api/wire-dataset.js';
import type { CliCommand } from '../cli-io.js';
import { printJson } from '../cli-io.js';
import { openCliSession } from '../cli-session.js';

const MODES: ExportMode[] = ['copy', 'link', 'symlink'];

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'Export the split dataset as train/ validation/ test/ class folders plus manifest.csv',
  usage: 'seshat export --project DIR --out DIR [--mode copy|link|symlink] [--overwrite] [--json]',
  options: { out: { type: 'string' }, mode: { type: 'string' }, overwrite: { type: 'boolean', default: false } },
  async run(parsed, io) {
    const outDir = parsed.values.out as string | undefined;
    if (!outDir) throw new AppError('INVALID_INPUT', '--out DIR is required');
    const mode = (parsed.values.mode as string | undefined) ?? 'copy';
    if (!MODES.includes(mode as ExportMode))
      throw new AppError('INVALID_INPUT', `--mode must be copy, link or symlink, not "${mode}"`);
    const session = openCliSession(parsed, io);
    try {
      const task = await session.runTask('startExport', {
        outDir: path.resolve(outDir),
        mode: mode as ExportMode,
        overwrite: Boolean(parsed.values.overwrite),
      });
      if (task.state === 'cancelled') throw new AppError('CANCELLED', 'Export cancelled');
      const report = task.result as ExportReport;
      if (parsed.json) printJson(io, report);
      else {
        io.out(
          `Exported ${report.exported} images to ${report.outDir} (train ${report.perSplit.train}, validation ${report.perSplit.validation}, test ${report.perSplit.test}).`,
        );
        if (report.unsplit) io.out(`${report.unsplit} labelled images without a split were left out.`);
        for (const error of report.errors.slice(0, 20)) io.out(`  failed ${error.path}: ${error.reason}`);
      }
      return report.errors.length ? 1 : 0;
    } finally {
      session.close();
    }
  },
};
