/**
 * Defaults shared by importFolders and rescan.
 */
import path from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { defaultConcurrency } from '../images/concurrency.js';

/** Rows per transaction: big enough to amortise the commit, small enough that a cancel or crash loses little. */
export const DEFAULT_BATCH_SIZE = 256;

export interface CommonImportOptions {
  /**
   * Thumbnail cache folder. Default: `thumbnails/` beside the catalog file (the
   * project layout); null to skip thumbnails (then nothing is decoded, only probed).
   */
  thumbnailsDir?: string | null;
  /** Rows committed per transaction (default 256). */
  batchSize?: number;
  /** Files processed at once (default: one per core). */
  concurrency?: number;
}

export function resolveThumbnailsDir(catalog: Catalog, value: string | null | undefined): string | null {
  if (value !== undefined) return value === null ? null : path.resolve(value);
  return catalog.file === ':memory:' ? null : path.join(path.dirname(path.resolve(catalog.file)), 'thumbnails');
}

export function resolveNumbers(options: CommonImportOptions): { batchSize: number; concurrency: number } {
  return {
    batchSize: Math.max(1, Math.trunc(options.batchSize ?? DEFAULT_BATCH_SIZE)),
    concurrency: Math.max(1, Math.trunc(options.concurrency ?? defaultConcurrency())),
  };
}
