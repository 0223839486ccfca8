/** Catalog image rows for tests that need rows, not files. */
import type { NewImage } from '../../src-main/catalog/index.js';

/** A 1×1 PNG row at `relPath` under root `rootId`; `n` makes its content hash unique. */
export function imageRow(rootId: number, relPath: string, n: number, extra: Partial<NewImage> = {}): NewImage {
  return {
    rootId,
    relPath,
    hash: `h${n}`,
    width: 1,
    height: 1,
    channels: 1,
    format: 'png',
    bytes: 1,
    mtimeMs: 1,
    ...extra,
  };
}
