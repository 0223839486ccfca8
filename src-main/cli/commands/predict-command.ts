import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../src-shared/errors.js';
import { readDatasetRows } from '../../catalog/dataset-rows.js';
import { ClassifierCache } from '../../runs/classifier-cache.js';
import { classifyFolders, predictionsCsv } from '../../runs/predict-service.js';
import type { CliCommand } from '../cli-io.js';
import { openServices, printJson } from '../cli-io.js';
import { cliJob } from '../cli-progress.js';
import { parseRunOption } from './eval-command.js';

export const predictCommand: CliCommand = {
  name: 'predict',
  summary: 'Classify folders or files with a trained model (new images are imported unlabelled)',
  usage: 'seshat predict <folder|file>... --project DIR [--model RUN] [--out FILE.csv] [--json]',
  options: { model: { type: 'string' }, out: { type: 'string' } },
  allowPositionals: true,
  async run(parsed, io) {
    if (parsed.positionals.length === 0) throw new AppError('INVALID_INPUT', 'Name at least one folder or image file to classify');
    const services = openServices(parsed, 'cli');
    try {
      const catalog = services.catalog;
      const run = ClassifierCache.resolveRun(catalog, parseRunOption(parsed.values.model as string | undefined));
      const classifier = await services.classifiers.get(run);
      const job = cliJob(io, parsed.json);
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
      const folders = [...new Set(targets.map((target) => (statSync(target).isDirectory() ? target : path.dirname(target))))];
      const summary = await classifyFolders(catalog, run, classifier, folders, services.project.thumbnailsDir, job.context);
      job.finish();
      // Report what was named: every image under a named folder, and each named file.
      const files = new Set(targets.filter((target) => !statSync(target).isDirectory()));
      const dirs = targets.filter((target) => statSync(target).isDirectory());
      const names = new Map(catalog.classes.list({ includeArchived: true }).map((c) => [c.id, c.name]));
      const rows = readDatasetRows(catalog.db).filter((row) => {
        const full = path.join(row.rootPath, row.relPath);
        return files.has(full) || dirs.some((dir) => full.startsWith(dir + path.sep));
      });
      const predictions = rows.flatMap((row) => {
        const p = catalog.runs.prediction(run.id, row.id);
        return p ? [{ path: path.join(row.rootPath, row.relPath), predicted: p.classId === null ? null : names.get(p.classId), confidence: p.confidence, top5: p.topK.map((t) => ({ class: names.get(t.classId), p: t.p })) }] : [];
      });
      if (parsed.values.out) await writeFile(parsed.values.out as string, predictionsCsv(catalog, run.id));
      if (parsed.json) printJson(io, { runId: run.id, imported: summary.imported ?? 0, predicted: predictions.length, failed: summary.failed, imagesPerSecond: summary.imagesPerSecond, predictions });
      else {
        for (const p of predictions.slice(0, 200)) io.out(`${p.path}\t${p.predicted ?? '—'}\t${(p.confidence * 100).toFixed(1)}%`);
        if (predictions.length > 200) io.out(`… ${predictions.length - 200} more${parsed.values.out ? '' : ' (use --out FILE.csv for all)'}`);
        io.out(`${predictions.length} images classified with run ${run.id} at ${summary.imagesPerSecond.toFixed(0)} images/s`);
      }
      return summary.failed.length ? 1 : 0;
    } finally {
      services.close();
    }
  },
};
