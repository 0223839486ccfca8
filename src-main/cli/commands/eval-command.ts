import { AppError } from '../../../src-shared/errors.js';
import { ClassifierCache } from '../../runs/classifier-cache.js';
import { evaluateRun } from '../../runs/evaluate-service.js';
import type { CliCommand } from '../cli-io.js';
import { openServices, printJson } from '../cli-io.js';
import { cliJob } from '../cli-progress.js';

export function parseRunOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0) throw new AppError('INVALID_INPUT', `--model must be a run id (a positive integer), not "${value}"`);
  return id;
}

export const evalCommand: CliCommand = {
  name: 'eval',
  summary: "Evaluate a run's model on the test (or validation) split",
  usage: 'seshat eval --project DIR [--model RUN] [--split test|validation] [--json]',
  options: { model: { type: 'string' }, split: { type: 'string' } },
  async run(parsed, io) {
    const split = (parsed.values.split as string | undefined) ?? 'test';
    if (split !== 'test' && split !== 'validation') throw new AppError('INVALID_INPUT', `--split must be test or validation, not "${split}"`);
    const services = openServices(parsed, 'cli');
    try {
      const run = ClassifierCache.resolveRun(services.catalog, parseRunOption(parsed.values.model as string | undefined));
      const job = cliJob(io, parsed.json);
      const result = await evaluateRun(services.catalog, run, await services.classifiers.get(run), split, job.context);
      job.finish();
      if (parsed.json) {
        printJson(io, {
          runId: run.id,
          split,
          count: result.count,
          accuracy: result.accuracy,
          top5_accuracy: result.topK?.accuracy ?? null,
          macro_f1: result.macroF1,
          per_class: result.perClass,
          classes: result.classes,
          // Per class, in `classes` order; null for a model without its run's dataset record.
          training_images: result.trainingImages,
          confusion_matrix: result.confusion,
          classes_without_images: result.classesWithoutImages,
          unknown_labels: result.unknownLabels,
        });
      } else {
        io.out(`Run ${run.id} on ${split} (${result.count} images): accuracy ${(result.accuracy * 100).toFixed(2)}%, top-5 ${((result.topK?.accuracy ?? 0) * 100).toFixed(2)}%, macro-F1 ${result.macroF1.toFixed(4)}`);
        if (result.classesWithoutImages.length) io.out(`${result.classesWithoutImages.length} classes have no ${split} images (not measured)`);
      }
      return 0;
    } finally {
      services.close();
    }
  },
};
