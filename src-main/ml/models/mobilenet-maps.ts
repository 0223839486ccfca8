/**
 * Feature maps at the MobileNet cut (mobilenet-top.ts), several views per image,
 * computed once before fine-tuning the top. The lower network is frozen, so an
 * image's maps never change during a run; recomputing them every epoch would spend
 * about four fifths of each step on work whose answer is known.
 *
 * View 0 is the image as it is (validation uses only that). The others are what
 * photo augmentation would have drawn: the mirror image (unless mirroring is
 * forbidden, as in glyph projects), then random crops of 55–100 % of the area with
 * a little aspect jitter, resized back to 224 px, every other one mirrored.
 */
import * as tf from '@tensorflow/tfjs';
import { throwIfAborted } from '../../../src-shared/errors.js';
import type { Sample } from '../data/dataset.js';
import { Rng } from '../data/rng.js';
import { inferenceRunner } from '../inference/inference-graph.js';
import { decodeScaledBatch } from './mobilenet.js';

/** More views than this add little and cost a map each (25 KB per image at α 0.35). */
export const MAX_VIEWS = 6;
const MIN_CROP_AREA = 0.55;

export interface MapOptions {
  /** Views per image, 1 … MAX_VIEWS (1: the image as is). */
  views: number;
  mirror: boolean;
  seed: number;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface MapResult {
  /** views[v] holds samples.length maps (zeros for failed samples). */
  views: Float32Array[];
  failures: Array<{ index: number; id: string; error: string }>;
}

/** Normalised [y1, x1, y2, x2] crop boxes for one batch and view, drawn from `rng`. */
function cropBoxes(rng: Rng, count: number): number[][] {
  const boxes: number[][] = [];
  for (let i = 0; i < count; i++) {
    const area = rng.uniform(MIN_CROP_AREA, 1);
    const aspect = Math.exp(rng.uniform(-0.25, 0.25));
    const height = Math.min(1, Math.sqrt(area / aspect));
    const width = Math.min(1, Math.sqrt(area * aspect));
    const top = rng.uniform(0, 1 - height);
    const left = rng.uniform(0, 1 - width);
    boxes.push([top, left, top + height, left + width]);
  }
  return boxes;
}

/** View v of a batch of scaled images: as is, mirrored, or a crop (mirrored on odd views). */
function viewOf(images: tf.Tensor4D, view: number, mirror: boolean, rng: Rng): tf.Tensor4D {
  return tf.tidy(() => {
    if (view === 0) return images; // made outside this tidy, so it survives it
    const count = images.shape[0];
    const cropped =
      view === 1 && mirror
        ? images
        : tf.image.cropAndResize(
            images,
            cropBoxes(rng, count),
            Array.from({ length: count }, (_, i) => i),
            [224, 224],
          );
    return mirror && view % 2 === 1 ? tf.reverse(cropped, 2) : cropped;
  });
}

/** Runs `lower` (image → maps at the cut) over every sample and view. */
export async function computeMaps(lower: tf.LayersModel, samples: Sample[], options: MapOptions): Promise<MapResult> {
  const batchSize = options.batchSize ?? 16;
  const viewCount = Math.max(1, Math.min(MAX_VIEWS, Math.floor(options.views)));
  const mapShape = (lower.outputs[0]!.shape as number[]).slice(1);
  const mapSize = mapShape.reduce((a, b) => a * b, 1);
  const views = Array.from({ length: viewCount }, () => new Float32Array(samples.length * mapSize));
  const failures: MapResult['failures'] = [];
  const rng = new Rng(options.seed);
  const graph = inferenceRunner(lower);
  const pixels = new Float32Array(batchSize * 224 * 224 * 3);
  try {
    for (let start = 0; start < samples.length; start += batchSize) {
      throwIfAborted(options.signal);
      const chunk = Array.from({ length: Math.min(batchSize, samples.length - start) }, (_, k) => start + k);
      const rows = await decodeScaledBatch(samples, chunk, pixels, failures);
      if (rows.length > 0) {
        const images = tf.tensor4d(pixels.subarray(0, rows.length * 224 * 224 * 3), [rows.length, 224, 224, 3]);
        try {
          for (let v = 0; v < viewCount; v++) {
            const maps = tf.tidy(() => graph.predict(viewOf(images, v, options.mirror, rng)));
            const data = (await maps.data()) as Float32Array;
            maps.dispose();
            rows.forEach((index, k) => views[v]!.set(data.subarray(k * mapSize, (k + 1) * mapSize), index * mapSize));
          }
        } finally {
          images.dispose();
        }
      }
      options.onProgress?.(Math.min(samples.length, start + batchSize), samples.length);
      await new Promise((resolve) => setImmediate(resolve)); // let cancel and progress messages through
    }
  } finally {
    graph.dispose();
  }
  return { views, failures };
}
