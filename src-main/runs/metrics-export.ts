/**
 * A training run's per-epoch metrics as people coming from Keras read them: a CSV like
 * Keras' CSVLogger writes, or a TensorBoard event file (one folder per run, so several
 * runs exported into one log folder appear side by side in TensorBoard).
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EpochRecord, RunRecord } from '../../src-shared/catalog-records.js';
import { AppError } from '../../src-shared/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import { EVENT_FILE_VERSION, eventFileBytes, type TensorBoardEvent } from './tensorboard-events.js';

/** Keras' names come first, in the order its logs show them; other metrics follow as first seen. */
const KNOWN_ORDER = [
  'loss',
  'accuracy',
  'val_loss',
  'val_accuracy',
  'learning_rate',
  'images_per_second',
  'epoch_seconds',
];

/** The catalog stores `valLoss`; Keras users know `val_loss`. Already snake_case names pass unchanged. */
export function metricName(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export interface MetricsTable {
  /** Metric names, without the leading `epoch`. */
  columns: string[];
  /** One row per epoch, values in `columns` order; undefined where the epoch lacks that metric. */
  rows: Array<{ epoch: number; at: number; values: Array<number | undefined> }>;
}

export function metricsTable(epochs: readonly EpochRecord[]): MetricsTable {
  // JSON stores NaN and Infinity as null, so a non-number is a value the epoch does not have.
  const named = epochs.map((epoch) => {
    const values = new Map<string, number>();
    for (const [key, value] of Object.entries(epoch.metrics)) {
      if (typeof value === 'number' && !values.has(metricName(key))) values.set(metricName(key), value);
    }
    return { epoch: epoch.epoch, at: epoch.at, values };
  });
  const seen = [...new Set(named.flatMap((row) => [...row.values.keys()]))];
  const columns = [
    ...KNOWN_ORDER.filter((name) => seen.includes(name)),
    ...seen.filter((name) => !KNOWN_ORDER.includes(name)),
  ];
  return {
    columns,
    rows: named.map((row) => ({ ...row, values: columns.map((name) => row.values.get(name)) })),
  };
}

function loadMetrics(catalog: Catalog, runId: number): { run: RunRecord; table: MetricsTable } {
  const run = catalog.runs.require(runId);
  const epochs = catalog.runs.epochs(run.id);
  if (epochs.length === 0)
    throw new AppError(
      'INVALID_INPUT',
      `Run "${run.name}" (id ${run.id}) has no finished epochs yet: nothing to export`,
    );
  return { run, table: metricsTable(epochs) };
}

/**
 * `run-<id>-<name>`, safe as a file name on every platform. The id keeps two runs with
 * the same name apart, since each export replaces the event files in its run's folder.
 */
export function runExportName(run: Pick<RunRecord, 'id' | 'name'>): string {
  const slug = run.name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 80);
  return slug ? `run-${run.id}-${slug}` : `run-${run.id}`;
}

const csvField = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** `epoch,loss,accuracy,…` then one row per epoch; an empty cell where an epoch lacks a metric. */
export function runMetricsCsv(catalog: Catalog, runId: number): { fileName: string; text: string } {
  const { run, table } = loadMetrics(catalog, runId);
  const lines = [
    ['epoch', ...table.columns].map(csvField).join(','),
    ...table.rows.map((row) =>
      [row.epoch, ...row.values.map((value) => (value === undefined ? '' : String(value)))].join(','),
    ),
  ];
  return { fileName: `${runExportName(run)}-metrics.csv`, text: `${lines.join('\n')}\n` };
}

/** Our own event files: an export replaces these and leaves anything else in the folder alone. */
const SESHAT_EVENT_FILE = /^events\.out\.tfevents\.\d+\.seshat$/;

/**
 * Writes `<outDir>/run-<id>-<name>/events.out.tfevents.<unix seconds>.seshat`: the
 * file_version event, then one event per epoch (step = epoch number, wall time = when the
 * epoch was recorded) holding every scalar of that epoch.
 */
export async function writeRunMetricsEvents(
  catalog: Catalog,
  runId: number,
  outDir: string,
  now: number = Date.now(),
): Promise<{ dir: string; files: string[] }> {
  const { run, table } = loadMetrics(catalog, runId);
  const dir = path.join(path.resolve(outDir), runExportName(run));
  await mkdir(dir, { recursive: true });
  // TensorBoard reads every event file in a run's folder: an earlier export left beside
  // this one would draw each curve twice.
  for (const name of await readdir(dir)) if (SESHAT_EVENT_FILE.test(name)) await rm(path.join(dir, name));
  const events: TensorBoardEvent[] = [
    { wallTime: run.createdAt / 1000, step: 0, fileVersion: EVENT_FILE_VERSION },
    ...table.rows.map((row) => ({
      wallTime: row.at / 1000,
      step: row.epoch,
      scalars: table.columns.flatMap((tag, i) => {
        const value = row.values[i];
        return value === undefined ? [] : [{ tag, value }];
      }),
    })),
  ];
  const file = path.join(dir, `events.out.tfevents.${Math.floor(now / 1000)}.seshat`);
  await writeFile(file, eventFileBytes(events));
  return { dir, files: [file] };
}
