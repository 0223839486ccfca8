/**
 * Image bytes for the renderer, by catalog id: the cached thumbnail (rendered on
 * demand when the cache lacks it) or the original file. Formats a browser cannot
 * show (TIFF) are converted to PNG on the way out.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { AppError } from '../errors.js';
import type { Catalog } from '../catalog/catalog.js';
import { DECODE_OPTIONS } from '../images/probe.js';
import { renderThumbnail, thumbnailPath, writeThumbnail } from '../images/thumbnails.js';

export interface ImageBytes {
  body: Buffer;
  contentType: string;
}

const BROWSER_TYPES: Record<string, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
};

async function readOriginal(file: string, imageId: number): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new AppError('NOT_FOUND', `Image ${imageId} is missing on disk (${file}): ${(error as Error).message}`);
  }
}

export async function readImageBytes(catalog: Catalog, thumbnailsDir: string, imageId: number, variant: 'thumb' | 'full'): Promise<ImageBytes> {
  const image = catalog.images.get(imageId);
  if (!image) throw new AppError('NOT_FOUND', `No image with id ${imageId} in this project`);
  const original = catalog.images.absolutePath(image);
  if (variant === 'thumb') {
    const cached = thumbnailPath(thumbnailsDir, image.hash);
    if (existsSync(cached)) return { body: await readFile(cached), contentType: 'image/webp' };
    const thumb = await renderThumbnail(await readOriginal(original, imageId), original);
    await writeThumbnail(cached, thumb);
    return { body: thumb, contentType: 'image/webp' };
  }
  const bytes = await readOriginal(original, imageId);
  const type = BROWSER_TYPES[image.format.toLowerCase()];
  if (type) return { body: bytes, contentType: type };
  const png = await sharp(bytes, DECODE_OPTIONS).autoOrient().png().toBuffer();
  return { body: png, contentType: 'image/png' };
}
