/**
 * `seshat sweep`: a hyper-parameter sweep of one preset, run as the Train view runs it
 * (the same API call, trials as ordinary runs), printing each trial's parameters and
 * best validation figures and the best trial.
 */
import { AppError } from '../../../src-shared/errors.js';
import type { SweepDetails } from '../../../src-shared/api/wire-sweeps.js';
import { PRESET_IDS, type PresetId } from '../../../src-shared/api/wire-training.js';
import { parseGrid, parseRanges } from '../../runs/sweep-plan.js';
import type { CliCommand } from '../cli-io.js';
import { printJson } from '../cli-io.js';
import { openCliSession } from '../cli-session.js';

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new AppError('INVALID_INPUT', `--${name} must be a whole number of at least 1, not "${text}"`);
  return value;
}

const figure = (value: number | null, digits: number) => (value === null ? '—' : value.toFixed(digits));

/** The JSON the issue asks for: runs, parameters, statuses, best figures, and the best trial. */
function report(details: SweepDetails) {
  return {
    sweep: details.id,
    status: details.status,
    measured_on: details.measuredOn,
    rungs: details.rungs,
    epochs_trained: details.epochsTrained,
    epochs_full: details.epochsFull,
    saved: details.epochsFull > 0 ? Number((1 - details.epochsTrained / details.epochsFull).toFixed(4)) : 0,
    trials: details.trials.map((trial) => ({
      run: trial.runId,
      params: trial.params,
      status: trial.status,
      epochs: trial.epochs,
      best_val_accuracy: trial.bestValAccuracy,
      best_val_loss: trial.bestValLoss,
      seconds: Number(trial.seconds.toFixed(1)),
    })),
    best: details.best && { run: details.best.runId, params: details.best.params },
  };
}

export const sweepCommand: CliCommand = {
  name: 'sweep',
  summary: 'Hyper-parameter sweep: a grid or random search of one preset, poor trials stopped early',
  usage:
    'seshat sweep --project DIR --preset P --grid "dropout=0,0.25,0.5;dense=128,256" [--random N --range "lr=1e-4:1e-2:log"] [--epochs E] [--halving on|off] [--seed N] [--train-best] [--log-dir DIR] [--json]',
  options: {
    preset: { type: 'string' },
    grid: { type: 'string' },
    random: { type: 'string' },
    range: { type: 'string' },
    epochs: { type: 'string' },
    halving: { type: 'string' },
    seed: { type: 'string' },
    'train-best': { type: 'boolean', default: false },
    'log-dir': { type: 'string' },
  },
  async run(parsed, io) {
    const preset = ((parsed.values.preset as string | undefined) ?? 'small-cnn') as PresetId;
    if (!PRESET_IDS.includes(preset))
      throw new AppError('INVALID_INPUT', `--preset must be one of ${PRESET_IDS.join(', ')}, not "${preset}"`);
    const halving = (parsed.values.halving as string | undefined) ?? 'on';
    if (halving !== 'on' && halving !== 'off')
      throw new AppError('INVALID_INPUT', `--halving must be on or off, not "${halving}"`);
    const random = positiveInt('random', parsed.values.random as string | undefined);
    const rangeText = parsed.values.range as string | undefined;
    if (rangeText && !random) throw new AppError('INVALID_INPUT', '--range draws random trials: give --random N too');
    const epochs = positiveInt('epochs', parsed.values.epochs as string | undefined);
    const seed = positiveInt('seed', parsed.values.seed as string | undefined);
    const spec = {
      base: { preset, ...(epochs ? { epochs } : {}) },
      space: {
        grid: parseGrid((parsed.values.grid as string | undefined) ?? ''),
        ...(random ? { random } : {}),
        ...(rangeText ? { ranges: parseRanges(rangeText) } : {}),
        ...(seed ? { seed } : {}),
      },
      halving: halving === 'on',
    };
    const session = openCliSession(parsed, io);
    try {
      await session.services.probeBackend();
      const started = await session.call('startSweep', { spec });
      // runTask starts its own call; here the sweep is already started, so wait on its task.
      const cancel = () => session.services.tasks.cancel(started.taskId);
      process.once('SIGINT', cancel);
      const task = await session.services.tasks.waitFor(started.taskId).finally(() => process.off('SIGINT', cancel));
      if (task.state === 'failed') throw new AppError('INTERNAL', task.error?.message ?? 'The sweep failed');
      const details = await session.call('getSweep', { sweepId: started.sweepId });
      const result: ReturnType<typeof report> & {
        final?: { run: number | null; status: string };
        log_dir?: string;
      } = report(details);
      const logDir = parsed.values['log-dir'] as string | undefined;
      // Every trial's curves for TensorBoard, one sub-folder per trial run.
      if (logDir) {
        const logs = await session.call('exportSweepMetrics', {
          sweepId: details.id,
          format: 'tensorboard',
          outDir: logDir,
        });
        if ('dir' in logs) result.log_dir = logs.dir;
      }
      if (parsed.values['train-best'] && details.status === 'done') {
        // The best settings trained again on train and validation: the model to keep.
        const final = await session.runTask('trainBestOfSweep', { sweepId: details.id });
        const outcome = final.result as { runId?: number; status?: string } | undefined;
        result.final = { run: outcome?.runId ?? null, status: outcome?.status ?? final.state };
      }
      if (parsed.json) printJson(io, result);
      else {
        io.out(`Sweep ${details.id} (${details.name}): ${details.status}, compared on ${details.measuredOn}`);
        for (const trial of result.trials)
          io.out(
            `  run ${trial.run ?? '—'}\t${trial.status}\t${trial.epochs} epochs\tval_loss ${figure(trial.best_val_loss, 4)}\tval_acc ${figure(trial.best_val_accuracy, 4)}\t${JSON.stringify(trial.params)}`,
          );
        io.out(
          `Trained ${result.epochs_trained} of ${result.epochs_full} epochs (${(result.saved * 100).toFixed(0)}% saved by halving)`,
        );
        if (result.best) io.out(`Best: run ${result.best.run} ${JSON.stringify(result.best.params)}`);
        if (result.log_dir) io.out(`TensorBoard logs: tensorboard --logdir ${result.log_dir}`);
        if (result.final)
          io.out(`Trained on train and validation as run ${result.final.run ?? '—'}: ${result.final.status}`);
      }
      return details.status === 'done' ? 0 : 1;
    } finally {
      session.close();
    }
  },
};
