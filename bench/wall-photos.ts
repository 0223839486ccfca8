/**
 * `npm run bench -- walls [--models=DIR] [--detectors=DIR]`: the six Unas wall photographs
 * read from their boxes. Per wall: how much of the dataset's own numbering the reading
 * order reproduces (consecutive pairs in the right order), and with --models (a folder of
 * leave-one-picture-out models, `train --accuracy=walls --keep=DIR`):
 * - the top-1 of the model that never saw the wall on crops Seshat cuts from the photo,
 *   beside the same model on the dataset's hand-cut crops;
 * - which way the model judges the signs face, on the photo and on its mirror image, and
 *   the mirror image's reading order in the judged direction against the numbering mirrored.
 * With --detectors (leave-one-wall-out detectors, `detector --keep=DIR`) the boxes come from
 * the detector that never saw the wall: precision and recall at IoU ≥ 0.5, reading order on
 * the matched boxes, and with --models the top-1 on the matched boxes' crops beside the
 * dataset's crops of the same signs, and the share of all the wall's signs read right.
 */
import { mkdtempSync, readFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src-main/ml/backend.js';
import { registerWasmTrainingKernels } from '../src-main/ml/kernels/index.js';
import { loadModelFromFolder } from '../src-main/ml/model-io.js';
import { labelledProbabilities, loadClassifier, type Classifier } from '../src-main/ml/inference/predict.js';
import { matchBoxes, parseLocations, type Box, type WallSign } from '../src-main/walls/boxes.js';
import { decodePhoto, framedCropPng, GLYPH_FRAME, type DecodedPhoto } from '../src-main/walls/crops.js';
import { classifierConfidence, directionOf, estimateFacing } from '../src-main/walls/facing.js';
import { findSigns } from '../src-main/walls/find-signs.js';
import { pairwiseOrderAgreement, readingOrder } from '../src-main/walls/reading-order.js';

const root = resolve(import.meta.dirname, '../../shared/datasets/unas-glyphs');
const WALLS = [3, 5, 7, 9, 20, 21];
const option = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const modelsArg = option('models');
const detectorsArg = option('detectors');
// --facing=conv judges facing with the ensemble's conv model alone.
const FIRST_MEMBER_ONLY = option('facing') === 'conv';
const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);
const round = (value: number) => Number(value.toFixed(4));

function top1Hits(probabilities: Float32Array, labels: number[], classes: number): boolean[] {
  return labels.map((label, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if (probabilities[i * classes + c]! > probabilities[i * classes + best]!) best = c;
    return best === label;
  });
}

const share = (hits: boolean[]) => (hits.length ? round(hits.filter(Boolean).length / hits.length) : 0);

/** Top-1 hits of the classifier on crops Seshat cuts from `photo`, one per sign, keyed by the sign's file. */
async function hitsOnCuts(
  classifier: Classifier,
  photo: DecodedPhoto,
  signs: { file: string; label: string; box: Box }[],
) {
  const images = [];
  for (const sign of signs) {
    const { data, info } = await sharp(await framedCropPng(photo, sign.box))
      .raw()
      .toBuffer({ resolveWithObject: true });
    images.push({
      id: sign.file,
      label: sign.label,
      source: { kind: 'raw' as const, data, width: info.width, height: info.height, channels: info.channels as 3 },
    });
  }
  return hitsOn(classifier, images);
}

async function hitsOn(
  classifier: Classifier,
  images: { id: string; label: string; source: Parameters<typeof labelledProbabilities>[1][number]['source'] }[],
): Promise<Map<string, boolean>> {
  // labelledProbabilities keeps the images whose class the model has, in order.
  const known = images.filter((image) => classifier.labels.includes(image.label));
  const { probabilities, labels } = await labelledProbabilities(classifier, known);
  const hits = top1Hits(probabilities, labels, classifier.labels.length);
  return new Map(known.map((image, i) => [image.id, hits[i]!]));
}

/** The photo mirrored left to right, as a wall written the other way would be photographed. */
function mirrorPhoto(photo: DecodedPhoto): DecodedPhoto {
  const { width, height, channels } = photo;
  const pixels = Buffer.alloc(photo.pixels.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      photo.pixels.copy(
        pixels,
        (y * width + (width - 1 - x)) * channels,
        (y * width + x) * channels,
        (y * width + x + 1) * channels,
      );
  return { ...photo, pixels };
}

const mirrorBox = (box: Box, width: number): Box => [width - box[2], box[1], width - box[0], box[3]];

/** The model's judgement of the signs' facing, from crops written to a temporary folder. */
async function judgeFacingOf(classifier: Classifier, photo: DecodedPhoto, boxes: Box[]) {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-bench-facing-'));
  try {
    const files = [];
    for (const [i, box] of boxes.entries()) {
      const file = join(dir, `${i}.png`);
      writeFileSync(file, await framedCropPng(photo, box));
      files.push(file);
    }
    return await estimateFacing(files, classifierConfidence(classifier, { firstMemberOnly: FIRST_MEMBER_ONLY }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Scored = { file: string; label: string; box: Box };

async function withModel(wall: number, photo: DecodedPhoto, signs: WallSign[], scored: Scored[]) {
  const modelDir = join(modelsArg!, String(wall), 'model');
  if (!existsSync(modelDir)) return null;
  const classifier = await loadClassifier(modelDir);
  try {
    const ours = await hitsOnCuts(classifier, photo, scored);
    const theirs = await hitsOn(
      classifier,
      scored.map((sign) => ({
        id: sign.file,
        label: sign.label,
        source: { kind: 'file' as const, path: join(root, 'Manual', 'Preprocessed', String(wall), sign.file) },
      })),
    );
    const boxes = signs.map((sign) => sign.box);
    const asPhotographed = await judgeFacingOf(classifier, photo, boxes);
    const mirroredBoxes = boxes.map((box) => mirrorBox(box, photo.width));
    const mirrored = await judgeFacingOf(classifier, mirrorPhoto(photo), mirroredBoxes);
    const mirroredOrder = pairwiseOrderAgreement(
      readingOrder(mirroredBoxes, directionOf(mirrored.mirrored)),
      signs.map((_, i) => i),
    );
    const detected = detectorsArg ? await detectedAccuracy(wall, photo, signs, classifier, theirs, ours) : null;
    // Signs larger than the frame are shrunk into it; the others are cut as they are.
    const shrunk = (sign: Scored) =>
      sign.box[2] - sign.box[0] > GLYPH_FRAME.width || sign.box[3] - sign.box[1] > GLYPH_FRAME.height;
    const named = scored.filter((sign) => ours.has(sign.file)); // the signs whose class the model has
    const bySize = (hits: Map<string, boolean>, wantShrunk: boolean) =>
      share(named.filter((sign) => shrunk(sign) === wantShrunk).map((sign) => hits.get(sign.file)!));
    return {
      accuracy: {
        shrunk_signs: named.filter(shrunk).length,
        top1_seshat_crops_shrunk: bySize(ours, true),
        top1_dataset_crops_shrunk: bySize(theirs, true),
        top1_seshat_crops_unshrunk: bySize(ours, false),
        top1_dataset_crops_unshrunk: bySize(theirs, false),
        scored: ours.size,
        top1_seshat_crops: share([...ours.values()]),
        top1_dataset_crops: share([...theirs.values()]),
      },
      facing: {
        photo: asPhotographed,
        mirrored_photo: mirrored,
        mirrored_photo_reading_order_pairs: round(mirroredOrder),
      },
      detected,
    };
  } finally {
    classifier.dispose();
  }
}

/**
 * How found boxes sit on the hand-drawn ones they matched: medians of width and height
 * ratios (found / hand) and of the centre's offset in hand-box sizes. A crop framed
 * differently from the training crops is read worse, so this says which way they differ.
 */
function boxGeometry(pairs: Array<[found: Box, hand: Box]>) {
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted.length ? round(sorted[sorted.length >> 1]!) : null;
  };
  const size = (box: Box) => [box[2] - box[0], box[3] - box[1]] as const;
  const centre = (box: Box) => [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2] as const;
  return {
    width_ratio: median(pairs.map(([f, h]) => size(f)[0] / size(h)[0])),
    height_ratio: median(pairs.map(([f, h]) => size(f)[1] / size(h)[1])),
    centre_dx: median(pairs.map(([f, h]) => (centre(f)[0] - centre(h)[0]) / size(h)[0])),
    centre_dy: median(pairs.map(([f, h]) => (centre(f)[1] - centre(h)[1]) / size(h)[1])),
  };
}

/** The wall read from the held-out detector's boxes. */
async function detectedAccuracy(
  wall: number,
  photo: DecodedPhoto,
  signs: WallSign[],
  classifier: Classifier | null,
  datasetHits: Map<string, boolean> | null,
  seshatHits: Map<string, boolean> | null = null,
) {
  const dir = join(detectorsArg!, String(wall));
  if (!existsSync(join(dir, 'model.json'))) return null;
  const detector = await loadModelFromFolder(dir);
  try {
    const found = await findSigns(photo, detector);
    const truth = signs.map((sign) => sign.box);
    const pairs = matchBoxes(
      found.map((sign) => sign.box),
      truth,
    );
    // Reading order of the found boxes, over the signs they matched.
    const places = readingOrder(found.map((sign) => sign.box));
    const byTruth = [...pairs].sort((a, b) => a.truth - b.truth);
    let inOrder = 0;
    for (let i = 1; i < byTruth.length; i++)
      if (places[byTruth[i]!.found]!.order > places[byTruth[i - 1]!.found]!.order) inOrder++;
    const result: Record<string, unknown> = {
      found: found.length,
      precision: round(found.length ? pairs.length / found.length : 0),
      recall: round(pairs.length / truth.length),
      reading_order_pairs: round(byTruth.length > 1 ? inOrder / (byTruth.length - 1) : 1),
      matched_geometry: boxGeometry(pairs.map((pair) => [found[pair.found]!.box, truth[pair.truth]!])),
    };
    if (classifier && datasetHits) {
      // The signs the model could name (scored) that a found box matched, cut from the found box.
      const matched = pairs.flatMap((pair) => {
        const sign = signs[pair.truth]!;
        return datasetHits.has(sign.file!)
          ? [{ file: sign.file!, label: sign.label!, box: found[pair.found]!.box }]
          : [];
      });
      const hits = await hitsOnCuts(classifier, photo, matched);
      const same = matched.map((sign) => datasetHits.get(sign.file)!);
      result.matched_scored = matched.length;
      result.top1_detected_crops = share([...hits.values()]);
      result.top1_dataset_crops_same_signs = share(same);
      // The same signs cut by Seshat from the hand-drawn boxes: what the found boxes change.
      if (seshatHits) result.top1_seshat_crops_same_signs = share(matched.map((sign) => seshatHits.get(sign.file)!));
      // Of every sign the model could name, read right from a found box (a missed sign is wrong).
      result.read_right_of_all_scored = round([...hits.values()].filter(Boolean).length / datasetHits.size);
    }
    return result;
  } finally {
    detector.dispose();
  }
}

if (modelsArg || detectorsArg) {
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
  const photo =
    modelsArg || detectorsArg ? await decodePhoto(join(root, 'Pictures', `egyptianTexts${wall}.jpg`)) : null;
  const scored = signs.flatMap((sign) =>
    sign.label && sign.label !== 'UNKNOWN' ? [{ file: sign.file!, label: sign.label, box: sign.box }] : [],
  );
  const modelled = modelsArg ? await withModel(wall, photo!, signs, scored) : null;
  const detected =
    modelled?.detected ?? (detectorsArg && !modelled ? await detectedAccuracy(wall, photo!, signs, null, null) : null);
  walls.push({
    wall,
    signs: signs.length,
    columns,
    reading_order_pairs: round(
      pairwiseOrderAgreement(
        places,
        signs.map((_, i) => i),
      ),
    ),
    reading_order_ms: orderMs,
    accuracy: modelled?.accuracy ?? null,
    facing: modelled?.facing ?? null,
    detected,
  });
  if (modelled) log(`wall ${wall}: ${JSON.stringify({ ...modelled.accuracy, facing: modelled.facing, detected })}`);
}
const mean = (values: number[]) => (values.length ? round(values.reduce((a, b) => a + b, 0) / values.length) : null);
const scoredWalls = walls.flatMap((wall) => (wall.accuracy ? [wall.accuracy] : []));
const detectedWalls = walls.flatMap((wall) => (wall.detected ? [wall.detected as Record<string, number>] : []));
const facingWalls = walls.flatMap((wall) => (wall.facing ? [wall.facing] : []));
process.stdout.write(
  `${JSON.stringify(
    {
      bench: 'walls',
      dataset: 'unas-glyphs (six wall photographs, the dataset’s own boxes)',
      walls,
      mean_reading_order_pairs: mean(walls.map((wall) => wall.reading_order_pairs)),
      mean_top1_seshat_crops: mean(scoredWalls.map((a) => a.top1_seshat_crops)),
      mean_top1_dataset_crops: mean(scoredWalls.map((a) => a.top1_dataset_crops)),
      facing_right: facingWalls.length
        ? {
            photos_read_as_trained: facingWalls.filter((f) => !f.photo.mirrored).length,
            mirrored_photos_judged_mirrored: facingWalls.filter((f) => f.mirrored_photo.mirrored).length,
            of: facingWalls.length,
            mean_mirrored_photo_reading_order_pairs: mean(facingWalls.map((f) => f.mirrored_photo_reading_order_pairs)),
          }
        : null,
      detected: detectedWalls.length
        ? {
            mean_precision: mean(detectedWalls.map((d) => d.precision!)),
            mean_recall: mean(detectedWalls.map((d) => d.recall!)),
            mean_reading_order_pairs: mean(detectedWalls.map((d) => d.reading_order_pairs!)),
            mean_top1_detected_crops: mean(detectedWalls.flatMap((d) => d.top1_detected_crops ?? [])),
            mean_top1_dataset_crops_same_signs: mean(
              detectedWalls.flatMap((d) => d.top1_dataset_crops_same_signs ?? []),
            ),
            mean_read_right_of_all_scored: mean(detectedWalls.flatMap((d) => d.read_right_of_all_scored ?? [])),
          }
        : 'boxes from the dataset; --detectors=DIR reads them from the held-out detectors',
      tensors_left: tf.memory().numTensors,
    },
    null,
    2,
  )}\n`,
);
