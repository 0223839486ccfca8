/**
 * What the wall services work in: the open project's catalog, its folder (crops are cut to
 * `walls/<photo>/`) and its thumbnail cache. The CLI and the API handlers build one each.
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../../src-shared/errors.js';
import { isGardinerSignTable, type GardinerSignTable } from '../../src-shared/gardiner/gardiner.js';
import type { Catalog } from '../catalog/catalog.js';
import type { WallRecord } from '../catalog/walls.js';
import { readCatalogedFile } from '../images/cataloged-file.js';
import type { WallSign } from './boxes.js';
import { decodePhoto, type DecodedPhoto } from './crops.js';

export interface WallWorkspace {
  catalog: Catalog;
  projectDir: string;
  thumbnailsDir: string | null;
  /** Proposes sign boxes on a photo (the learned detector); without it a photo with no boxes comes in empty. */
  findSigns?: (photo: DecodedPhoto) => Promise<WallSign[]>;
}

/** The photo of a wall, decoded, only while it is the file that was imported. */
export async function decodeWallPhoto(wall: WallRecord): Promise<DecodedPhoto> {
  if (wall.photoHash === null || wall.photoBytes === null) return decodePhoto(wall.photoPath);
  const bytes = await readCatalogedFile(wall.photoPath, {
    id: wall.id,
    hash: wall.photoHash,
    bytes: wall.photoBytes,
    what: `The photo of wall ${wall.id}`,
  });
  return decodePhoto(wall.photoPath, bytes);
}

export async function loadSignTable(file: string): Promise<GardinerSignTable> {
  let table: unknown;
  try {
    table = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new AppError('INTERNAL', `${file}: the sign table cannot be read (${(error as Error).message})`);
  }
  if (!isGardinerSignTable(table)) throw new AppError('INTERNAL', `${file} is not a sign table`);
  return table;
}
