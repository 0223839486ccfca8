/**
 * Shared shapes for the train/validation/test split algorithms. Everything is
 * plain data (arrays and records, no Maps in results) so a result can cross
 * IPC or the web socket as JSON.
 */
import { AppError } from '../errors.js';

export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

export type SplitCounts = Record<Split, number>;

export interface SplitItem {
  id: number;
  /** The item's class; null means unlabeled, which every algorithm ignores. */
  classKey: string | null;
  /** Items with the same group key always land in the same split (see group-keys.ts). */
  groupKey?: string | null;
  /** A split the user pinned: the item stays there and counts toward it. */
  locked?: Split | null;
  /** Where the item is now, only used to report how many items a re-split moves. */
  current?: Split | null;
}

/** Relative sizes; they need not sum to 1 (70/15/15 works as well as 0.7/0.15/0.15). */
export type SplitRatios = SplitCounts;

export const DEFAULT_RATIOS: SplitRatios = { train: 0.7, validation: 0.15, test: 0.15 };

/** A number, or any string (hashed), so a project can keep a readable seed. */
export type SplitSeed = number | string;

export interface SplitOptions {
  ratios?: SplitRatios;
  seed: SplitSeed;
}

export interface SplitAssignment {
  id: number;
  split: Split;
}

export interface ClassSplitSummary {
  classKey: string;
  total: number;
  counts: SplitCounts;
  /** Locked items among `counts`. */
  locked: SplitCounts;
}

/** A class that ended up with no image in some split whose ratio is not zero. */
export interface NoCoverage {
  classKey: string;
  total: number;
  missing: Split[];
}

export interface ClassDeviation {
  classKey: string;
  /** Largest |actual − requested| share over the splits, as a fraction of the class. */
  maxAbs: number;
  /** The same in images: largest |count − total × ratio|. */
  maxAbsImages: number;
}

export interface SplitDeviation {
  /** Actual share minus requested share, per split, over all labelled items. */
  overall: SplitCounts;
  overallMaxAbs: number;
  perClass: ClassDeviation[];
  /** Worst class, as a fraction (dominated by small classes) and in images. */
  perClassMaxAbs: number;
  perClassMaxAbsImages: number;
}

export type SplitWarningKind =
  | 'imbalance' // a class with more than 10× the images of another
  | 'no-coverage' // some classes miss a split (see noCoverage)
  | 'unlabeled-ignored'
  | 'locked-group-conflict' // a group whose locked items sit in different splits
  | 'test-excluded'; // assignNewItems kept new items out of test

export interface SplitWarning {
  kind: SplitWarningKind;
  message: string;
  classKeys?: string[];
}

export interface SplitResult {
  /** One entry per labelled item, sorted by id. */
  assignments: SplitAssignment[];
  perClass: ClassSplitSummary[];
  totals: SplitCounts;
  noCoverage: NoCoverage[];
  deviation: SplitDeviation;
  warnings: SplitWarning[];
  /** Labelled items whose `current` split differs from the new one. */
  moved: number;
  /** Unlabeled items left out. */
  ignored: number;
  /** The ratios used, normalised to sum to 1. */
  ratios: SplitRatios;
}

export function emptyCounts(): SplitCounts {
  return { train: 0, validation: 0, test: 0 };
}

/** Validates ratios and scales them to sum to 1. */
export function normaliseRatios(ratios: SplitRatios = DEFAULT_RATIOS): SplitRatios {
  for (const split of SPLITS) {
    const value = ratios[split];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new AppError('INVALID_INPUT', `Split ratio for ${split} must be a number ≥ 0`);
    }
  }
  const sum = ratios.train + ratios.validation + ratios.test;
  if (sum <= 0) throw new AppError('INVALID_INPUT', 'At least one split ratio must be above 0');
  if (ratios.train <= 0) throw new AppError('INVALID_INPUT', 'The train ratio must be above 0');
  return { train: ratios.train / sum, validation: ratios.validation / sum, test: ratios.test / sum };
}

export function isSplit(value: unknown): value is Split {
  return value === 'train' || value === 'validation' || value === 'test';
}
