/**
 * Plain data types that cross the API. No runtime code, no Node imports.
 */
import type { ApiErrorPayload } from '../errors.js';
import type { TaskProgress } from '../progress.js';

export type { TaskProgress } from '../progress.js';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

export interface BackendAttempt {
  name: BackendName;
  error: string;
}

export interface BackendInfo {
  /** The tfjs backend in use. */
  name: BackendName;
  /** The npm package that provided it. */
  packageName: string;
  version: string;
  /** Human description of where the maths runs, e.g. "CPU · WebAssembly SIMD · 1 thread". */
  device: string;
  /** True when this backend is slow enough for training that the user must be told. */
  slowForTraining: boolean;
  /** Backends tried before this one and why each was passed over. */
  skipped: BackendAttempt[];
  /** Set when the user forced this backend instead of the automatic choice. */
  forced: boolean;
  /** The GPU adapter the webgpu backend runs on; `software` marks a CPU rasteriser (llvmpipe, SwiftShader…). */
  adapter?: { vendor: string; architecture: string; description: string; software: boolean };
}

export interface ProjectSummary {
  /** The catalog's own id: image URLs carry it, so two projects never share a cached picture. */
  id: string;
  dir: string;
  name: string;
  catalogFile: string;
}

export interface AppInfo {
  name: string;
  version: string;
  transport: 'electron' | 'web' | 'cli';
  platform: string;
  nodeVersion: string;
  electronVersion: string | null;
  project: ProjectSummary;
  backend: BackendInfo | null;
}

export type TaskState = 'running' | 'done' | 'failed' | 'cancelled';

export interface TaskInfo {
  id: string;
  kind: string;
  title: string;
  state: TaskState;
  startedAt: number;
  finishedAt: number | null;
  progress: TaskProgress;
  result?: unknown;
  error?: ApiErrorPayload;
}

/** Exactly one of done / failed / cancelled follows `started` for every task. */
export type TaskEvent =
  | { type: 'started'; task: TaskInfo }
  | { type: 'progress'; taskId: string; progress: TaskProgress }
  | { type: 'done'; taskId: string; result: unknown }
  | { type: 'failed'; taskId: string; error: ApiErrorPayload }
  | { type: 'cancelled'; taskId: string; result?: unknown };

// --- catalog and import shapes (defined next to the code that produces them) ----------
export type {
  CatalogStats,
  ClassRecord,
  ImageRecord,
  LabelOrigin,
  OperationRecord,
  RootRecord,
  Split,
  UndoResult,
} from '../catalog-records.js';
export type { ClassCounts, GridItem, GridPage, ImageFilter, LabelChangeResult } from './wire-library.js';
export type { ImportPreview, ImportUndoResult, ReportItem, StoredReport } from './wire-import.js';
import type { ImportPreview } from './wire-import.js';

/** The import dialog's preview, with what it would add to this project. */
export interface ImportPreviewResult extends ImportPreview {
  /** Classes the import would create (its classes not in the project yet). */
  newClasses: number;
}

/** What a project remembers of its last import, so the dialog opens as it was left (per project). */
export interface ImportSettings {
  roots: string[];
  labelSource:
    { kind: 'folders' } | { kind: 'filename'; pattern: string } | { kind: 'csv'; file: string } | { kind: 'none' };
  duplicates: 'skip' | 'keep';
}

import type { ImageRecord, LabelOrigin, OperationRecord, Split } from '../catalog-records.js';

export interface LabelHistoryEntry {
  at: number;
  action: string;
  fromClassId: number | null;
  toClassId: number | null;
  source: LabelOrigin | null;
}

export interface ImageDetails {
  image: ImageRecord;
  /** Where the file is on disk (shown to the user; never used by the renderer to load it). */
  absolutePath: string;
  classId: number | null;
  labelSource: LabelOrigin | null;
  split: Split | null;
  splitLocked: boolean;
  history: LabelHistoryEntry[];
  predictions: Array<{
    runId: number;
    classId: number | null;
    confidence: number;
    topK: Array<{ classId: number; p: number }>;
  }>;
}

export interface UndoState {
  undo: OperationRecord | null;
  redo: OperationRecord | null;
}

export type { ExportReport, SplitOverview, SplitPlan, SplitRule } from './wire-dataset.js';

import type { PresetId } from './wire-training.js';
import type { EpochRecord, RunRecord } from '../catalog-records.js';
export type { EpochRecord, RunRecord } from '../catalog-records.js';
export type { EpochEvent, PresetId, RunMetrics, TrainOptions, TrainSettings } from './wire-training.js';

export interface PresetSummary {
  id: PresetId;
  title: string;
  description: string;
  /** Recommended for this project's images. */
  recommended: boolean;
  defaults: PresetDefaults;
  /** MobileNet only: the defaults when the whole network is fine-tuned (fineTune 'all'). */
  wholeNetworkDefaults: PresetDefaults | null;
}

export interface PresetDefaults {
  epochs: number;
  batchSize: number;
  learningRate: number;
  learningRateSchedule: 'plateau' | 'cosine';
  labelSmoothing: number;
  /** Patience of early stopping, or null when the preset trains every epoch. */
  earlyStoppingPatience: number | null;
  /** Mirror training images: photos fine-tuned whole, never a glyph project (see isGlyphProject). */
  mirror: boolean;
}

export interface RunSummary extends RunRecord {
  /** A checkpoint exists, so an interrupted or cancelled run can continue. */
  resumable: boolean;
  /** A task is training this run now. */
  active: boolean;
}

export interface RunDetails extends RunSummary {
  epochs: EpochRecord[];
}

export type { ConfidenceBins, Evaluation, RunEvaluation } from './wire-evaluation.js';

export interface PredictionItem {
  imageId: number;
  relPath: string;
  /** Content hash: image URLs carry it. */
  hash: string;
  labelClassId: number | null;
  predictedClassId: number | null;
  confidence: number;
  topK: Array<{ classId: number; p: number }>;
}

export interface DroppedImageResult {
  name: string;
  run: { id: number; name: string };
  top: Array<{ label: string; probability: number }>;
  milliseconds: number;
}

export type {
  WallBox,
  WallDetails,
  WallExport,
  WallExportFormat,
  WallFacing,
  WallGuess,
  WallReadingDirection,
  WallSignView,
  WallSummary,
} from './wire-walls.js';

export type {
  SweepDetails,
  SweepParameter,
  SweepRange,
  SweepSpace,
  SweepSpec,
  SweepStatus,
  SweepSummary,
  SweepTrial,
  SweepValue,
  TrialStatus,
} from './wire-sweeps.js';

export type { ComparedRun, ComparedSplit, RunComparison } from './wire-compare.js';
