/**
 * Test fixtures for catalog/import/images tests: temp folders and small generated
 * images (sharp), each with distinct content unless asked otherwise.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** /work/shared (datasets), computed from the repo root as the project's convention says. */
export const sharedDir = path.resolve(repoRoot, '../shared');

/** A fresh temp folder removed when the test ends. */
export function tempDir(t: { after: (fn: () => void) => void }, prefix = 'seshat-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export type Format = 'png' | 'jpeg' | 'webp' | 'tiff' | 'gif' | 'avif';

/** Colour number `seed` → a distinct RGB colour, so each generated image has its own hash. */
function colour(seed: number): { r: number; g: number; b: number } {
  return { r: seed % 256, g: Math.floor(seed / 256) % 256, b: (Math.floor(seed / 65536) * 37 + 11) % 256 };
}

export async function imageBuffer(
  options: { seed?: number; width?: number; height?: number; format?: Format } = {},
): Promise<Buffer> {
  const { seed = 1, width = 24, height = 16, format = 'png' } = options;
  const image = sharp({ create: { width, height, channels: 3, background: colour(seed) } });
  return image.toFormat(format).toBuffer();
}

/** Writes a generated image at `dir/rel` (folders created). Returns the absolute path. */
export async function writeImage(
  dir: string,
  rel: string,
  options: Parameters<typeof imageBuffer>[0] = {},
): Promise<string> {
  const file = path.join(dir, ...rel.split('/'));
  mkdirSync(path.dirname(file), { recursive: true });
  const format = options.format ?? formatOf(rel);
  writeFileSync(file, await imageBuffer({ ...options, format }));
  return file;
}

function formatOf(rel: string): Format {
  const ext = path.extname(rel).toLowerCase();
  if (ext === '.jpg' || ext === '.jpeg') return 'jpeg';
  if (ext === '.tif' || ext === '.tiff') return 'tiff';
  if (ext === '.webp' || ext === '.gif' || ext === '.avif') return ext.slice(1) as Format;
  return 'png';
}

/** A valid PNG signature + IHDR claiming width×height, with one tiny IDAT: a decompression-bomb stand-in. */
export function pngHeaderClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The first `fraction` of a file's bytes: a truncated image. */
export function truncated(buffer: Buffer, fraction = 0.6): Buffer {
  return buffer.subarray(0, Math.floor(buffer.length * fraction));
}

/** A noisy photo-like image big enough that truncation cuts into pixel data, not the header. */
export async function noisyImage(format: 'png' | 'jpeg', width = 160, height = 120): Promise<Buffer> {
  return sharp({
    create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
  })
    .toFormat(format)
    .toBuffer();
}
