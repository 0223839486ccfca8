/**
 * A wall's crops on disk: one framed PNG per sign in a folder of its own (so the folder
 * is the wall, and the picture-grouped split keeps a wall on one side), named
 * `NNNN_LABEL.png` when labelled so the Unas file-name labels read it back, plus
 * `wall.json` saying which photo, box and number each crop came from.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../src-shared/errors.js';
import { sha256Hex } from '../images/hash.js';
import type { Box, WallSign } from './boxes.js';
import { parseBoxesCsv, parseLocations } from './boxes.js';
import { decodePhoto, framedCropPng } from './crops.js';

export const WALL_MANIFEST = 'wall.json';

export interface WallManifest {
  photo: string;
  width: number;
  height: number;
  /** Each crop with its content hash, which finds it in the catalog even when imported as a copy. */
  signs: { file: string; box: Box; label: string | null; index: number; hash: string }[];
}

export interface CutWallOptions {
  /** Write labels into the crop names (import); a read leaves them out. */
  withLabels: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** A label safe in a file name and recoverable by the file-name pattern (`_` ends the number). */
function fileLabel(label: string): string {
  return label.replace(/[^A-Za-z0-9-]/g, '-');
}

export async function cutWall(
  photoFile: string,
  signs: readonly WallSign[],
  outDir: string,
  options: CutWallOptions,
): Promise<WallManifest> {
  const photo = await decodePhoto(photoFile);
  await mkdir(outDir, { recursive: true });
  const manifest: WallManifest = {
    photo: path.resolve(photoFile),
    width: photo.width,
    height: photo.height,
    signs: [],
  };
  const digits = Math.max(4, String(signs.length).length);
  // A few crops at a time: sharp works on its own threads, so both cores stay busy.
  const AT_ONCE = 8;
  for (let start = 0; start < signs.length; start += AT_ONCE) {
    options.signal?.throwIfAborted();
    const cut = await Promise.all(
      signs.slice(start, start + AT_ONCE).map(async (sign) => {
        const number = String(sign.index).padStart(digits, '0');
        const file = options.withLabels && sign.label ? `${number}_${fileLabel(sign.label)}.png` : `${number}.png`;
        const png = await framedCropPng(photo, sign.box);
        await writeFile(path.join(outDir, file), png);
        return { file, box: sign.box, label: sign.label, index: sign.index, hash: await sha256Hex(png) };
      }),
    );
    manifest.signs.push(...cut);
    options.onProgress?.(manifest.signs.length, signs.length);
  }
  await writeFile(path.join(outDir, WALL_MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

export async function readWallManifest(dir: string): Promise<WallManifest> {
  const file = path.join(dir, WALL_MANIFEST);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as WallManifest;
  } catch (error) {
    throw new AppError('NOT_FOUND', `${file}: no readable wall manifest (${(error as Error).message})`);
  }
}

/**
 * The boxes for a photo: from the file given (a Locations file or a CSV with a header),
 * else the Unas layout's own `Manual/Locations/<N>.txt` beside `Pictures/egyptianTexts<N>.jpg`.
 */
export async function boxesForPhoto(
  photoFile: string,
  boxesFile?: string,
): Promise<{ signs: WallSign[]; from: string }> {
  let file = boxesFile;
  if (!file) {
    const number = /egyptianTexts(\d+)\.[a-z]+$/i.exec(photoFile)?.[1];
    if (number)
      file = path.join(path.dirname(path.dirname(path.resolve(photoFile))), 'Manual', 'Locations', `${number}.txt`);
  }
  if (!file)
    throw new AppError(
      'INVALID_INPUT',
      `${photoFile}: no boxes given (--boxes FILE); finding signs on a photo is not built yet`,
    );
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new AppError('NOT_FOUND', `${file}: the boxes file for ${path.basename(photoFile)} cannot be read`);
  }
  const header = text.split(/\r?\n/, 1)[0] ?? '';
  const signs = /\bx1\b/i.test(header) ? parseBoxesCsv(text, file) : parseLocations(text, file);
  return { signs, from: file };
}

/** The folder a wall's crops go to inside a project. */
export function wallDir(projectDir: string, photoFile: string): string {
  return path.join(projectDir, 'walls', path.parse(photoFile).name);
}
