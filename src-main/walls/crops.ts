/**
 * Cutting a sign's crop out of its wall photograph. The photo is decoded once per wall
 * (sharp keeps the decoded pixels in memory), and every crop is an exact rectangle of
 * photo pixels, clamped to the photo, written losslessly so that re-cutting a moved box
 * gives the same bytes as cutting it fresh.
 */
import sharp from 'sharp';
import { AppError } from '../../src-shared/errors.js';
import type { Box } from './boxes.js';

export interface DecodedPhoto {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  pixels: Buffer;
}

/** Decodes a photo from its file, or from bytes already read (and checked) with the file named for errors. */
export async function decodePhoto(file: string, bytes?: Buffer): Promise<DecodedPhoto> {
  try {
    const { data, info } = await sharp(bytes ?? file)
      .rotate()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: info.channels, pixels: data };
  } catch (error) {
    throw new AppError('IMAGE_UNREADABLE', `${file}: not a readable photograph (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** The box clamped to the photo, in whole pixels; null when nothing of it is inside. */
export function clampBox(box: Box, width: number, height: number): Box | null {
  const x1 = Math.max(0, Math.floor(box[0]));
  const y1 = Math.max(0, Math.floor(box[1]));
  const x2 = Math.min(width, Math.ceil(box[2]));
  const y2 = Math.min(height, Math.ceil(box[3]));
  return x2 > x1 && y2 > y1 ? [x1, y1, x2, y2] : null;
}

/** The crop's raw pixels (row-major, the photo's channels). */
export function cropPixels(photo: DecodedPhoto, box: Box): { width: number; height: number; pixels: Buffer } {
  const clamped = clampBox(box, photo.width, photo.height);
  if (!clamped)
    throw new AppError('INVALID_INPUT', `box ${box.join(',')} lies outside the ${photo.width}×${photo.height} photo`);
  const [x1, y1, x2, y2] = clamped;
  const width = x2 - x1;
  const height = y2 - y1;
  const rowBytes = width * photo.channels;
  const pixels = Buffer.alloc(rowBytes * height);
  for (let y = 0; y < height; y++) {
    const start = ((y1 + y) * photo.width + x1) * photo.channels;
    photo.pixels.copy(pixels, y * rowBytes, start, start + rowBytes);
  }
  return { width, height, pixels };
}

/** The crop as a PNG. */
export async function cropPng(photo: DecodedPhoto, box: Box): Promise<Buffer> {
  const crop = cropPixels(photo, box);
  return sharp(crop.pixels, { raw: { width: crop.width, height: crop.height, channels: photo.channels } })
    .png({ compressionLevel: 6 })
    .toBuffer();
}

/** The Unas dataset's crop frame: signs are shrunk (never enlarged) to fit, and centred. */
export const GLYPH_FRAME = { width: 50, height: 75 } as const;

/** The median of each channel over the crop's outermost pixels: the stone around the sign. */
function borderMedian(pixels: Buffer, width: number, height: number, channels: number): number[] {
  return Array.from({ length: channels }, (_, c) => {
    const values: number[] = [];
    for (let x = 0; x < width; x++)
      values.push(pixels[x * channels + c]!, pixels[((height - 1) * width + x) * channels + c]!);
    for (let y = 0; y < height; y++)
      values.push(pixels[y * width * channels + c]!, pixels[(y * width + width - 1) * channels + c]!);
    values.sort((a, b) => a - b);
    return values[values.length >> 1]!;
  });
}

/**
 * The crop as the dataset's preprocessed crops are made: the sign shrunk to fit the frame
 * if it is larger, centred, the margins filled with the stone's tone (the median of the
 * crop's border). The dataset fills them with background texture; mirroring the crop's
 * edges instead copied strokes into the margins and cost a model that never saw the wall
 * 0.37 top-1 (bench walls).
 */
export async function framedCropPng(
  photo: DecodedPhoto,
  box: Box,
  frame: { width: number; height: number } = GLYPH_FRAME,
): Promise<Buffer> {
  const crop = cropPixels(photo, box);
  const scale = Math.min(1, frame.width / crop.width, frame.height / crop.height);
  const width = Math.max(1, Math.round(crop.width * scale));
  const height = Math.max(1, Math.round(crop.height * scale));
  const channels = photo.channels;
  const left = Math.floor((frame.width - width) / 2);
  const top = Math.floor((frame.height - height) / 2);
  const fill = borderMedian(crop.pixels, crop.width, crop.height, channels);
  // Most signs fit unshrunk: those skip sharp's resize, and the frame is filled here rather
  // than by a second pipeline, which was most of the time a 460-sign wall took to cut.
  const fitted =
    width === crop.width && height === crop.height
      ? crop.pixels
      : await sharp(crop.pixels, { raw: { width: crop.width, height: crop.height, channels } })
          .resize(width, height, { fit: 'fill' })
          .raw()
          .toBuffer();
  const framed = Buffer.alloc(frame.width * frame.height * channels);
  for (let i = 0; i < frame.width * frame.height; i++)
    for (let c = 0; c < channels; c++) framed[i * channels + c] = fill[c]!;
  for (let y = 0; y < height; y++)
    fitted.copy(framed, ((top + y) * frame.width + left) * channels, y * width * channels, (y + 1) * width * channels);
  return sharp(framed, { raw: { width: frame.width, height: frame.height, channels } })
    .png({ compressionLevel: 6 })
    .toBuffer();
}
