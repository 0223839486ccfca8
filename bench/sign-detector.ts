/**
 * `npm run bench -- detector [--walls=3,5] [--steps=N] [--save=DIR]`: the learned sign
 * detector on the six Unas wall photographs, leave one wall out. For each held-out wall
 * it trains on the other five and reports precision and recall at IoU ≥ 0.5 against the
 * dataset's boxes (at several peak thresholds, and at the app's), and how long finding
 * the signs takes. `--save=DIR` then trains on all six and saves the detector the app
 * ships (resources/models/sign-detector). `--keep=DIR` keeps each held-out wall's detector
 * in DIR/<wall>/ (and reuses it on the next run), for `npm run bench -- walls --detectors=DIR`.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src-main/ml/backend.js';
import { decodeDetections } from '../src-main/ml/detector/model.js';
import type { TrainingWall } from '../src-main/ml/detector/targets.js';
import { DEFAULT_DETECTOR_TRAINING, trainDetector } from '../src-main/ml/detector/train.js';
import { registerWasmTrainingKernels } from '../src-main/ml/kernels/index.js';
import { hasModel, loadModelFromFolder, saveModelToFolder } from '../src-main/ml/model-io.js';
import { matchBoxes, parseLocations, type Box } from '../src-main/walls/boxes.js';
import { decodePhoto, type DecodedPhoto } from '../src-main/walls/crops.js';
import { DETECTION_THRESHOLD, detectorPlane, findSigns, suppressOverlaps } from '../src-main/walls/find-signs.js';

const root = resolve(import.meta.dirname, '../../shared/datasets/unas-glyphs');
const ALL_WALLS = [3, 5, 7, 9, 20, 21];
const option = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const held = (option('walls') ?? ALL_WALLS.join(',')).split(',').map(Number);
const steps = Number(option('steps') ?? DEFAULT_DETECTOR_TRAINING.steps);
const saveDir = option('save');
const keepDir = option('keep');
const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

interface Wall {
  wall: number;
  photo: DecodedPhoto;
  boxes: Box[];
  training: TrainingWall;
}

async function loadWall(wall: number): Promise<Wall> {
  const photo = await decodePhoto(join(root, 'Pictures', `egyptianTexts${wall}.jpg`));
  const file = join(root, 'Manual', 'Locations', `${wall}.txt`);
  const boxes = parseLocations(readFileSync(file, 'utf8'), file).map((sign) => sign.box);
  const plane = await detectorPlane(photo);
  const sx = plane.width / photo.width;
  const sy = plane.height / photo.height;
  const planeBoxes = boxes.map(([x1, y1, x2, y2]) => [x1 * sx, y1 * sy, x2 * sx, y2 * sy] as const);
  return { wall, photo, boxes, training: { plane, boxes: planeBoxes } };
}

/** Precision and recall of found boxes against the true ones, matched one to one at IoU ≥ 0.5. */
function precisionRecall(found: readonly Box[], truth: readonly Box[]) {
  const matched = matchBoxes(found, truth).length;
  const precision = found.length ? matched / found.length : 0;
  const recall = truth.length ? matched / truth.length : 0;
  const round = (value: number) => Number(value.toFixed(4));
  return {
    precision: round(precision),
    recall: round(recall),
    f1: round(precision + recall ? (2 * precision * recall) / (precision + recall) : 0),
    proposed: found.length,
  };
}

const backend = await selectBackend('wasm');
registerWasmTrainingKernels();
const walls = await Promise.all(ALL_WALLS.map(loadWall));
const training = { ...DEFAULT_DETECTOR_TRAINING, steps };
const results = [];
for (const wall of walls.filter((candidate) => held.includes(candidate.wall))) {
  const started = Date.now();
  const keptDir = keepDir ? join(keepDir, String(wall.wall)) : null;
  const model =
    keptDir && hasModel(keptDir)
      ? await loadModelFromFolder(keptDir)
      : (
          await trainDetector(
            walls.filter((other) => other !== wall).map((other) => other.training),
            training,
            {
              signal: new AbortController().signal,
              onProgress: (p) => p.done % 100 === 0 && log(`wall ${wall.wall}: ${p.message}`),
            },
          )
        ).model;
  const trainSeconds = (Date.now() - started) / 1000;
  if (keptDir && !hasModel(keptDir))
    await saveModelToFolder(model, keptDir, {
      seshat: { kind: 'sign-detector', trainedOn: `unas-glyphs walls other than ${wall.wall}`, steps },
    });
  const sx = wall.photo.width / wall.training.plane.width;
  const sy = wall.photo.height / wall.training.plane.height;
  const byThreshold: Record<string, ReturnType<typeof precisionRecall>> = {};
  for (const threshold of [0.2, 0.25, 0.3, 0.35, 0.4]) {
    const found = suppressOverlaps(decodeDetections(model, wall.training.plane, threshold)).map(
      ({ box }) => [box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy] as Box,
    );
    byThreshold[threshold] = precisionRecall(found, wall.boxes);
  }
  const findStarted = Date.now();
  const signs = await findSigns(wall.photo, model);
  const findMs = Date.now() - findStarted;
  const atDefault = precisionRecall(
    signs.map((sign) => sign.box),
    wall.boxes,
  );
  log(`wall ${wall.wall}: P ${atDefault.precision} R ${atDefault.recall} (${trainSeconds.toFixed(0)} s training)`);
  results.push({
    wall: wall.wall,
    signs: wall.boxes.length,
    photo: `${wall.photo.width}×${wall.photo.height}`,
    ...atDefault,
    by_threshold: byThreshold,
    find_ms: findMs,
    train_s: Number(trainSeconds.toFixed(1)),
  });
  model.dispose();
}

let saved = null;
if (saveDir) {
  const { model, finalLoss } = await trainDetector(
    walls.map((wall) => wall.training),
    training,
    { signal: new AbortController().signal, onProgress: (p) => p.done % 100 === 0 && log(`all walls: ${p.message}`) },
  );
  await saveModelToFolder(model, saveDir, {
    seshat: { kind: 'sign-detector', trainedOn: 'unas-glyphs walls 3, 5, 7, 9, 20, 21', steps, finalLoss },
  });
  saved = { dir: saveDir, params: model.countParams(), final_loss: Number(finalLoss.toFixed(4)) };
  model.dispose();
}

const mean = (values: number[]) =>
  values.length ? Number((values.reduce((a, b) => a + b, 0) / values.length).toFixed(4)) : null;
process.stdout.write(
  `${JSON.stringify(
    {
      bench: 'detector',
      dataset: 'unas-glyphs, leave one wall photograph out; IoU ≥ 0.5 against the dataset’s boxes',
      backend: backend.name,
      threshold: DETECTION_THRESHOLD,
      training,
      walls: results,
      mean_precision: mean(results.map((r) => r.precision)),
      mean_recall: mean(results.map((r) => r.recall)),
      mean_find_ms: mean(results.map((r) => r.find_ms)),
      saved,
      tensors_left: tf.memory().numTensors,
    },
    null,
    2,
  )}\n`,
);
