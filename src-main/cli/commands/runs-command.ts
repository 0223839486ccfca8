import type { RunDetails, RunSummary } from '../../../src-shared/api/types.js';
import { AppError } from '../../../src-shared/errors.js';
import type { CliCommand } from '../cli-io.js';
import { openServices, printJson } from '../cli-io.js';
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

export const runsCommand: CliCommand = {
  name: 'runs',
  summary: 'List the training runs of a project with their status and best validation accuracy',
  usage: 'seshat runs --project DIR [--json]',
  options: {},
  async run(parsed, io) {
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
