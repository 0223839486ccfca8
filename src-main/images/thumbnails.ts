/**
 * Thumbnails: 256 px on the longest side, WebP, cached on disk under the project's
 * thumbnails folder by content hash (`ab/cdef….webp`). Content addressing means a
 * moved or duplicated file reuses its thumbnail, a re-import decodes nothing it has
 * seen, and a changed file gets a new thumbnail without invalidation logic.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { DECODE_OPTIONS, decodeError } from './probe.js';

export const THUMBNAIL_SIZE = 256;
export const THUMBNAIL_EXTENSION = '.webp';

/** Where the thumbnail of content `hash` lives: two-character fan-out keeps folders small. */
export function thumbnailPath(thumbnailsDir: string, hash: string): string {
  return path.join(thumbnailsDir, hash.slice(0, 2), `${hash.slice(2)}${THUMBNAIL_EXTENSION}`);
}

/**
 * Decodes `buffer` once (first frame) and encodes the thumbnail. `orientation` is
 * the EXIF orientation from the probe: rotating costs a pass over the pixels, so it
 * is only asked for when the file says so.
 */
export async function renderThumbnail(
  buffer: Buffer,
  name: string,
  orientation = 1,
  size = THUMBNAIL_SIZE,
): Promise<Buffer> {
  try {
    const image = sharp(buffer, { ...DECODE_OPTIONS, sequentialRead: true });
    return await (orientation > 1 ? image.autoOrient() : image)
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80, effort: 2 })
      .toBuffer();
  } catch (error) {
    throw decodeError(name, error);
  }
}

/**
 * Writes a thumbnail atomically: to a temporary name, then renamed. A process
 * killed mid-write leaves at worst a stray temp file, never a truncated thumbnail
 * under the final name (which the cache would trust forever). The fan-out folder
 * is created only when the first write into it fails, saving a mkdir per file.
 */
export async function writeThumbnail(file: string, data: Buffer): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(temp, data);
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

const TEMP_NAME = /\.(\d+)\.[0-9a-f]+\.tmp$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files that a killed import left behind (see writeThumbnail): those
 * whose writer process is gone. Runs in the background after a project opens, since a
 * large cache has hundreds of thousands of entries. Returns how many it removed.
 */
export async function sweepStaleThumbnailTemps(thumbnailsDir: string): Promise<number> {
  let removed = 0;
  let fanOut: string[];
  try {
    fanOut = await readdir(thumbnailsDir);
  } catch {
    return 0; // no cache yet
  }
  for (const folder of fanOut) {
    let names: string[];
    try {
      names = await readdir(path.join(thumbnailsDir, folder));
    } catch {
      continue; // a stray file at the top level, or a folder removed meanwhile
    }
    for (const name of names) {
      const pid = TEMP_NAME.exec(name)?.[1];
      if (pid === undefined || processAlive(Number(pid))) continue;
      await rm(path.join(thumbnailsDir, folder, name), { force: true });
      removed++;
    }
  }
  return removed;
}
