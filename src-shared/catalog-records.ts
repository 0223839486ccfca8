/**
 * Plain data shapes the catalog reads and writes. No runtime code: the API layer
 * and the renderer may import these as types.
 */

import type { RunMetrics, TrainSettings } from './api/wire-training.js';

export type Split = 'train' | 'validation' | 'test';
export const SPLITS: readonly Split[] = ['train', 'validation', 'test'];

/** Who set an image's current label. */
export type LabelOrigin = 'human' | 'import' | 'model';
export const LABEL_ORIGINS: readonly LabelOrigin[] = ['human', 'import', 'model'];

export type ImageStatus = 'present' | 'missing';

export interface RootRecord {
  id: number;
  /** Absolute folder path as the user chose it. */
  path: string;
  /** JSON of the import label source last used for this root (rescan labels new files the same way). */
  labelSource: string | null;
  addedAt: number;
  scannedAt: number | null;
}

export interface ImageRecord {
  id: number;
  rootId: number;
  /** Path relative to the root, always with `/` separators so catalogs move between OSes. */
  relPath: string;
  /** sha256 of the file's bytes, lowercase hex. */
  hash: string;
  width: number;
  height: number;
  channels: number;
  format: string;
  bytes: number;
  mtimeMs: number;
  status: ImageStatus;
  importedAt: number;
}

export interface ClassRecord {
  id: number;
  name: string;
  description: string;
  /** CSS colour such as `#1f77b4`, or null for the UI's automatic palette. */
  colour: string | null;
  /** Single key that assigns this class in the labelling view, unique among live classes. */
  hotkey: string | null;
  sortOrder: number;
  archived: boolean;
  createdAt: number;
}

export interface LabelRecord {
  imageId: number;
  classId: number;
  source: LabelOrigin;
  updatedAt: number;
}

export interface SplitRecord {
  imageId: number;
  split: Split;
  /** Locked splits (e.g. from a train/ validation/ folder layout) are kept by automatic re-splitting. */
  locked: boolean;
}

/** One image to add in a batch, with what the import learned about its label and split. */
export interface NewImage {
  rootId: number;
  relPath: string;
  hash: string;
  width: number;
  height: number;
  channels: number;
  format: string;
  bytes: number;
  mtimeMs: number;
  /** Class name; the class is created when it does not exist yet. */
  label?: string | undefined;
  split?: Split | undefined;
  splitLocked?: boolean | undefined;
}

export type OperationKind = 'label' | 'merge' | 'delete-class' | 'import' | 'rescan';

export interface OperationRecord {
  id: number;
  kind: OperationKind;
  description: string;
  undoable: boolean;
  state: 'done' | 'undone' | 'discarded';
  createdAt: number;
}

/** What an undo or redo did. */
export interface UndoResult {
  operation: OperationRecord;
  /** Images whose label was put back. */
  changed: number;
  /** Images skipped because something else relabelled them since (their label is left alone). */
  conflicts: number;
}

export interface CatalogStats {
  images: number;
  present: number;
  missing: number;
  classes: number;
  archivedClasses: number;
  labelled: number;
  unlabelled: number;
  bySplit: Record<Split | 'none', number>;
  byOrigin: Record<LabelOrigin, number>;
  roots: number;
}

/** `interrupted`: its trainer died (the app was killed); resumable from its last checkpoint. */
export type RunStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface RunRecord {
  id: number;
  name: string;
  preset: string;
  /** What was asked for (the Train view's settings, or the CLI's flags). */
  options: TrainSettings | null;
  datasetHash: string | null;
  status: RunStatus;
  metrics: RunMetrics | null;
  weightsPath: string | null;
  createdAt: number;
  finishedAt: number | null;
}

export interface EpochRecord {
  runId: number;
  epoch: number;
  /** e.g. { loss, accuracy, valLoss, valAccuracy } */
  metrics: Record<string, number>;
  at: number;
}

export interface PredictionInput {
  imageId: number;
  /** Top-1 class, or null when the model's class no longer exists. */
  classId: number | null;
  confidence: number;
  topK: Array<{ classId: number; p: number }>;
}

export interface PredictionRecord extends PredictionInput {
  runId: number;
  at: number;
}
