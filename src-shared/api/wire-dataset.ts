/**
 * Split and export shapes that cross the API (the split algorithm's result, the project's rule).
 * Pure TypeScript: the renderer, the preload and the main process all import it.
 */
import type { Split } from '../catalog-records.js';

export type SplitCounts = Record<Split, number>;

/** Relative sizes; they need not sum to 1 (70/15/15 works as well as 0.7/0.15/0.15). */
export type SplitRatios = SplitCounts;

/** A number, or any string (hashed), so a project can keep a readable seed. */
export type SplitSeed = number | string;

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
  | 'test-excluded';

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

export type GroupKeyMode =
  /** The image's parent folder, e.g. `Preprocessed/3` for `Preprocessed/3/030001_D58.png`. */
  | { kind: 'folder' }
  /** The first capture group (or the whole match) of `pattern`, on the file name or the whole path. */
  | { kind: 'regex'; pattern: string; flags?: string; on?: 'name' | 'path' };

export interface SplitRule {
  ratios: SplitRatios;
  seed: SplitSeed;
  /** What keeps images together (a picture, a folder), or null for a plain stratified split. */
  group: GroupKeyMode | null;
  /** The test set is frozen: re-splits keep it, and it is locked as soon as it exists. */
  testLocked: boolean;
  /** When a split was last applied with this rule; null when the project was never split by it. */
  appliedAt: number | null;
}

export interface SplitPlan extends Omit<SplitResult, 'assignments'> {
  grouped: boolean;
  /** `name`: the group as people know it (a folder: its root's name and the path inside; else the key). */
  groups: Array<{ groupKey: string; name: string; split: string; size: number }>;
}

export interface SplitOverview {
  classes: Array<{ className: string; total: number; counts: SplitCounts & { none: number }; noCoverage: boolean }>;
  totals: SplitCounts & { none: number };
  lockedTest: number;
  /** Whether the test set is locked (or will be, as soon as a split creates it). */
  testLocked: boolean;
  /** The project's split rule: what the last split used, and what newly labelled images follow. */
  rule: SplitRule;
  warnings: Array<{ kind: string; message: string; classNames?: string[] }>;
  crossSplitDuplicates: number;
  /**
   * Folders (pictures, walls, shoots) the labelled images come from. With more than one,
   * crops of one picture look alike: the Splits view proposes keeping each folder whole.
   */
  folders: number;
}

export type ExportMode = 'copy' | 'link' | 'symlink';

export interface ExportReport {
  outDir: string;
  mode: ExportMode;
  exported: number;
  perSplit: Record<string, number>;
  /** Labelled images left out because they have no split. */
  unsplit: number;
  /** Names changed to avoid two files with the same name in one folder. */
  renamed: number;
  errors: Array<{ path: string; reason: string }>;
}
