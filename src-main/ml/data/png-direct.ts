/**
 * Reads the pixels of a PNG that is already what a model takes (same width, height
 * and channels, 8-bit, not interlaced, nothing that would change its colours), with
 * Node's zlib instead of sharp.
 *
 * Why: a folder of glyph crops is often exactly that (the Unas crops are 50×75 8-bit
 * grey, the Small CNN's input), and sharp's pipeline costs 1.0–1.5 ms of CPU per such
 * crop, about as much as inferring it: decoding capped folder classification. Here
 * it is inflate and un-filter, tens of microseconds.
 *
 * Anything else returns null and goes to sharp, as does any chunk this reader does
 * not know to be harmless: a colour profile, gamma, transparency, an orientation.
 * A test compares it with sharp byte for byte.
 */
import zlib from 'node:zlib';
import type { PixelFormat } from './decode.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Chunks that carry no pixels and that sharp ignores when it decodes. */
const HARMLESS = new Set(['tEXt', 'zTXt', 'iTXt', 'pHYs', 'tIME']);
/** PNG colour type → channels, for the 8-bit types a model's input can be. */
const CHANNELS: Record<number, 1 | 3> = { 0: 1, 2: 3 };

// zlib.crc32 arrived in Node 20.15 / 22.2: without it, a damaged file could not be told, so sharp reads it.
const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** The pixels (row-major, `format.channels` per pixel), or null where sharp must decode `bytes`. */
export function readPngDirect(bytes: Uint8Array, format: PixelFormat): Uint8Array | null {
  if (!crc32 || bytes.length < 45 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  let header: { width: number; height: number; channels: number } | null = null;
  let ended = false;
  for (let at = 8; at + 12 <= bytes.length && !ended;) {
    const length = view.getUint32(at);
    const end = at + 12 + length;
    if (end > bytes.length) return null;
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) return null;
    if (!header && type !== 'IHDR') return null; // IHDR comes first
    if (type === 'IHDR') {
      if (header || length !== 13) return null;
      const [depth, colour, compression, filter, interlace] = body.subarray(8, 13);
      const channels = CHANNELS[colour!];
      if (depth !== 8 || !channels || compression !== 0 || filter !== 0 || interlace !== 0) return null;
      header = { width: view.getUint32(at + 8), height: view.getUint32(at + 12), channels };
      // Another size or channel count goes to sharp at once, unchecked: a wall photograph is megabytes.
      if (header.width !== format.width || header.height !== format.height || channels !== format.channels) return null;
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') ended = true;
    else if (!HARMLESS.has(type)) return null;
    at = end;
  }
  if (!header || !ended || idat.length === 0) return null;
  const { width, height, channels } = header;
  const stride = width * channels;
  let filtered: Buffer;
  try {
    // Capped one byte past the size the header promises, so a stream that inflates to more is refused, not read.
    filtered = zlib.inflateSync(idat.length === 1 ? idat[0]! : Buffer.concat(idat), {
      maxOutputLength: height * (stride + 1) + 1,
    });
  } catch {
    return null;
  }
  if (filtered.length !== height * (stride + 1)) return null;
  return unfilter(filtered, height, stride, channels);
}

/** Undoes each scanline's filter (PNG spec §9); null for an unknown filter type. */
function unfilter(data: Uint8Array, height: number, stride: number, bpp: number): Uint8Array | null {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const type = data[y * (stride + 1)]!;
    const line = data.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride;
    const up = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp]! : 0;
      const b = y > 0 ? out[up + x]! : 0;
      let predicted: number;
      if (type === 0) predicted = 0;
      else if (type === 1) predicted = a;
      else if (type === 2) predicted = b;
      else if (type === 3) predicted = (a + b) >> 1;
      else if (type === 4) {
        const c = x >= bpp && y > 0 ? out[up + x - bpp]! : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else return null;
      out[row + x] = (line[x]! + predicted) & 0xff;
    }
  }
  return out;
}
