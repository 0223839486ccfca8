/**
 * Image bytes for the renderer, by catalog id: the cached thumbnail (rendered on
 * demand when the cache lacks it) or the original file. Formats a browser cannot
 * show (TIFF) are converted to PNG on the way out.
 *
 * An image URL names the project, the image and the first hex digits of its content
 * hash (`<project>/<id>/<hash>/<variant>`), so the same URL always means the same
 * bytes: browsers may cache it for good, and after another project is opened (whose
 * image 1 is another picture) or a file changes, the page asks for a new URL instead
 * of showing the old picture from its cache.
 *
 * Only catalogued files are served, and only while they are still the file that was
 * imported: a regular file (not a link swapped in since) with the same size and hash.
 */
import { createHash } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { AppError } from '../../src-shared/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import type { ImageRecord } from '../../src-shared/catalog-records.js';
import { DECODE_OPTIONS } from '../images/probe.js';
import { renderThumbnail, thumbnailPath, writeThumbnail } from '../images/thumbnails.js';

export interface ImageBytes {
  body: Buffer;
  contentType: string;
}

export type ImageVariantName = 'thumb' | 'full';

/** What an image URL asks for. */
export interface ImageRequest {
  projectId: string;
  imageId: number;
  /** A prefix of the image's content hash (hex). */
  hash: string;
  variant: ImageVariantName;
}

const IMAGE_PATH = /^\/([0-9a-f]{8,64})\/(\d{1,15})\/([0-9a-f]{8,64})\/(thumb|full)$/;

/**
 * `/<project>/<id>/<hash>/<variant>` (the part after `/api/images` or `seshat://images`,
 * as `imageUrlPath` in the contract builds it), or null.
 */
export function parseImagePath(pathname: string): ImageRequest | null {
  const match = IMAGE_PATH.exec(pathname);
  if (!match) return null;
  return { projectId: match[1]!, imageId: Number(match[2]), hash: match[3]!, variant: match[4] as ImageVariantName };
}

const BROWSER_TYPES: Record<string, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
};

/**
 * Reads a catalogued original only if it is still what was imported. O_NOFOLLOW and
 * fstat on the opened descriptor (not a path checked first and opened later) leave no
 * gap in which a link could be swapped in.
 */
export async function readCatalogedFile(
  file: string,
  image: Pick<ImageRecord, 'id' | 'bytes' | 'hash'>,
): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') {
      throw new AppError(
        'IMAGE_CHANGED',
        `Image ${image.id} (${file}) is now a symbolic link, not the file that was imported: not shown`,
      );
    }
    throw new AppError('NOT_FOUND', `Image ${image.id} is missing on disk (${file}): ${(error as Error).message}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile())
      throw new AppError('IMAGE_CHANGED', `Image ${image.id} (${file}) is no longer a regular file: not shown`);
    if (stat.size !== image.bytes) {
      throw new AppError(
        'IMAGE_CHANGED',
        `Image ${image.id} (${file}) changed on disk since it was imported (${stat.size} bytes, was ${image.bytes}): rescan its folder`,
      );
    }
    const bytes = await handle.readFile();
    if (createHash('sha256').update(bytes).digest('hex') !== image.hash) {
      throw new AppError(
        'IMAGE_CHANGED',
        `Image ${image.id} (${file}) changed on disk since it was imported: rescan its folder`,
      );
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

/** Checks that a request names an image of the open project, at the content it has now. */
export function resolveImageRequest(catalog: Catalog, request: ImageRequest): ImageRecord {
  if (request.projectId !== catalog.meta.projectId()) {
    throw new AppError('NOT_FOUND', `Image ${request.imageId} belongs to a project that is not open`);
  }
  const image = catalog.images.get(request.imageId);
  if (!image) throw new AppError('NOT_FOUND', `No image with id ${request.imageId} in this project`);
  if (!image.hash.startsWith(request.hash)) {
    throw new AppError('NOT_FOUND', `Image ${request.imageId} has other content now; reload to see it`);
  }
  return image;
}

export async function readImageBytes(
  catalog: Catalog,
  thumbnailsDir: string,
  request: ImageRequest,
): Promise<ImageBytes> {
  const image = resolveImageRequest(catalog, request);
  const original = catalog.images.absolutePath(image);
  if (request.variant === 'thumb') {
    // The cache is addressed by content hash and lives in the project: safe to serve as is.
    const cached = thumbnailPath(thumbnailsDir, image.hash);
    if (existsSync(cached)) return { body: await readFile(cached), contentType: 'image/webp' };
    const thumb = await renderThumbnail(await readCatalogedFile(original, image), original);
    await writeThumbnail(cached, thumb);
    return { body: thumb, contentType: 'image/webp' };
  }
  const bytes = await readCatalogedFile(original, image);
  const type = BROWSER_TYPES[image.format.toLowerCase()];
  if (type) return { body: bytes, contentType: type };
  const png = await sharp(bytes, DECODE_OPTIONS).autoOrient().png().toBuffer();
  return { body: png, contentType: 'image/png' };
}

/** How long a served image may be cached: for good, since its URL names its content. */
export const IMMUTABLE_CACHE = 'private, max-age=31536000, immutable';
