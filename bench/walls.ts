/**
 * Leave-one-picture-out on unas-glyphs: train on five wall photographs, read the sixth,
 * for each of the six in turn. This is what pre-labelling a new wall looks like, and the
 * project's headline glyph figure. Scored over the held-out crops whose class the five
 * pictures have; UNKNOWN crops and crops of classes the five lack are left out, and
 * counted. Per picture: top-1, top-5, macro-F1, accuracy by how many training crops the
 * true class had, and the expected calibration error of the top-1 confidence.
 */
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { stratifiedSplit, type Sample } from '../src-main/ml/data/dataset.js';
import { adaptClassifier } from '../src-main/ml/inference/adapt.js';
import {
  adjustmentFactors,
  adjustProbabilities,
  correctProbabilities,
  fitTemperature,
  temperatureScale,
} from '../src-main/ml/inference/calibration.js';
import { labelledProbabilities, loadClassifier } from '../src-main/ml/inference/predict.js';
import { trainClassifier } from '../src-main/ml/training/train.js';
import type { TrainOptions, TrainResult } from '../src-main/ml/training/types.js';
import { seshatCrops } from './seshat-crops.js';
import { blend, embedCrops, prototypeProbabilities } from './walls-prototypes.js';
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

const KEPT_FILE = 'bench-result.json';
type KeptResult = Pick<TrainResult, 'modelDir' | 'calibration' | 'epochsCompleted' | 'ensemble'>;

function keptSummary(result: TrainResult): KeptResult {
  const { modelDir, calibration, epochsCompleted, ensemble } = result;
  return { modelDir, calibration, epochsCompleted, ensemble };
}

function readKept(runDir: string): KeptResult | null {
  const file = join(runDir, KEPT_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as KeptResult) : null;
}

function withoutBins(score: Score): Omit<Score, 'bins'> {
  const { bins: _bins, ...rest } = score;
  return rest;
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}

/** Logit adjustment strengths tried (0: none, the temperature alone). */
const LOGIT_ADJUSTMENTS = [0, 0.5, 0.75, 1];

interface Score {
  top1: number;
  top5: number;
  macro_f1: number;
  by_training_crops: Record<string, { images: number; top1: number | null }>;
  ece: number;
  /** Not printed: pooled over the pictures for the ECE of all their crops together. */
  bins: ConfidenceBins;
  mean_confidence: number;
}

/** Top-1/top-5, macro-F1, accuracy per training-crop bucket and ECE of probability rows against labels. */
function scoreRows(probabilities: Float32Array, labels: number[], training: number[]): Score {
  const classes = training.length;
  const bins: ConfidenceBins = {
    total: new Array(CONFIDENCE_BINS).fill(0),
    correct: new Array(CONFIDENCE_BINS).fill(0),
  };
  const bucket = new Map(BUCKETS.map(([name]) => [name, { images: 0, right: 0 }]));
  const tp = new Array(classes).fill(0);
  const predictedCount = new Array(classes).fill(0);
  const trueCount = new Array(classes).fill(0);
  let top1 = 0;
  let top5 = 0;
  let confidence = 0;
  labels.forEach((truth, i) => {
    const row = probabilities.subarray(i * classes, (i + 1) * classes);
    let best = 0;
    for (let c = 1; c < classes; c++) if (row[c]! > row[best]!) best = c;
    const above = row.reduce((n, p) => (p > row[truth]! ? n + 1 : n), 0);
    const right = best === truth;
    if (right) top1++;
    if (above < 5) top5++;
    confidence += row[best]!;
    const bin = confidenceBin(row[best]!);
    bins.total[bin]!++;
    if (right) bins.correct[bin]!++;
    const name = BUCKETS.find(([, max]) => training[truth]! <= max)![0];
    const b = bucket.get(name)!;
    b.images++;
    if (right) b.right++;
    trueCount[truth]++;
    predictedCount[best]++;
    if (right) tp[truth]++;
  });
  const n = labels.length || 1;
  // Macro-F1 over the classes that occur in the truth or the predictions of this picture.
  const f1s: number[] = [];
  for (let c = 0; c < classes; c++) {
    if (trueCount[c] === 0 && predictedCount[c] === 0) continue;
    const precision = tp[c] / (predictedCount[c] || 1);
    const recall = tp[c] / (trueCount[c] || 1);
    f1s.push(precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0);
  }
  return {
    top1: round(top1 / n),
    top5: round(top5 / n),
    macro_f1: round(f1s.reduce((a, b) => a + b, 0) / (f1s.length || 1)),
    by_training_crops: Object.fromEntries(
      [...bucket].map(([name, b]) => [name, { images: b.images, top1: b.images ? round(b.right / b.images) : null }]),
    ),
    ece: round(expectedCalibrationError(bins)),
    bins,
    mean_confidence: round(confidence / n),
  };
}

export async function leaveOnePictureOut(
  sharedDir: string,
  options: Partial<TrainOptions> & { preset: TrainOptions['preset'] },
  log: (...parts: unknown[]) => void,
  only: readonly string[] = [],
  keepDir: string | null = null,
): Promise<Record<string, unknown>> {
  const root = join(sharedDir, 'datasets', 'unas-glyphs', 'Manual', 'Preprocessed');
  if (!existsSync(root)) return { dataset: 'unas-glyphs', skipped: 'dataset not found' };
  // --crops=seshat: Seshat's own crops of the dataset's boxes, as the app cuts them (seshat-crops.ts).
  const crops = process.argv.includes('--crops=seshat')
    ? await seshatCrops(join(sharedDir, 'datasets', 'unas-glyphs'), readCrops(root), log)
    : readCrops(root);
  const pictures = [...new Set(crops.map((crop) => crop.picture))]
    .filter((picture) => only.length === 0 || only.includes(picture))
    .sort((a, b) => Number(a) - Number(b));
  const rows: Array<Record<string, unknown> & { picture: string; variants: Record<string, Score> }> = [];
  // --prototypes: also blend a nearest-prototype reading of MobileNet embeddings (walls-prototypes.ts).
  const embeddings = process.argv.includes('--prototypes') ? await embedCrops(crops.map((crop) => crop.path)) : null;
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

    // --keep=DIR keeps each picture's trained model (and reuses it on the next run), so
    // changes on the reading side are measured without training again.
    const runDir = keepDir ? join(keepDir, held) : join(tmpdir(), `seshat-bench-walls-${held}-${process.pid}`);
    const kept = keepDir ? readKept(runDir) : null;
    const result =
      kept ??
      keptSummary(
        await trainClassifier(
          { dataset: { classes, train, validation }, options, runDir },
          {
            signal: new AbortController().signal,
            onProgress: () => {},
            onEpoch: (e) => log(`walls ${held}: epoch ${e.epoch} val_acc ${e.valAccuracy?.toFixed(3)}`),
          },
        ),
      );
    if (keepDir && !kept) writeFileSync(join(runDir, KEPT_FILE), JSON.stringify(result));
    const training = classes.map((name) => perClass.get(name) ?? 0);
    const classifier = await loadClassifier(result.modelDir!);
    const labelled = scored.map((crop) => ({
      id: crop.path,
      source: { kind: 'file' as const, path: crop.path },
      label: crop.name,
    }));
    // 'as trained' is the folder as Predict reads it (its calibration.json applied). The
    // others rebuild that correction from the members' combined probabilities, as training
    // now writes it: logit adjustment by the training split's class counts, then a
    // temperature fitted on the validation split (never the held-out wall) after it.
    const read = await labelledProbabilities(classifier, labelled);
    const correction = classifier.correction;
    const uncorrected = { adjustment: null, temperature: 1 };
    classifier.correction = uncorrected;
    const validationImages = validation.map((sample) => ({
      id: sample.id,
      source: sample.source,
      label: classes[sample.label]!,
    }));
    const validationRaw = await labelledProbabilities(classifier, validationImages);
    const trainCounts = classes.map(() => 0);
    for (const sample of train) trainCounts[sample.label]!++;
    const corrections = LOGIT_ADJUSTMENTS.map((tau) => {
      const factors = adjustmentFactors(trainCounts, tau);
      const adjusted = factors
        ? adjustProbabilities(validationRaw.probabilities, classes.length, factors)
        : validationRaw.probabilities;
      return {
        tau,
        adjustment: factors,
        temperature: fitTemperature(adjusted, validationRaw.labels, classes.length).temperature,
      };
    });
    const variants: Record<string, Score> = {
      'as trained': scoreRows(read.probabilities, read.labels, training),
    };
    const score = (prefix: string, probabilities: Float32Array, labels: number[]) => {
      for (const { tau, ...fix } of corrections)
        variants[`${prefix}logit adjustment ${tau} + temperature`] = scoreRows(
          correctProbabilities(probabilities, classes.length, fix),
          labels,
          training,
        );
    };
    const raw = await labelledProbabilities(classifier, labelled);
    score('', raw.probabilities, raw.labels);
    if (embeddings && read.failed.length === 0) {
      const protoTrain = trainCrops.map((crop) => ({ path: crop.path, label: index.get(crop.name)! }));
      for (const temperature of [0.05, 0.1]) {
        const proto = prototypeProbabilities(
          embeddings,
          protoTrain,
          scored.map((crop) => crop.path),
          classes.length,
          temperature,
        );
        variants[`prototypes alone (T ${temperature})`] = scoreRows(proto, read.labels, training);
        for (const weight of [0.2, 0.4])
          variants[`as trained + prototypes (T ${temperature}, weight ${weight})`] = scoreRows(
            blend(read.probabilities, proto, weight),
            read.labels,
            training,
          );
      }
    }
    // A bound, not a method: the one temperature that fits this wall best.
    const bound = fitTemperature(read.probabilities, read.labels, classes.length);
    variants['as trained, temperature fitted on the wall (bound)'] = scoreRows(
      temperatureScale(read.probabilities, classes.length, bound.temperature),
      read.labels,
      training,
    );
    // Each member alone, uncorrected, to see which one the wall's errors come from.
    if (classifier.members.length > 1)
      for (const [m, member] of classifier.members.entries()) {
        const alone = await labelledProbabilities({ ...classifier, members: [member] }, labelled);
        variants[m === 0 ? 'conv model alone' : 'companion alone'] = scoreRows(
          alone.probabilities,
          alone.labels,
          training,
        );
      }
    // The wall's own crops (all of them, as a user's folder would hold) re-estimate batch norm.
    const wall = heldCrops.map((crop) => ({ kind: 'file' as const, path: crop.path }));
    const fresh = await loadClassifier(result.modelDir!);
    if ((await adaptClassifier(fresh, wall)) > 0) {
      variants['adapted, as trained'] = scoreRows(
        (await labelledProbabilities(fresh, labelled)).probabilities,
        read.labels,
        training,
      );
      fresh.correction = uncorrected;
      const adapted = await labelledProbabilities(fresh, labelled);
      score('adapted + ', adapted.probabilities, adapted.labels);
    }
    fresh.dispose();
    classifier.correction = correction;
    classifier.dispose();
    if (!keepDir) rmSync(runDir, { recursive: true, force: true });

    const row = {
      picture: held,
      train_images: train.length,
      classes: classes.length,
      scored: read.labels.length,
      left_out: { unknown, unseen_classes: unseen, unreadable: read.failed.length },
      ...withoutBins(variants['as trained']!),
      temperature: result.calibration?.temperature ?? null,
      epochs_run: result.epochsCompleted,
      ensemble: result.ensemble?.members ?? null,
      wall_seconds: Math.round((performance.now() - started) / 1000),
      variants,
    };
    log('walls', JSON.stringify(row));
    rows.push(row);
  }
  // Each variant's mean over the pictures, crops of rare classes pooled across them.
  const names = [...new Set(rows.flatMap((row) => Object.keys(row.variants)))];
  const means = Object.fromEntries(
    names.map((name) => {
      const scores = rows.map((row) => row.variants[name]).filter((score): score is Score => score !== undefined);
      const average = (key: 'top1' | 'top5' | 'macro_f1' | 'ece' | 'mean_confidence') =>
        round(scores.reduce((sum, score) => sum + score[key], 0) / scores.length);
      const pooled = Object.fromEntries(
        BUCKETS.map(([bucket]) => {
          const images = scores.reduce((sum, score) => sum + score.by_training_crops[bucket]!.images, 0);
          const right = scores.reduce(
            (sum, score) =>
              sum + score.by_training_crops[bucket]!.images * (score.by_training_crops[bucket]!.top1 ?? 0),
            0,
          );
          return [bucket, { images, top1: images ? round(right / images) : null }];
        }),
      );
      return [
        name,
        {
          top1: average('top1'),
          top5: average('top5'),
          macro_f1: average('macro_f1'),
          ece: average('ece'),
          mean_confidence: average('mean_confidence'),
          // One wall's 400 crops leave ECE noisy (±0.02); all six walls' crops together much less.
          ece_pooled: round(
            expectedCalibrationError({
              total: scores[0]!.bins.total.map((_, b) => scores.reduce((sum, score) => sum + score.bins.total[b]!, 0)),
              correct: scores[0]!.bins.correct.map((_, b) =>
                scores.reduce((sum, score) => sum + score.bins.correct[b]!, 0),
              ),
            }),
          ),
          by_training_crops: pooled,
        },
      ];
    }),
  );
  return {
    dataset: 'unas-glyphs',
    split: 'leave one picture out (train on five, read the sixth)',
    preset: options.preset,
    mean: means['as trained'] ?? null,
    variants: means,
    pictures: rows.map(({ variants: _variants, ...row }) => row),
    pictures_by_variant: Object.fromEntries(
      names.map((name) => [
        name,
        rows.map((row) => {
          const { bins: _bins, ...score } = row.variants[name]!;
          return { picture: row.picture, ...score };
        }),
      ]),
    ),
  };
}
