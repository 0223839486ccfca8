/**
 * Decodes one image to the fixed size and channel count a model takes, as 8-bit
 * interleaved pixels (HWC). sharp does the work off the JS thread.
 */
import { readFile } from 'node:fs';
import sharp from 'sharp';
import { AppError } from '../../../src-shared/errors.js';
import type { PixelSource } from './dataset.js';
import { readPngDirect } from './png-direct.js';

export interface PixelFormat {
  width: number;
  height: number;
  /** 1 = grayscale, 3 = RGB. */
  channels: 1 | 3;
}

export function imageBytes(format: PixelFormat): number {
  return format.width * format.height * format.channels;
}

/** Converts interleaved pixels between channel counts (luma for RGB → gray, as sharp does). */
function convertChannels(data: Uint8Array, pixels: number, from: number, to: 1 | 3): Uint8Array {
  if (from === to) return data;
  const out = new Uint8Array(pixels * to);
  for (let p = 0; p < pixels; p++) {
    const r = data[p * from]!;
    const g = from >= 3 ? data[p * from + 1]! : r;
    const b = from >= 3 ? data[p * from + 2]! : r;
    if (to === 1) out[p] = Math.round(0.2126 * r + 0.7152 * g + 0.0722 * b);
    else {
      out[p * 3] = r;
      out[p * 3 + 1] = g;
      out[p * 3 + 2] = b;
    }
  }
  return out;
}

/**
 * Returns exactly width·height·channels bytes. The image is auto-oriented (EXIF),
 * flattened onto white (transparent glyph crops must not turn black), and stretched
 * to the target size — the same treatment at training and prediction time.
 */
export async function decodePixels(source: PixelSource, format: PixelFormat): Promise<Uint8Array> {
  const described = source.kind === 'file' ? source.path : 'raw pixels';
  try {
    let input: sharp.Sharp;
    if (source.kind === 'file') {
      // The callback form: the promise one (a FileHandle per file) cost 0.07 ms of main thread per crop.
      const file = await new Promise<Buffer>((resolve, reject) =>
        readFile(source.path, (error, data) => (error ? reject(error) : resolve(data))),
      );
      const direct = readPngDirect(file, format);
      if (direct) return direct;
      input = sharp(file);
    } else {
      input = sharp(source.data, { raw: { width: source.width, height: source.height, channels: source.channels } });
    }
    let pipeline = input
      .rotate()
      .flatten({ background: '#ffffff' })
      .resize(format.width, format.height, { fit: 'fill' });
    pipeline = format.channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.width !== format.width || info.height !== format.height) {
      throw new Error(`decoded to ${info.width}×${info.height}, expected ${format.width}×${format.height}`);
    }
    const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return convertChannels(pixels, format.width * format.height, info.channels, format.channels);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('IMAGE_UNREADABLE', `Cannot decode ${described}: ${reason}`, { cause: error });
  }
}
