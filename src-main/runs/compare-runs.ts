/**
 * Runs side by side: train, validation and test figures, settings, time and speed, and
 * each class's validation F1 beside the other runs'. Read from what the catalog keeps
 * (per-epoch metrics, stored evaluations); nothing is re-evaluated here.
 */
import { AppError } from '../../src-shared/errors.js';
import type { ComparedRun, ComparedSplit, RunComparison } from '../../src-shared/api/wire-compare.js';
import type { Catalog } from '../catalog/catalog.js';

const median = (values: number[]) =>
  values.length ? [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]! : null;

function compared(catalog: Catalog, runId: number): ComparedRun {
  const run = catalog.runs.require(runId);
  const epochs = catalog.runs.epochs(runId);
  const metrics = run.metrics ?? {};
  const bestEpoch = metrics.bestEpoch ?? null;
  const at = epochs.find((epoch) => epoch.epoch === bestEpoch)?.metrics ?? epochs.at(-1)?.metrics ?? {};
  const validation = metrics.evaluations?.validation ?? metrics.evaluation ?? null;
  const test = metrics.evaluations?.test ?? null;
  const split = (figures: { accuracy: number; loss: number; macroF1: number } | null): ComparedSplit => ({
    accuracy: figures?.accuracy ?? null,
    loss: figures?.loss ?? null,
    macroF1: figures?.macroF1 ?? null,
  });
  return {
    id: run.id,
    name: run.name,
    preset: run.preset,
    status: run.status,
    settings: run.options,
    epochs: epochs.length,
    bestEpoch,
    train: { accuracy: at.accuracy ?? null, loss: at.loss ?? null, macroF1: null },
    validation: validation
      ? split(validation)
      : { accuracy: at.valAccuracy ?? null, loss: at.valLoss ?? null, macroF1: null },
    test: test ? split(test) : null,
    seconds: metrics.durationSeconds ?? null,
    imagesPerSecond: median(epochs.map((epoch) => epoch.metrics.imagesPerSecond).filter((v) => v !== undefined)),
  };
}

export function compareRuns(catalog: Catalog, runIds: readonly number[]): RunComparison {
  if (runIds.length < 2) throw new AppError('INVALID_INPUT', 'Compare needs at least two runs');
  const runs = runIds.map((id) => compared(catalog, id));
  const perClass = runIds.map((id) => {
    const metrics = catalog.runs.require(id).metrics;
    const evaluation = metrics?.evaluations?.validation ?? metrics?.evaluation ?? null;
    return new Map((evaluation?.perClass ?? []).map((c) => [c.label, c.f1]));
  });
  const labels = [...new Set(perClass.flatMap((map) => [...map.keys()]))].sort();
  return { runs, perClassF1: labels.map((label) => ({ label, f1: perClass.map((map) => map.get(label) ?? null) })) };
}
