/**
 * Shared shapes for the train/validation/test split algorithms. Everything is
 * plain data (arrays and records, no Maps in results) so a result can cross
 * IPC or the web socket as JSON.
 */
import { AppError } from '../../src-shared/errors.js';
import type { SplitCounts, SplitRatios, SplitSeed } from '../../src-shared/api/wire-dataset.js';
export type {
  SplitCounts,
  SplitRatios,
  SplitSeed,
  SplitAssignment,
  ClassSplitSummary,
  NoCoverage,
  ClassDeviation,
  SplitDeviation,
  SplitWarningKind,
  SplitWarning,
  SplitResult,
} from '../../src-shared/api/wire-dataset.js';

export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

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

export const DEFAULT_RATIOS: SplitRatios = { train: 0.7, validation: 0.15, test: 0.15 };

export interface SplitOptions {
  ratios?: SplitRatios;
  seed: SplitSeed;
}

// assignNewItems kept new items out of test

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
