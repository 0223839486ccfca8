import { AppError } from '../../../src-shared/errors.js';
import { ClassifierCache } from '../../runs/classifier-cache.js';
import type { CliCommand } from '../cli-io.js';
import { printJson } from '../cli-io.js';
import { openCliSession } from '../cli-session.js';

export function parseRunOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0)
    throw new AppError('INVALID_INPUT', `--model must be a run id (a positive integer), not "${value}"`);
  return id;
}

export const evalCommand: CliCommand = {
  name: 'eval',
  summary: "Evaluate a run's model on the test (or validation) split",
  usage: 'seshat eval --project DIR [--model RUN] [--split test|validation] [--json]',
  options: { model: { type: 'string' }, split: { type: 'string' } },
  async run(parsed, io) {
    const split = (parsed.values.split as string | undefined) ?? 'test';
    if (split !== 'test' && split !== 'validation')
      throw new AppError('INVALID_INPUT', `--split must be test or validation, not "${split}"`);
    // The Evaluate view's calls: evaluate as a task, then read the stored evaluation.
    const session = openCliSession(parsed, io);
    try {
      const run = ClassifierCache.resolveRun(
        session.services.catalog,
        parseRunOption(parsed.values.model as string | undefined),
      );
      const task = await session.runTask('startEvaluation', { runId: run.id, split });
      if (task.state === 'cancelled') throw new AppError('CANCELLED', 'Evaluation cancelled');
      const result = await session.call('getEvaluation', { runId: run.id, split });
      if (!result) throw new AppError('INTERNAL', `Run ${run.id} has no stored evaluation on ${split}`);
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
        io.out(
          `Run ${run.id} on ${split} (${result.count} images): accuracy ${(result.accuracy * 100).toFixed(2)}%, top-5 ${((result.topK?.accuracy ?? 0) * 100).toFixed(2)}%, macro-F1 ${result.macroF1.toFixed(4)}`,
        );
        if (result.classesWithoutImages.length)
          io.out(`${result.classesWithoutImages.length} classes have no ${split} images (not measured)`);
      }
      return 0;
    } finally {
      session.close();
    }
  },
};
