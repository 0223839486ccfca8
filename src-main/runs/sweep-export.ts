/**
 * A sweep's results as files people already read: a CSV of its trials (parameters,
 * status, epochs, best validation figures, time) and a TensorBoard log folder with one
 * sub-folder per trial run, so `tensorboard --logdir` overlays every trial's curves.
 */
import path from 'node:path';
import { AppError } from '../../src-shared/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import { writeRunMetricsEvents } from './metrics-export.js';
import { sweepDetails } from './sweep-service.js';

const field = (value: unknown) => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function sweepCsv(catalog: Catalog, sweepId: number): { fileName: string; text: string } {
  const sweep = sweepDetails(catalog, sweepId);
  const parameters = [...new Set(sweep.trials.flatMap((trial) => Object.keys(trial.params)))];
  const header = ['trial', 'run', ...parameters, 'status', 'epochs', 'best_val_loss', 'best_val_accuracy', 'seconds'];
  const rows = sweep.trials.map((trial) =>
    [
      trial.trial + 1,
      trial.runId,
      ...parameters.map((name) => trial.params[name as keyof typeof trial.params]),
      trial.status,
      trial.epochs,
      trial.bestValLoss,
      trial.bestValAccuracy,
      trial.seconds.toFixed(1),
    ]
      .map(field)
      .join(','),
  );
  return { fileName: `sweep-${sweep.id}-trials.csv`, text: `${[header.join(','), ...rows].join('\n')}\n` };
}

export async function writeSweepEvents(
  catalog: Catalog,
  sweepId: number,
  outDir: string,
): Promise<{ dir: string; files: string[] }> {
  const sweep = sweepDetails(catalog, sweepId);
  const dir = path.join(path.resolve(outDir), `sweep-${sweep.id}`);
  const files: string[] = [];
  for (const trial of sweep.trials) {
    if (trial.runId === null || trial.epochs === 0) continue;
    files.push(...(await writeRunMetricsEvents(catalog, trial.runId, dir)).files);
  }
  if (files.length === 0) throw new AppError('INVALID_INPUT', `Sweep ${sweep.name} has no trained epoch to export yet`);
  return { dir, files };
}
