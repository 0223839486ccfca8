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
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { AppError } from '../../src-shared/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import type { ImageRecord } from '../../src-shared/catalog-records.js';
import { readCatalogedFile } from '../images/cataloged-file.js';
import { DECODE_OPTIONS } from '../images/probe.js';
import { renderThumbnail, thumbnailPath, writeThumbnail } from '../images/thumbnails.js';

export interface ImageBytes {
  body: Buffer;
  contentType: string;
}

export type ImageVariantName = 'thumb' | 'full' | 'wall-photo';

/** What an image URL asks for. */
export interface ImageRequest {
  projectId: string;
  imageId: number;
  /** A prefix of the image's content hash (hex). */
  hash: string;
  variant: ImageVariantName;
}

const IMAGE_PATH = /^\/([0-9a-f]{8,64})\/(\d{1,15})\/([0-9a-f]{8,64})\/(thumb|full|wall-photo)$/;

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

/** A wall's photograph, only while it is the file that was imported (walls are catalogued too). */
async function readWallPhoto(catalog: Catalog, request: ImageRequest): Promise<ImageBytes> {
  if (request.projectId !== catalog.meta.projectId())
    throw new AppError('NOT_FOUND', `Wall ${request.imageId} belongs to a project that is not open`);
  const wall = catalog.walls.require(request.imageId);
  if (wall.photoHash === null || wall.photoBytes === null)
    throw new AppError(
      'NOT_FOUND',
      `Wall ${wall.id} was recorded without its photo's hash: import it again to show it`,
    );
  if (!wall.photoHash.startsWith(request.hash))
    throw new AppError('NOT_FOUND', `Wall ${wall.id} has another photo now; reload to see it`);
  const bytes = await readCatalogedFile(wall.photoPath, {
    id: wall.id,
    hash: wall.photoHash,
    bytes: wall.photoBytes,
    what: `The photo of wall ${wall.id}`,
  });
  const type = BROWSER_TYPES[wall.photoPath.split('.').pop()!.toLowerCase()];
  if (type) return { body: bytes, contentType: type };
  return { body: await sharp(bytes, DECODE_OPTIONS).autoOrient().png().toBuffer(), contentType: 'image/png' };
}

export async function readImageBytes(
  catalog: Catalog,
  thumbnailsDir: string,
  request: ImageRequest,
): Promise<ImageBytes> {
  if (request.variant === 'wall-photo') return readWallPhoto(catalog, request);
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
