/**
 * The one API contract between the renderer and the main process.
 *
 * Every call the renderer can make is listed in `apiMethods` (assembled from one
 * file per area in ./methods/) with a zod schema for its input (validated at the boundary) and a phantom type for its output. The
 * main-process handlers, the Electron preload bridge and the renderer's clients are
 * all typed from this object, so adding, renaming or reshaping a call without
 * updating every side fails `npm run typecheck`.
 *
 * This file must stay free of Node and Electron imports: the renderer imports it
 * (types only) and the preload bundles it.
 */
import type { z } from 'zod';
import type { ApiErrorPayload } from '../errors.js';
import type { BackendInfo, EpochEvent, ProjectSummary, RunSummary, TaskEvent } from './types.js';
import { appMethods } from './methods/app-methods.js';
import { datasetMethods } from './methods/dataset-methods.js';
import { importMethods } from './methods/import-methods.js';
import { libraryMethods } from './methods/library-methods.js';
import { predictMethods } from './methods/predict-methods.js';
import { sweepMethods } from './methods/sweep-methods.js';
import { trainingMethods } from './methods/training-methods.js';
import { wallMethods } from './methods/wall-methods.js';
import type { CatalogChange } from './methods/define.js';

export type { CatalogChange, MethodEffects } from './methods/define.js';

export type { ApiErrorPayload } from '../errors.js';
export * from './types.js';

export const apiMethods = {
  ...appMethods,
  ...libraryMethods,
  ...importMethods,
  ...datasetMethods,
  ...trainingMethods,
  ...sweepMethods,
  ...predictMethods,
  ...wallMethods,
} as const;

export type ApiMethods = typeof apiMethods;
export type ApiMethodName = keyof ApiMethods;
/** What a caller passes (defaults may be omitted). */
export type ApiInput<K extends ApiMethodName> = z.input<ApiMethods[K]['input']>;
/** What a handler receives after validation (defaults filled in). */
export type ApiParsedInput<K extends ApiMethodName> = z.output<ApiMethods[K]['input']>;
export type ApiOutput<K extends ApiMethodName> = ApiMethods[K]['output'];

/** The renderer's view of the API: one async function per method. */
export type SeshatApi = {
  [K in ApiMethodName]: (input: ApiInput<K>) => Promise<ApiOutput<K>>;
};

/** The main process's implementation: one handler per method, given parsed input. */
export type ApiHandlers = {
  [K in ApiMethodName]: (input: ApiParsedInput<K>) => Promise<ApiOutput<K>> | ApiOutput<K>;
};

/** Every result crosses a transport in this envelope, so errors keep their code. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorPayload };

/** Events pushed from main to every renderer. */
export type ApiEvent =
  | { type: 'task'; event: TaskEvent }
  | { type: 'backend'; backend: BackendInfo }
  | { type: 'project'; project: ProjectSummary }
  /** The project changed (a call or a task that ended changed it, in this window or another): re-read. */
  | { type: 'catalog'; change: CatalogChange }
  /** A training run was created or changed state. */
  | { type: 'run'; run: RunSummary }
  /** One finished epoch of a run being trained. */
  | { type: 'training'; runId: number; epoch: EpochEvent };

/** Image variants served by catalog id only (never by a path the renderer chooses). */
/** A catalog image's thumbnail or original; `wall-photo` is a wall's photograph, by wall id. */
export type ImageVariant = 'thumb' | 'full' | 'wall-photo';

export { IMAGE_URL_HASH_LENGTH, imageUrlPath, type ImageRef } from '../image-url.js';
export { reportItemOutcome, UNAS_FILENAME_PATTERN } from './wire-import.js';
export { CONFIDENCE_BINS, thresholdPrecision } from './wire-evaluation.js';
export { ensembleByDefault, FINE_TUNE_MODES, MAX_LABEL_SMOOTHING, PRESET_IDS } from './wire-training.js';
export type { FineTuneMode } from './wire-training.js';

/** Names of the Electron IPC channels; the web transport uses HTTP routes instead. */
export const IPC_CHANNELS = { call: 'seshat:call', event: 'seshat:event' } as const;

/** The custom scheme that serves the renderer and catalog images in Electron. */
export const APP_SCHEME = 'seshat';

/** The bridge the preload exposes as `window.seshat` (named functions only). */
export interface SeshatBridge {
  api: SeshatApiEnvelopes;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  platform: string;
}

/** The raw bridge functions return envelopes; the renderer client unwraps them. */
export type SeshatApiEnvelopes = {
  [K in ApiMethodName]: (input: ApiInput<K>) => Promise<ApiResult<ApiOutput<K>>>;
};

export const apiMethodNames = Object.keys(apiMethods) as ApiMethodName[];
