/**
 * Reads and validates an image's header with sharp, before any pixels are decoded.
 *
 * Decompression bombs: a 100-byte PNG can claim 40000×40000 pixels (4.8 GB to
 * decode). The header is read with sharp's pixel limit off so the real size can be
 * reported, then checked against Seshat's limits here; every later decode passes
 * `limitInputPixels` too, so libvips refuses the same images even if a caller skips
 * this probe.
 */
import sharp from 'sharp';
import { AppError } from '../../src-shared/errors.js';
import { normaliseFormat, type ImageFormat } from './formats.js';

/** Refused when either side is this long or longer. */
export const MAX_SIDE = 30_000;
/** Refused above this many pixels: sharp's own default limit (0x3FFF²), about 268 megapixels. */
export const MAX_PIXELS = 0x3fff * 0x3fff;
/** Files larger than this are not read into memory at all. */
export const MAX_FILE_BYTES = 1024 ** 3;

export interface ImageInfo {
  /** As displayed, i.e. after EXIF orientation. */
  width: number;
  height: number;
  channels: number;
  format: ImageFormat;
  /** Frames in the file (GIF/WebP animations, multi-page TIFF); only the first is used. */
  pages: number;
  /** EXIF orientation (1 = as stored); decoders rotate only when it is not 1. */
  orientation: number;
}

/** Input options for every sharp decode of catalog images. */
export const DECODE_OPTIONS = {
  limitInputPixels: MAX_PIXELS,
  // 'warning' turns libjpeg's "premature end of data" into an error: a truncated file
  // is reported, not imported with a grey bottom half.
  failOn: 'warning',
  // First frame only for animated GIF/WebP and multi-page TIFF.
  pages: 1,
} as const satisfies sharp.SharpOptions;

/**
 * Probes `buffer` (the bytes of the file `name`, used in messages). Throws
 * IMAGE_UNREADABLE for anything that is not a supported, readable image and
 * IMAGE_TOO_LARGE for images over the limits.
 */
export async function probeImage(buffer: Buffer, name: string): Promise<ImageInfo> {
  if (buffer.length === 0) throw new AppError('IMAGE_UNREADABLE', `${name} is empty (0 bytes)`);
  let meta: sharp.Metadata;
  try {
    meta = await sharp(buffer, { limitInputPixels: false, pages: 1 }).metadata();
  } catch (error) {
    throw decodeError(name, error);
  }
  const format = normaliseFormat(meta.format, meta.compression);
  if (!format) {
    const what = meta.format === 'heif' ? `HEIF (${meta.compression ?? 'unknown'} compression)` : String(meta.format);
    throw new AppError('IMAGE_UNREADABLE', `${name} is a ${what} file, which Seshat does not import`);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width <= 0 || height <= 0) throw new AppError('IMAGE_UNREADABLE', `${name} has no image dimensions`);
  assertWithinLimits(name, width, height);
  const oriented = meta.autoOrient ?? { width, height };
  return {
    width: oriented.width,
    height: oriented.height,
    channels: meta.channels ?? 0,
    format,
    pages: meta.pages ?? 1,
    orientation: meta.orientation ?? 1,
  };
}

export function assertWithinLimits(name: string, width: number, height: number): void {
  if (width >= MAX_SIDE || height >= MAX_SIDE) {
    throw new AppError(
      'IMAGE_TOO_LARGE',
      `${name} is ${width}×${height} pixels; images must be under ${MAX_SIDE} pixels on each side`,
    );
  }
  if (width * height > MAX_PIXELS) {
    const mp = ((width * height) / 1e6).toFixed(0);
    throw new AppError(
      'IMAGE_TOO_LARGE',
      `${name} has ${mp} megapixels (${width}×${height}); the limit is 268 megapixels`,
    );
  }
}

/** Turns a sharp/libvips failure into the AppError the user sees, naming the file. */
export function decodeError(name: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
  if (/exceeds pixel limit/i.test(reason)) {
    return new AppError('IMAGE_TOO_LARGE', `${name} is larger than ${MAX_PIXELS} pixels`, { cause: error });
  }
  if (/unsupported image format/i.test(reason)) {
    return new AppError('IMAGE_UNREADABLE', `${name} is not an image (unrecognised content)`, { cause: error });
  }
  return new AppError('IMAGE_UNREADABLE', `${name} cannot be decoded: ${reason}`, { cause: error });
}
