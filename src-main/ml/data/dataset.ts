/**
 * The dataset handed to training: classes plus labelled samples, independent of how
 * the project stores them (SQL, folders, tests). Everything here is plain data so a
 * dataset can be posted to a worker thread.
 */
import { Rng } from './rng.js';
import type { ClassWeightMode } from '../../../src-shared/api/wire-training.js';
export type { ClassWeightMode } from '../../../src-shared/api/wire-training.js';

/** Where a sample's pixels come from. */
export type PixelSource =
  /** An image file sharp can decode (PNG, JPEG, WebP, TIFF, …). */
  | { kind: 'file'; path: string }
  /** Raw interleaved 8-bit pixels (tests, generated data, already-decoded images). */
  | { kind: 'raw'; data: Uint8Array; width: number; height: number; channels: 1 | 3 | 4 };

export interface Sample {
  /** The caller's id for the image (reported back for failures and predictions). */
  id: string;
  /** Index into `Dataset.classes`. */
  label: number;
  source: PixelSource;
  /**
   * A content hash of the image, when the caller has one: it keys the decoded-pixel
   * cache and the embedding cache, so renamed or moved files are not decoded again.
   */
  hash?: string;
}

export interface Dataset {
  classes: string[];
  train: Sample[];
  validation: Sample[];
}

/**
 * Per-class loss weights. 'balanced' is n / (k · count_c) over the k classes that
 * have samples (sklearn's rule), so a class with half the average count weighs 2;
 * classes without samples get 0 (they never appear in a batch anyway).
 */
export function classWeights(labels: ArrayLike<number>, numClasses: number, mode: ClassWeightMode): Float32Array {
  const weights = new Float32Array(numClasses).fill(1);
  if (Array.isArray(mode)) {
    if (mode.length !== numClasses) throw new Error(`classWeights: expected ${numClasses} weights, got ${mode.length}`);
    weights.set(mode);
    return weights;
  }
  if (mode === 'none') return weights;
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  const present = counts.filter((c) => c > 0).length;
  for (let c = 0; c < numClasses; c++) weights[c] = counts[c]! > 0 ? labels.length / (present * counts[c]!) : 0;
  return weights;
}

/**
 * A stratified random split: within each class, a `validationFraction` share of
 * samples (rounded) goes to validation, but a class keeps at least one training
 * sample, so a class seen once is never validation-only.
 */
export function stratifiedSplit<T extends { label: number }>(
  items: T[],
  validationFraction: number,
  seed: number,
): { train: T[]; validation: T[] } {
  const rng = new Rng(seed);
  const byClass = new Map<number, T[]>();
  for (const item of items) {
    const list = byClass.get(item.label) ?? [];
    list.push(item);
    byClass.set(item.label, list);
  }
  const train: T[] = [];
  const validation: T[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const list = rng.shuffle(byClass.get(label)!);
    const take = Math.min(list.length - 1, Math.round(list.length * validationFraction));
    validation.push(...list.slice(0, take));
    train.push(...list.slice(take));
  }
  return { train, validation };
}

/** Throws when labels are out of range or a list is empty: caught before any decoding. */
export function validateDataset(dataset: Dataset): void {
  if (dataset.classes.length < 2) throw new Error('training needs at least two classes');
  if (dataset.train.length === 0) throw new Error('training needs at least one training image');
  for (const sample of [...dataset.train, ...dataset.validation]) {
    if (!Number.isInteger(sample.label) || sample.label < 0 || sample.label >= dataset.classes.length) {
      throw new Error(`sample ${sample.id} has label ${sample.label}, outside 0…${dataset.classes.length - 1}`);
    }
  }
}
