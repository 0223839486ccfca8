/**
 * Leave-one-picture-out on unas-glyphs: train on five wall photographs, read the sixth,
 * for each of the six in turn. This is what pre-labelling a new wall looks like, and the
 * project's headline glyph figure. Scored over the held-out crops whose class the five
 * pictures have; UNKNOWN crops and crops of classes the five lack are left out, and
 * counted. Per picture: top-1, top-5, macro-F1, accuracy by how many training crops the
 * true class had, and the expected calibration error of the top-1 confidence.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { stratifiedSplit, type Sample } from '../src-main/ml/data/dataset.js';
import { loadClassifier, predictImages } from '../src-main/ml/inference/predict.js';
import { trainClassifier } from '../src-main/ml/training/train.js';
import type { TrainOptions } from '../src-main/ml/training/types.js';
import {
  CONFIDENCE_BINS,
  confidenceBin,
  expectedCalibrationError,
  type ConfidenceBins,
} from '../src-shared/api/wire-evaluation.js';

/** Buckets of the true class's training crops, as the issue reports them. */
const BUCKETS: Array<[name: string, max: number]> = [
  ['0-5', 5],
  ['6-15', 15],
  ['16-40', 40],
  ['>40', Infinity],
];

interface Crop {
  picture: string;
  path: string;
  name: string;
}

function readCrops(root: string): Crop[] {
  return readdirSync(root)
    .filter((picture) => !picture.startsWith('.'))
    .flatMap((picture) =>
      readdirSync(join(root, picture))
        .filter((file) => file.endsWith('.png'))
        .map((file) => ({
          picture,
          path: join(root, picture, file),
          name: basename(file, '.png').split('_').slice(1).join('_'),
        })),
    );
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}

export async function leaveOnePictureOut(
  sharedDir: string,
  options: Partial<TrainOptions> & { preset: TrainOptions['preset'] },
  log: (...parts: unknown[]) => void,
  only: readonly string[] = [],
): Promise<Record<string, unknown>> {
  const root = join(sharedDir, 'datasets', 'unas-glyphs', 'Manual', 'Preprocessed');
  if (!existsSync(root)) return { dataset: 'unas-glyphs', skipped: 'dataset not found' };
  const crops = readCrops(root);
  const pictures = [...new Set(crops.map((crop) => crop.picture))]
    .filter((picture) => only.length === 0 || only.includes(picture))
    .sort((a, b) => Number(a) - Number(b));
  const rows: Array<Record<string, unknown>> = [];
  for (const held of pictures) {
    const started = performance.now();
    const trainCrops = crops.filter((crop) => crop.picture !== held && crop.name !== 'UNKNOWN');
    const classes = [...new Set(trainCrops.map((crop) => crop.name))].sort();
    const index = new Map(classes.map((name, i) => [name, i]));
    const perClass = new Map<string, number>();
    for (const crop of trainCrops) perClass.set(crop.name, (perClass.get(crop.name) ?? 0) + 1);
    const samples: Sample[] = trainCrops.map((crop) => ({
      id: crop.path,
      label: index.get(crop.name)!,
      source: { kind: 'file', path: crop.path },
    }));
    // Early stopping reads a slice of the five pictures, never the held-out one.
    const { train, validation } = stratifiedSplit(samples, 0.1, 1);
    const heldCrops = crops.filter((crop) => crop.picture === held);
    const unknown = heldCrops.filter((crop) => crop.name === 'UNKNOWN').length;
    const scored = heldCrops.filter((crop) => index.has(crop.name));
    const unseen = heldCrops.length - unknown - scored.length;
    log(
      `walls: picture ${held} held out: ${train.length} train, ${scored.length} scored (${unknown} UNKNOWN, ${unseen} of unseen classes)`,
    );

    const runDir = join(tmpdir(), `seshat-bench-walls-${held}-${process.pid}`);
    const result = await trainClassifier(
      { dataset: { classes, train, validation }, options, runDir },
      {
        signal: new AbortController().signal,
        onProgress: () => {},
        onEpoch: (e) => log(`walls ${held}: epoch ${e.epoch} val_acc ${e.valAccuracy?.toFixed(3)}`),
      },
    );
    const classifier = await loadClassifier(result.modelDir!);
    const predictions = await predictImages(
      classifier,
      scored.map((crop) => ({ id: crop.path, source: { kind: 'file' as const, path: crop.path } })),
      { topK: 5 },
    );
    classifier.dispose();
    rmSync(runDir, { recursive: true, force: true });

    const truthOf = new Map(scored.map((crop) => [crop.path, crop.name]));
    const bins: ConfidenceBins = {
      total: new Array(CONFIDENCE_BINS).fill(0),
      correct: new Array(CONFIDENCE_BINS).fill(0),
    };
    const bucket = new Map(BUCKETS.map(([name]) => [name, { images: 0, right: 0 }]));
    const tp = new Map<string, number>();
    const predictedCount = new Map<string, number>();
    const trueCount = new Map<string, number>();
    let top1 = 0;
    let top5 = 0;
    let failed = 0;
    for (const prediction of predictions) {
      if ('error' in prediction) {
        failed++;
        continue;
      }
      const truth = truthOf.get(prediction.id)!;
      const best = prediction.top[0]!;
      const right = best.label === truth;
      if (right) top1++;
      if (prediction.top.some((entry) => entry.label === truth)) top5++;
      const bin = confidenceBin(best.probability);
      bins.total[bin]!++;
      if (right) bins.correct[bin]!++;
      const training = perClass.get(truth) ?? 0;
      const name = BUCKETS.find(([, max]) => training <= max)![0];
      const b = bucket.get(name)!;
      b.images++;
      if (right) b.right++;
      trueCount.set(truth, (trueCount.get(truth) ?? 0) + 1);
      predictedCount.set(best.label, (predictedCount.get(best.label) ?? 0) + 1);
      if (right) tp.set(truth, (tp.get(truth) ?? 0) + 1);
    }
    const n = predictions.length - failed;
    // Macro-F1 over the classes that occur in the truth or the predictions of this picture.
    const present = new Set([...trueCount.keys(), ...predictedCount.keys()]);
    const f1s = [...present].map((name) => {
      const hits = tp.get(name) ?? 0;
      const precision = hits / (predictedCount.get(name) || 1);
      const recall = hits / (trueCount.get(name) || 1);
      return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    });
    const row = {
      picture: held,
      train_images: train.length,
      classes: classes.length,
      scored: n,
      left_out: { unknown, unseen_classes: unseen },
      top1: round(top1 / n),
      top5: round(top5 / n),
      macro_f1: round(f1s.reduce((a, b) => a + b, 0) / (f1s.length || 1)),
      by_training_crops: Object.fromEntries(
        [...bucket].map(([name, b]) => [name, { images: b.images, top1: b.images ? round(b.right / b.images) : null }]),
      ),
      ece: round(expectedCalibrationError(bins)),
      temperature: result.calibration?.temperature ?? null,
      epochs_run: result.epochsCompleted,
      ensemble: result.ensemble?.members ?? null,
      wall_seconds: Math.round((performance.now() - started) / 1000),
    };
    log('walls', JSON.stringify(row));
    rows.push(row);
  }
  const mean = (key: 'top1' | 'top5' | 'macro_f1' | 'ece') =>
    round(rows.reduce((sum, row) => sum + (row[key] as number), 0) / rows.length);
  return {
    dataset: 'unas-glyphs',
    split: 'leave one picture out (train on five, read the sixth)',
    preset: options.preset,
    mean: { top1: mean('top1'), top5: mean('top5'), macro_f1: mean('macro_f1'), ece: mean('ece') },
    pictures: rows,
  };
}
