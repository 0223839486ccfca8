/**
 * Batch sources: what the training loop pulls model inputs from, one batch at a
 * time into buffers it reuses (no per-batch allocation on the JS side).
 *
 * - `ImageBatchSource`: pixels from a PixelStore, optionally augmented, scaled with
 *   the model's preprocessing.
 * - `FeatureBatchSource`: precomputed vectors (frozen-backbone embeddings).
 * - `ViewBatchSource`: precomputed feature maps, several views of each example.
 */
import { augmentInto, isIdentity, type AugmentOptions } from './augment.js';
import type { PixelFormat } from './decode.js';
import type { PixelStore } from './pixel-store.js';
import { Rng } from './rng.js';

/** How 8-bit pixels become model inputs: value · scale + offset. */
export interface Preprocessing {
  scale: number;
  offset: number;
}

/** [0, 255] → [0, 1] for the CNN presets. */
export const UNIT_SCALE: Preprocessing = { scale: 1 / 255, offset: 0 };
/** [0, 255] → [-1, 1], what MobileNetV2 was trained with. */
export const SIGNED_SCALE: Preprocessing = { scale: 1 / 127.5, offset: -1 };

export interface BatchSource {
  /** Shape of one example, without the batch axis. */
  readonly exampleShape: number[];
  /** Number of examples. */
  readonly size: number;
  /** Writes examples `ids` into `x` (ids.length · exampleSize floats). */
  fill(ids: ArrayLike<number>, x: Float32Array, augment: boolean): void;
  /** Random state to store in a checkpoint (augmentation draws). */
  getRandomState(): number;
  setRandomState(state: number): void;
}

export function exampleSize(source: BatchSource): number {
  return source.exampleShape.reduce((a, b) => a * b, 1);
}

export class ImageBatchSource implements BatchSource {
  readonly exampleShape: number[];
  readonly size: number;
  private readonly bytes: number;
  private scratch = new Uint8Array(0);
  private readonly rng: Rng;

  /** `rows[i]` is the PixelStore index of this source's example i. */
  constructor(
    private readonly store: PixelStore,
    private readonly rows: ArrayLike<number>,
    private readonly preprocessing: Preprocessing,
    private readonly augmentation: AugmentOptions | null,
    seed: number,
  ) {
    const format: PixelFormat = store.format;
    this.exampleShape = [format.height, format.width, format.channels];
    this.size = rows.length;
    this.bytes = store.bytesPerImage;
    this.rng = new Rng(seed);
  }

  fill(ids: ArrayLike<number>, x: Float32Array, augment: boolean): void {
    const { scale, offset } = this.preprocessing;
    const [height, width, channels] = this.exampleShape as [number, number, number];
    const warp = augment && this.augmentation !== null && !isIdentity(this.augmentation);
    if (this.scratch.length < this.bytes) this.scratch = new Uint8Array(this.bytes);
    const pixels = this.scratch;
    for (let b = 0; b < ids.length; b++) {
      this.store.read(this.rows[ids[b]!]!, pixels, 0);
      const base = b * this.bytes;
      if (warp) {
        augmentInto(pixels, 0, x, base, height, width, channels, this.augmentation!, this.rng);
        for (let i = base; i < base + this.bytes; i++) x[i] = x[i]! * scale + offset;
      } else {
        for (let i = 0; i < this.bytes; i++) x[base + i] = pixels[i]! * scale + offset;
      }
    }
  }

  getRandomState(): number {
    return this.rng.getState();
  }

  setRandomState(state: number): void {
    this.rng.setState(state);
  }
}

export class FeatureBatchSource implements BatchSource {
  readonly exampleShape: number[];
  readonly size: number;

  /** `features` holds `size` rows of `dim` floats. */
  constructor(
    private readonly features: Float32Array,
    private readonly dim: number,
  ) {
    this.exampleShape = [dim];
    this.size = features.length / dim;
  }

  fill(ids: ArrayLike<number>, x: Float32Array): void {
    const dim = this.dim;
    for (let b = 0; b < ids.length; b++) {
      const row = ids[b]!;
      x.set(this.features.subarray(row * dim, (row + 1) * dim), b * dim);
    }
  }

  getRandomState(): number {
    return 0;
  }

  setRandomState(): void {}
}

/**
 * Precomputed feature maps with several views of each example (the image as is,
 * mirrored, cropped …), computed once. Augmented batches draw one view per example;
 * plain batches (validation) always take the first.
 */
export class ViewBatchSource implements BatchSource {
  readonly size: number;
  private readonly dim: number;
  private readonly rng: Rng;

  /** Each of `views` holds `size` examples of `exampleShape`, in the same order. */
  constructor(
    private readonly views: Float32Array[],
    readonly exampleShape: number[],
    seed: number,
  ) {
    if (views.length === 0) throw new Error('ViewBatchSource needs at least one view');
    this.dim = exampleShape.reduce((a, b) => a * b, 1);
    this.size = views[0]!.length / this.dim;
    if (views.some((view) => view.length !== views[0]!.length)) throw new Error('every view must hold every example');
    this.rng = new Rng(seed);
  }

  fill(ids: ArrayLike<number>, x: Float32Array, augment: boolean): void {
    const dim = this.dim;
    for (let b = 0; b < ids.length; b++) {
      const row = ids[b]!;
      const view = augment && this.views.length > 1 ? this.views[this.rng.int(this.views.length)]! : this.views[0]!;
      x.set(view.subarray(row * dim, (row + 1) * dim), b * dim);
    }
  }

  getRandomState(): number {
    return this.rng.getState();
  }

  setRandomState(state: number): void {
    this.rng.setState(state);
  }
}
