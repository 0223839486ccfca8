/**
 * Finding the signs on a wall photograph with the learned detector: the photo as the
 * detector's grey plane, its peaks as boxes in photo pixels, overlapping proposals
 * resolved, numbered in reading order. The bundled detector was trained on the six Unas
 * walls (resources/models/sign-detector).
 */
import type * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { AppError } from '../../src-shared/errors.js';
import { selectBackend } from '../ml/backend.js';
import { decodeDetections, type ScoredBox } from '../ml/detector/model.js';
import { DETECTOR_SCALE, standardise, type Plane } from '../ml/detector/targets.js';
import { registerWasmTrainingKernels } from '../ml/kernels/index.js';
import { hasModel, loadModelFromFolder } from '../ml/model-io.js';
import { intersectionOverUnion, type Box, type WallSign } from './boxes.js';
import type { DecodedPhoto } from './crops.js';
import { readingOrder } from './reading-order.js';

/** Peak height that measured best on held-out walls (bench walls). */
export const DETECTION_THRESHOLD = 0.4;
/** Two proposals overlapping more than this are one sign: the stronger stays. */
const SAME_SIGN_IOU = 0.5;

/** The photo as the detector sees it: grey, at its scale, standardised. */
export async function detectorPlane(photo: DecodedPhoto): Promise<Plane> {
  const width = Math.max(16, Math.round(photo.width * DETECTOR_SCALE));
  const height = Math.max(16, Math.round(photo.height * DETECTOR_SCALE));
  const grey = await sharp(photo.pixels, {
    raw: { width: photo.width, height: photo.height, channels: photo.channels },
  })
    .greyscale()
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  return standardise(grey, width, height);
}

/** Greedy suppression: the strongest proposal of each overlapping group stays. */
export function suppressOverlaps(found: readonly ScoredBox[], limit = SAME_SIGN_IOU): ScoredBox[] {
  const kept: ScoredBox[] = [];
  for (const candidate of [...found].sort((a, b) => b.score - a.score))
    if (kept.every((other) => intersectionOverUnion(other.box, candidate.box) <= limit)) kept.push(candidate);
  return kept;
}

export async function findSigns(
  photo: DecodedPhoto,
  detector: tf.LayersModel,
  threshold = DETECTION_THRESHOLD,
): Promise<WallSign[]> {
  const plane = await detectorPlane(photo);
  const sx = photo.width / plane.width;
  const sy = photo.height / plane.height;
  const found = suppressOverlaps(decodeDetections(detector, plane, threshold));
  const boxes: Box[] = found.map(({ box }) => [
    Math.round(box[0] * sx),
    Math.round(box[1] * sy),
    Math.min(photo.width, Math.round(box[2] * sx)),
    Math.min(photo.height, Math.round(box[3] * sy)),
  ]);
  const places = readingOrder(boxes);
  return boxes
    .map((box, i) => ({ box, label: null, file: null, index: places[i]!.order }))
    .sort((a, b) => a.index - b.index);
}

/** Loads a detector folder once per process (after the backend is chosen). */
export class SignDetector {
  private loaded: Promise<tf.LayersModel> | null = null;

  constructor(private readonly dir: string) {}

  installed(): boolean {
    return hasModel(this.dir);
  }

  model(): Promise<tf.LayersModel> {
    if (!hasModel(this.dir))
      return Promise.reject(new AppError('NOT_FOUND', `No sign detector in ${this.dir}: finding signs needs one`));
    this.loaded ??= selectBackend().then(async (backend) => {
      if (backend.name === 'wasm') registerWasmTrainingKernels();
      return loadModelFromFolder(this.dir);
    });
    this.loaded.catch(() => (this.loaded = null));
    return this.loaded;
  }

  async find(photo: DecodedPhoto): Promise<WallSign[]> {
    return findSigns(photo, await this.model());
  }
}
