/**
 * One pass over one image file for import: read it once into memory, hash those
 * bytes, probe the header and render the thumbnail from the same buffer. The reads,
 * the hash and sharp's decode all run on libuv's thread pool; the JS thread only
 * schedules them.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../src-shared/errors.js';
import { sha256Hex } from './hash.js';
import { MAX_FILE_BYTES, probeImage, type ImageInfo } from './probe.js';
import { renderThumbnail, thumbnailPath, writeThumbnail } from './thumbnails.js';

export interface ProcessedImage {
  hash: string;
  bytes: number;
  info: ImageInfo;
  /** Path of the cached thumbnail, or null when no thumbnails folder was given. */
  thumbnail: string | null;
  /** False when a thumbnail for this content was already cached (no decode happened). */
  thumbnailCreated: boolean;
}

export interface ProcessOptions {
  /** Where thumbnails are cached; null to only hash and probe. */
  thumbnailsDir: string | null;
  /** File size from the scan, to refuse huge files before reading them. */
  knownSize?: number;
  /** Injected by tests to simulate I/O errors. */
  readFile?: (file: string) => Promise<Buffer>;
}

export async function processImageFile(file: string, options: ProcessOptions): Promise<ProcessedImage> {
  const name = path.basename(file);
  if (options.knownSize !== undefined && options.knownSize > MAX_FILE_BYTES) {
    throw new AppError(
      'IMAGE_TOO_LARGE',
      `${name} is ${(options.knownSize / 1024 ** 3).toFixed(1)} GiB; files over 1 GiB are not imported`,
    );
  }
  const buffer = await readImageBytes(file, options.readFile ?? readFile);
  const [hash, info] = await Promise.all([sha256Hex(buffer), probeImage(buffer, name)]);
  if (options.thumbnailsDir === null)
    return { hash, bytes: buffer.length, info, thumbnail: null, thumbnailCreated: false };
  const thumbnail = thumbnailPath(options.thumbnailsDir, hash);
  // Content-addressed: an existing thumbnail was rendered from these very bytes, so
  // they decoded fine then and need not be decoded again.
  if (await exists(thumbnail)) return { hash, bytes: buffer.length, info, thumbnail, thumbnailCreated: false };
  const data = await renderThumbnail(buffer, name, info.orientation);
  await writeThumbnail(thumbnail, data);
  return { hash, bytes: buffer.length, info, thumbnail, thumbnailCreated: true };
}

async function readImageBytes(file: string, read: (file: string) => Promise<Buffer>): Promise<Buffer> {
  try {
    return await read(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENOENT'
          ? 'the file disappeared'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (error as Error).message;
    throw new AppError(
      'IMAGE_UNREADABLE',
      `${path.basename(file)} cannot be read: ${reason}${code ? ` (${code})` : ''}`,
      {
        cause: error,
      },
    );
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
