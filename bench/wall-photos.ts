/**
 * `npm run bench -- walls [--models=DIR]`: the six Unas wall photographs read from
 * their boxes. Per wall: how much of the dataset's own numbering the reading order
 * reproduces (consecutive pairs in the right order), and with --models (a folder of
 * leave-one-picture-out models, `train --accuracy=walls --keep=DIR`) the top-1 of the
 * model that never saw the wall on crops Seshat cuts from the photo beside the same
 * model on the dataset's hand-cut crops. Finding the boxes is `npm run bench -- detector`.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { selectBackend } from '../src-main/ml/backend.js';
import { registerWasmTrainingKernels } from '../src-main/ml/kernels/index.js';
import { labelledProbabilities, loadClassifier } from '../src-main/ml/inference/predict.js';
import { parseLocations, type WallSign } from '../src-main/walls/boxes.js';
import { decodePhoto, framedCropPng } from '../src-main/walls/crops.js';
import { pairwiseOrderAgreement, readingOrder } from '../src-main/walls/reading-order.js';

const root = resolve(import.meta.dirname, '../../shared/datasets/unas-glyphs');
const WALLS = [3, 5, 7, 9, 20, 21];
const modelsArg = process.argv.find((arg) => arg.startsWith('--models='))?.slice('--models='.length);
const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

function top1(probabilities: Float32Array, labels: number[], classes: number): number {
  let right = 0;
  labels.forEach((label, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if (probabilities[i * classes + c]! > probabilities[i * classes + best]!) best = c;
    if (best === label) right++;
  });
  return labels.length ? right / labels.length : 0;
}

async function accuracy(wall: number, signs: WallSign[]) {
  const modelDir = join(modelsArg!, String(wall), 'model');
  if (!existsSync(modelDir)) return null;
  const classifier = await loadClassifier(modelDir);
  try {
    const photo = await decodePhoto(join(root, 'Pictures', `egyptianTexts${wall}.jpg`));
    const scored = signs.filter((sign) => sign.label && sign.label !== 'UNKNOWN');
    const ours = [];
    for (const sign of scored) {
      const { data, info } = await sharp(await framedCropPng(photo, sign.box))
        .raw()
        .toBuffer({ resolveWithObject: true });
      ours.push({
        id: sign.file!,
        label: sign.label!,
        source: { kind: 'raw' as const, data, width: info.width, height: info.height, channels: info.channels as 3 },
      });
    }
    const theirs = scored.map((sign) => ({
      id: sign.file!,
      label: sign.label!,
      source: { kind: 'file' as const, path: join(root, 'Manual', 'Preprocessed', String(wall), sign.file!) },
    }));
    const n = classifier.labels.length;
    const a = await labelledProbabilities(classifier, ours);
    const b = await labelledProbabilities(classifier, theirs);
    return {
      scored: a.labels.length,
      top1_seshat_crops: Number(top1(a.probabilities, a.labels, n).toFixed(4)),
      top1_dataset_crops: Number(top1(b.probabilities, b.labels, n).toFixed(4)),
      failed: a.failed.length + b.failed.length,
    };
  } finally {
    classifier.dispose();
  }
}

if (modelsArg) {
  await selectBackend('wasm');
  registerWasmTrainingKernels();
}
const walls = [];
for (const wall of WALLS) {
  const file = join(root, 'Manual', 'Locations', `${wall}.txt`);
  const signs = parseLocations(readFileSync(file, 'utf8'), file).sort((a, b) => a.index - b.index);
  const started = Date.now();
  const places = readingOrder(signs.map((sign) => sign.box));
  const orderMs = Date.now() - started;
  const columns = new Set(places.map((place) => place.column)).size;
  log(`wall ${wall}: ${signs.length} signs, ${columns} columns`);
  walls.push({
    wall,
    signs: signs.length,
    columns,
    reading_order_pairs: Number(
      pairwiseOrderAgreement(
        places,
        signs.map((_, i) => i),
      ).toFixed(4),
    ),
    reading_order_ms: orderMs,
    accuracy: modelsArg ? await accuracy(wall, signs) : null,
  });
}
const mean = (values: number[]) => Number((values.reduce((a, b) => a + b, 0) / values.length).toFixed(4));
const scoredWalls = walls.flatMap((wall) => (wall.accuracy ? [wall.accuracy] : []));
process.stdout.write(
  `${JSON.stringify(
    {
      bench: 'walls',
      dataset: 'unas-glyphs (six wall photographs, the dataset’s own boxes)',
      walls,
      mean_reading_order_pairs: mean(walls.map((wall) => wall.reading_order_pairs)),
      mean_top1_seshat_crops: scoredWalls.length ? mean(scoredWalls.map((a) => a.top1_seshat_crops)) : null,
      mean_top1_dataset_crops: scoredWalls.length ? mean(scoredWalls.map((a) => a.top1_dataset_crops)) : null,
      detection: 'boxes come from the dataset here; the learned detector is `npm run bench -- detector`',
    },
    null,
    2,
  )}\n`,
);
