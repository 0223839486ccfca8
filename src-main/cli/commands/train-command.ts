import { FINE_TUNE_MODES, type FineTuneMode } from '../../../src-shared/api/wire-training.js';
import { AppError } from '../../../src-shared/errors.js';
import { PRESET_IDS, PRESETS, type PresetId } from '../../ml/models/presets.js';
import { MAX_LABEL_SMOOTHING } from '../../ml/training/types.js';
import type { CliCommand } from '../cli-io.js';
import { printJson } from '../cli-io.js';
import { openCliSession } from '../cli-session.js';

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'Train a classifier on the train split (validation split for early stopping)',
  usage:
    'seshat train --project DIR [--preset small-cnn|cnn-plus|mobilenet|mlp|resnet] [--epochs N] [--batch-size N] [--learning-rate X] [--schedule plateau|cosine] [--label-smoothing X] [--ensemble on|off] [--fine-tune head|top|all] [--json]',
  options: {
    preset: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    'learning-rate': { type: 'string' },
    seed: { type: 'string' },
    schedule: { type: 'string' },
    'label-smoothing': { type: 'string' },
    ensemble: { type: 'string' },
    'fine-tune': { type: 'string' },
  },
  async run(parsed, io) {
    const preset = ((parsed.values.preset as string | undefined) ?? 'cnn-plus') as PresetId;
    if (!PRESET_IDS.includes(preset))
      throw new AppError('INVALID_INPUT', `--preset must be one of ${PRESET_IDS.join(', ')}, not "${preset}"`);
    const number = (name: string) => {
      const value = parsed.values[name] as string | undefined;
      if (value === undefined) return undefined;
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0)
        throw new AppError('INVALID_INPUT', `--${name} must be a positive number, not "${value}"`);
      return n;
    };
    const ensemble = parsed.values.ensemble as string | undefined;
    if (ensemble !== undefined && ensemble !== 'on' && ensemble !== 'off')
      throw new AppError('INVALID_INPUT', `--ensemble must be on or off, not "${ensemble}"`);
    const fineTune = parsed.values['fine-tune'] as string | undefined;
    if (fineTune !== undefined && !(FINE_TUNE_MODES as readonly string[]).includes(fineTune))
      throw new AppError('INVALID_INPUT', `--fine-tune must be head, top or all, not "${fineTune}"`);
    const schedule = parsed.values.schedule as string | undefined;
    if (schedule !== undefined && schedule !== 'plateau' && schedule !== 'cosine')
      throw new AppError('INVALID_INPUT', `--schedule must be plateau or cosine, not "${schedule}"`);
    const smoothingText = parsed.values['label-smoothing'] as string | undefined;
    // Number('') is 0: an empty value must not pass as "no smoothing".
    const labelSmoothing =
      smoothingText === undefined ? undefined : smoothingText.trim() === '' ? NaN : Number(smoothingText);
    if (labelSmoothing !== undefined && !(labelSmoothing >= 0 && labelSmoothing <= MAX_LABEL_SMOOTHING)) {
      throw new AppError(
        'INVALID_INPUT',
        `--label-smoothing must be a number from 0 to ${MAX_LABEL_SMOOTHING}, not "${smoothingText}"`,
      );
    }
    const settings = {
      preset,
      ...(schedule ? { learningRateSchedule: schedule as 'plateau' | 'cosine' } : {}),
      ...(labelSmoothing !== undefined ? { labelSmoothing } : {}),
      ...(ensemble ? { ensemble: ensemble === 'on' } : {}),
      ...(fineTune ? { fineTune: fineTune as FineTuneMode } : {}),
      ...(number('epochs') ? { epochs: Math.round(number('epochs')!) } : {}),
      ...(number('batch-size') ? { batchSize: Math.round(number('batch-size')!) } : {}),
      ...(number('learning-rate') ? { learningRate: number('learning-rate')! } : {}),
      ...(number('seed') ? { seed: Math.round(number('seed')!) } : {}),
    };
    // The Train view's call: the same schema, run record and trainer.
    const session = openCliSession(parsed, io);
    try {
      const { services } = session;
      await services.probeBackend();
      const unsubscribe = services.onEvent((event) => {
        if (event.type !== 'training' || parsed.json) return;
        const { epoch } = event;
        const val =
          epoch.valAccuracy === null
            ? ''
            : ` val_loss ${epoch.valLoss!.toFixed(4)} val_acc ${epoch.valAccuracy.toFixed(4)}`;
        io.out(
          `epoch ${epoch.epoch}/${epoch.epochs}: loss ${epoch.loss.toFixed(4)} acc ${epoch.accuracy.toFixed(4)}${val} · ${epoch.imagesPerSecond.toFixed(0)} img/s`,
        );
      });
      const task = await session.runTask('startTraining', { settings, keepBestOnCancel: false }).finally(unsubscribe);
      const outcome = task.result as { runId: number } | undefined;
      const runId = outcome?.runId ?? services.catalog.runs.list().at(-1)?.id;
      if (runId === undefined) throw new AppError('CANCELLED', 'Training was cancelled before a run started');
      const run = await session.call('getRun', { runId });
      const metrics = run.metrics ?? {};
      const result = {
        status: metrics.status ?? run.status,
        backend: metrics.backend ?? '',
        threads: metrics.threads ?? null,
        bestEpoch: metrics.bestEpoch ?? null,
        epochsCompleted: metrics.epochsCompleted ?? run.epochs.length,
        evaluation: metrics.evaluation ?? null,
        ensemble: metrics.ensemble ?? null,
      };
      const report = {
        runId: run.id,
        name: run.name,
        status: result.status,
        backend: result.backend,
        threads: result.threads,
        bestEpoch: result.bestEpoch,
        epochs: result.epochsCompleted,
        // The training rate the app reached (median over epochs, validation excluded): the
        // train bench prints it beside its kernel rows.
        imagesPerSecond: medianRate(
          run.epochs.map((epoch) => epoch.metrics['imagesPerSecond']).filter((rate) => rate !== undefined),
        ),
        validation: result.evaluation && {
          accuracy: result.evaluation.accuracy,
          macroF1: result.evaluation.macroF1,
          topK: result.evaluation.topK,
        },
        ensemble: result.ensemble,
        model: run.weightsPath,
        warnings: metrics.warnings ?? [],
      };
      if (parsed.json) printJson(io, report);
      else {
        io.out(
          `Run ${run.id} (${run.name}): ${result.status} on ${result.backend}${result.threads && result.threads > 1 ? ` (${result.threads} threads)` : ''}, best epoch ${result.bestEpoch ?? '—'}`,
        );
        if (result.evaluation)
          io.out(
            `Validation accuracy ${(result.evaluation.accuracy * 100).toFixed(2)}%, macro-F1 ${result.evaluation.macroF1.toFixed(4)}`,
          );
        if (result.ensemble)
          io.out(
            `Ensemble of ${result.ensemble.members.map((m) => `${PRESETS[m.preset as PresetId].title} ${m.accuracy === null ? '—' : `${(m.accuracy * 100).toFixed(2)}%`}`).join(' and ')} (geometric mean of their probabilities)`,
          );
        for (const warning of report.warnings) io.out(`note: ${warning}`);
      }
      return result.status === 'cancelled' || task.state === 'cancelled' ? 1 : 0;
    } finally {
      session.close();
    }
  },
};

function medianRate(rates: number[]): number | null {
  if (rates.length === 0) return null;
  const sorted = [...rates].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]! * 10) / 10;
}
