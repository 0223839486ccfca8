/**
 * Loads resources/gardiner/signs.json for tests in Node. The renderer imports the
 * JSON through Vite; both hand the parsed table to the pure functions in
 * src-shared/gardiner/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourcesDir } from '../../src-main/app/paths.js';
import { AppError } from '../../src-shared/errors.js';
import { isGardinerSignTable, type GardinerSignTable } from '../../src-shared/gardiner/gardiner.js';

export function gardinerSignsPath(): string {
  return join(resourcesDir(), 'gardiner', 'signs.json');
}

let cached: { path: string; table: GardinerSignTable } | undefined;

/** Reads and validates the table once per path; later calls return the same object. */
export function loadGardinerSigns(path: string = gardinerSignsPath()): GardinerSignTable {
  if (cached?.path === path) return cached.table;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    // A missing or unparsable resource is a broken install, not bad user input.
    throw new AppError('INTERNAL', `Cannot read the Gardiner sign table at ${path}`, { cause: error });
  }
  if (!isGardinerSignTable(parsed)) {
    throw new AppError('INTERNAL', `The Gardiner sign table at ${path} does not have the expected shape`);
  }
  cached = { path, table: parsed };
  return parsed;
}
