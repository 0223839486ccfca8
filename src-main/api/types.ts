/**
 * Plain data types that cross the API. No runtime code, no Node imports.
 */
import type { ApiErrorPayload } from '../errors.js';
import type { TaskProgress } from '../tasks/progress.js';

export type { TaskProgress } from '../tasks/progress.js';

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
}

export interface ProjectSummary {
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
