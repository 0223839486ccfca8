import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../src-shared/errors.js';
import { ClassifierCache } from '../../runs/classifier-cache.js';
import type { CliCommand } from '../cli-io.js';
import { printJson } from '../cli-io.js';
import { openCliSession } from '../cli-session.js';
import { parseRunOption } from './eval-command.js';

export const predictCommand: CliCommand = {
  name: 'predict',
  summary: 'Classify folders or files with a trained model (new images are imported unlabelled)',
  usage: 'seshat predict <folder|file>... --project DIR [--model RUN] [--adapt on|off] [--out FILE.csv] [--json]',
  options: { model: { type: 'string' }, out: { type: 'string' }, adapt: { type: 'string' } },
  allowPositionals: true,
  async run(parsed, io) {
    if (parsed.positionals.length === 0)
      throw new AppError('INVALID_INPUT', 'Name at least one folder or image file to classify');
    // Predict's "Classify folder": the same task, then the same CSV per folder.
    const session = openCliSession(parsed, io);
    try {
      const catalog = session.services.catalog;
      const run = ClassifierCache.resolveRun(catalog, parseRunOption(parsed.values.model as string | undefined));
      const targets = parsed.positionals.map((target) => path.resolve(target));
      const missing = targets.find((target) => {
        try {
          statSync(target);
          return false;
        } catch {
          return true;
        }
      });
      if (missing) throw new AppError('NOT_FOUND', `${missing} does not exist`);
      // Files are classified through their folder's import, then only they are reported.
      const folders = [
        ...new Set(targets.map((target) => (statSync(target).isDirectory() ? target : path.dirname(target)))),
      ];
      const adapt = (parsed.values.adapt as string | undefined) ?? 'on';
      if (adapt !== 'on' && adapt !== 'off')
        throw new AppError('INVALID_INPUT', `--adapt takes on or off, not "${adapt}"`);
      const task = await session.runTask('startPrediction', {
        runId: run.id,
        target: { kind: 'folders', roots: folders, adapt: adapt === 'on' },
      });
      if (task.state === 'cancelled') throw new AppError('CANCELLED', 'Classification cancelled');
      const summary = task.result as {
        imported?: number;
        failed: unknown[];
        imagesPerSecond: number;
        adapted?: { layers: number; images: number } | null;
      };
      // Report what was named: every image under a named folder, and each named file.
      const names = new Map(catalog.classes.list({ includeArchived: true }).map((c) => [c.id, c.name]));
      const rows = catalog.imageRowsAt(targets);
      const predictions = rows.flatMap((row) => {
        const p = catalog.runs.prediction(run.id, row.id);
        return p
          ? [
              {
                path: path.join(row.rootPath, row.relPath),
                predicted: p.classId === null ? null : names.get(p.classId),
                confidence: p.confidence,
                top5: p.topK.map((t) => ({ class: names.get(t.classId), p: t.p })),
              },
            ]
          : [];
      });
      if (parsed.values.out) {
        const parts = await Promise.all(
          folders.map((folder) => session.call('getPredictionsCsv', { runId: run.id, folder })),
        );
        // One header, then each folder's rows.
        const csv = parts.map((part, i) => (i === 0 ? part : part.slice(part.indexOf('\n') + 1))).join('');
        await writeFile(parsed.values.out as string, csv);
      }
      if (parsed.json)
        printJson(io, {
          runId: run.id,
          imported: summary.imported ?? 0,
          predicted: predictions.length,
          failed: summary.failed,
          imagesPerSecond: summary.imagesPerSecond,
          adapted: summary.adapted ?? null,
          predictions,
        });
      else {
        for (const p of predictions.slice(0, 200))
          io.out(`${p.path}\t${p.predicted ?? '—'}\t${(p.confidence * 100).toFixed(1)}%`);
        if (predictions.length > 200)
          io.out(`… ${predictions.length - 200} more${parsed.values.out ? '' : ' (use --out FILE.csv for all)'}`);
        io.out(
          `${predictions.length} images classified with run ${run.id} at ${summary.imagesPerSecond.toFixed(0)} images/s`,
        );
      }
      return summary.failed.length ? 1 : 0;
    } finally {
      session.close();
    }
  },
};
