/** Where the shared Unas walls are, for tests that skip, saying so, where they are not. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const UNAS_ROOT = resolve(import.meta.dirname, '../../../../shared/datasets/unas-glyphs');

export function unasSkip(): string | false {
  return existsSync(UNAS_ROOT) ? false : `dataset not found at ${UNAS_ROOT}`;
}
