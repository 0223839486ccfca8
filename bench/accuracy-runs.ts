/**
 * The accuracy runs the training bench makes: the shared datasets as the bench splits
 * them (unas-glyphs at random or by picture, flowers stratified) and one training run
 * on a split, reported as one JSON row.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { stratifiedSplit, type Dataset, type Sample } from '../src-main/ml/data/dataset.js';
import type { Evaluation } from '../src-main/ml/inference/metrics.js';
import { trainClassifier } from '../src-main/ml/training/train.js';
import type { TrainOptions, TrainResult } from '../src-main/ml/training/types.js';
import { groupAwareSplit } from '../src-main/splits/group-aware.js';

export const SHARED = process.env.SESHAT_SHARED ?? join(import.meta.dirname, '..', '..', 'shared');
const log = (...parts: unknown[]): void => console.error('[bench]', ...parts);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * unas-glyphs, split either stratified at random (80/20) or by picture: the app's
 * group-aware split with the picture as group, so no wall contributes to both
 * sides (what pre-labelling a new wall looks like).
 */
export function glyphDataset(seed: number, by: 'random' | 'picture'): Dataset | null {
  const root = join(SHARED, 'datasets', 'unas-glyphs', 'Manual', 'Preprocessed');
  if (!existsSync(root)) return null;
  const files = readdirSync(root).flatMap((picture) =>
    readdirSync(join(root, picture)).map((file) => ({ picture, path: join(root, picture, file) })),
  );
  // The label is the Gardiner code after the underscore (030001_D58.png → D58); UNKNOWN is not a class.
  const labelled = files
    .filter((item) => item.path.endsWith('.png'))
    .map((item) => ({ ...item, name: basename(item.path, '.png').split('_').slice(1).join('_') }))
    .filter((item) => item.name && item.name !== 'UNKNOWN');
  const classes = [...new Set(labelled.map((item) => item.name))].sort();
  const samples: Sample[] = labelled.map((item) => ({
    id: item.path,
    label: classes.indexOf(item.name),
    source: { kind: 'file', path: item.path },
  }));
  if (by === 'random') {
    const { train, validation } = stratifiedSplit(samples, 0.2, seed);
    return { classes, train, validation };
  }
  const split = groupAwareSplit(
    labelled.map((item, id) => ({ id, classKey: item.name, groupKey: item.picture })),
    { ratios: { train: 0.8, validation: 0.2, test: 0 }, seed },
  );
  const side = new Map(split.assignments.map((a) => [a.id, a.split]));
  return {
    classes,
    train: samples.filter((_, id) => side.get(id) === 'train'),
    validation: samples.filter((_, id) => side.get(id) === 'validation'),
  };
}

/** Validation accuracy counted only over classes the training side has (unseen ones cannot be right). */
export function seenClassAccuracy(
  dataset: Dataset,
  evaluation: Evaluation | null,
): { images: number; top1: number } | null {
  if (!evaluation) return null;
  const seen = new Set(dataset.train.map((s) => s.label));
  let images = 0;
  let correct = 0;
  evaluation.confusion.forEach((row, truth) => {
    if (!seen.has(truth)) return;
    images += row.reduce((a, b) => a + b, 0);
    correct += row[truth]!;
  });
  return { images, top1: images ? Math.round((correct / images) * 10000) / 10000 : 0 };
}

export function folderDataset(root: string, seed: number): Dataset | null {
  if (!existsSync(root)) return null;
  const classes = readdirSync(root)
    .filter((name) => !name.startsWith('.'))
    .sort();
  const samples: Sample[] = classes.flatMap((name, label) =>
    readdirSync(join(root, name)).map((file) => ({
      id: join(name, file),
      label,
      source: { kind: 'file' as const, path: join(root, name, file) },
    })),
  );
  const { train, validation } = stratifiedSplit(samples, 0.2, seed);
  return { classes, train, validation };
}

export async function accuracyRun(
  name: string,
  split: string,
  dataset: Dataset | null,
  options: Partial<TrainOptions> & { preset: TrainOptions['preset'] },
): Promise<Record<string, unknown>> {
  if (!dataset) return { dataset: name, skipped: 'dataset not found' };
  log(
    `${name}: ${dataset.train.length} train / ${dataset.validation.length} validation, ${dataset.classes.length} classes`,
  );
  const start = performance.now();
  let lastPhase = '';
  const result: TrainResult = await trainClassifier(
    { dataset, options, runDir: join(process.env.TMPDIR ?? '/tmp', `seshat-bench-${name}-${process.pid}`) },
    {
      signal: new AbortController().signal,
      onProgress: (p) => {
        const phase = p.message?.split(' ')[0] ?? '';
        if (phase !== lastPhase) log(name, p.message);
        lastPhase = phase;
      },
      onEpoch: (e) =>
        log(
          name,
          `epoch ${e.epoch}: loss ${e.loss.toFixed(3)} acc ${e.accuracy.toFixed(3)} val_loss ${e.valLoss?.toFixed(3)} val_acc ${e.valAccuracy?.toFixed(3)} ${e.imagesPerSecond.toFixed(0)} img/s`,
        ),
    },
  );
  const evaluation = result.evaluation;
  return {
    dataset: name,
    split,
    preset: options.preset,
    classes: dataset.classes.length,
    train_images: dataset.train.length,
    validation_images: dataset.validation.length,
    status: result.status,
    epochs_run: result.epochsCompleted,
    best_epoch: result.bestEpoch,
    val_top1: evaluation?.accuracy ?? null,
    val_top5: evaluation?.topK?.accuracy ?? null,
    val_macro_f1: evaluation?.macroF1 ?? null,
    val_seen_classes: seenClassAccuracy(dataset, evaluation),
    ensemble_members: result.ensemble?.members ?? null,
    threads: result.threads,
    train_img_per_s: result.history.length ? Math.round(median(result.history.map((e) => e.imagesPerSecond))) : null,
    wall_seconds: Math.round((performance.now() - start) / 1000),
    options: result.options,
    skipped_images: result.skipped.length,
  };
}
