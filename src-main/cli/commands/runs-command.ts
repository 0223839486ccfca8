import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunDetails, RunSummary } from '../../../src-shared/api/types.js';
import { AppError } from '../../../src-shared/errors.js';
import type { CliCommand, CliIo, ParsedCommand } from '../cli-io.js';
import { openServices, printJson } from '../cli-io.js';
import { openCliSession } from '../cli-session.js';
import { createAppDispatcher } from '../../api/app-dispatcher.js';

interface RunLine {
  id: number;
  name: string;
  preset: string;
  status: RunSummary['status'];
  created: string;
  epochs: number;
  best: { val_accuracy: number | null };
  resumable: boolean;
}

function bestValAccuracy(run: RunDetails): number | null {
  const evaluated = run.metrics?.evaluation?.accuracy;
  if (typeof evaluated === 'number') return evaluated;
  const seen = run.epochs
    .map((epoch) => epoch.metrics.valAccuracy)
    .filter((value): value is number => typeof value === 'number');
  return seen.length > 0 ? Math.max(...seen) : null;
}

/**
 * `--metrics RUN`: the run's per-epoch metrics through the same call the app makes.
 * CSV goes to stdout (so it pipes) unless --out names a folder; TensorBoard files
 * always need --out, the log folder `tensorboard --logdir` is then pointed at.
 */
async function exportMetrics(parsed: ParsedCommand, io: CliIo): Promise<number> {
  const value = parsed.values.metrics as string;
  const runId = Number(value);
  if (!Number.isInteger(runId) || runId <= 0)
    throw new AppError('INVALID_INPUT', `--metrics must be a run id (a positive integer), not "${value}"`);
  const format = (parsed.values.format as string | undefined) ?? 'csv';
  const out = parsed.values.out as string | undefined;
  if (format !== 'csv' && format !== 'tensorboard')
    throw new AppError('INVALID_INPUT', `--format takes csv or tensorboard, not "${format}"`);
  if (format === 'tensorboard' && out === undefined)
    throw new AppError('INVALID_INPUT', '--format tensorboard needs --out DIR (the TensorBoard log folder)');
  const session = openCliSession(parsed, io);
  try {
    const result = await session.call(
      'exportRunMetrics',
      format === 'csv' ? { runId, format } : { runId, format, outDir: out! },
    );
    if (!('text' in result)) {
      if (parsed.json) printJson(io, result);
      else io.out(`Wrote ${result.files.join(', ')}\nView it with: tensorboard --logdir ${path.resolve(out!)}`);
    } else if (out === undefined) {
      if (parsed.json) printJson(io, result);
      else io.out(result.text);
    } else {
      const file = path.join(path.resolve(out), result.fileName);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, result.text);
      if (parsed.json) printJson(io, { file });
      else io.out(`Wrote ${file}`);
    }
    return 0;
  } finally {
    session.close();
  }
}

/** `--compare RUN,RUN,…`: the runs side by side, as the app's runs comparison shows them. */
async function compare(parsed: ParsedCommand, io: CliIo): Promise<number> {
  const text = parsed.values.compare as string;
  const runIds = text.split(',').map((part) => Number(part.trim()));
  if (runIds.length < 2 || runIds.some((id) => !Number.isInteger(id) || id <= 0))
    throw new AppError('INVALID_INPUT', `--compare takes two or more run ids separated by commas, not "${text}"`);
  const session = openCliSession(parsed, io);
  try {
    const comparison = await session.call('getRunComparison', { runIds });
    if (parsed.json) printJson(io, comparison);
    else {
      const pct = (value: number | null | undefined) => (value == null ? '—' : `${(value * 100).toFixed(1)}%`);
      io.out('run\tpreset\tepochs\ttrain acc\tval acc\tval F1\ttest acc\tseconds\timg/s');
      for (const run of comparison.runs)
        io.out(
          [
            run.id,
            run.preset,
            run.epochs,
            pct(run.train.accuracy),
            pct(run.validation.accuracy),
            run.validation.macroF1?.toFixed(3) ?? '—',
            pct(run.test?.accuracy),
            run.seconds?.toFixed(0) ?? '—',
            run.imagesPerSecond?.toFixed(0) ?? '—',
          ].join('\t'),
        );
    }
    return 0;
  } finally {
    session.close();
  }
}

export const runsCommand: CliCommand = {
  name: 'runs',
  summary: "List the training runs of a project, or export one run's per-epoch metrics (CSV or TensorBoard)",
  usage:
    'seshat runs --project DIR [--json]\n       seshat runs --project DIR --metrics RUN [--format csv|tensorboard] [--out DIR] [--json]\n       seshat runs --project DIR --compare RUN,RUN,... [--json]',
  options: {
    metrics: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    compare: { type: 'string' },
  },
  async run(parsed, io) {
    if (parsed.values.compare !== undefined) return compare(parsed, io);
    if (parsed.values.metrics !== undefined) return exportMetrics(parsed, io);
    if (parsed.values.format !== undefined || parsed.values.out !== undefined)
      throw new AppError('INVALID_INPUT', '--format and --out go with --metrics RUN');
    const services = openServices(parsed, 'cli');
    try {
      // Through the dispatcher, as the Train view lists them (opening the project has
      // already turned runs whose trainer died into `interrupted`).
      const dispatch = createAppDispatcher(services);
      const call = async <T>(method: string, input: unknown): Promise<T> => {
        const result = await dispatch(method, input);
        if (!result.ok) throw new AppError(result.error.code, result.error.message);
        return result.value as T;
      };
      const runs: RunLine[] = [];
      for (const summary of await call<RunSummary[]>('listRuns', {})) {
        const run = await call<RunDetails>('getRun', { runId: summary.id });
        runs.push({
          id: run.id,
          name: run.name,
          preset: run.preset,
          status: run.status,
          created: new Date(run.createdAt).toISOString(),
          epochs: run.epochs.length,
          best: { val_accuracy: bestValAccuracy(run) },
          resumable: run.resumable,
        });
      }
      if (parsed.json) printJson(io, { runs });
      else if (runs.length === 0) io.out('No training runs yet.');
      else {
        for (const run of runs) {
          const best = run.best.val_accuracy === null ? '—' : `${(run.best.val_accuracy * 100).toFixed(1)}%`;
          const resume = run.resumable ? ' (resumable)' : '';
          io.out(
            `${String(run.id).padStart(4)}  ${run.status.padEnd(11)}${resume.padEnd(12)} ${run.preset.padEnd(10)} ${String(run.epochs).padStart(4)} epochs  best val ${best}  ${run.created}`,
          );
        }
      }
      return 0;
    } finally {
      services.close();
    }
  },
};
