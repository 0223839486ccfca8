/**
 * Random image augmentation for training batches, drawn from a seeded Rng.
 *
 * One affine warp (rotation, zoom, shift, optional mirror) sampled bilinearly with
 * edge pixels repeated outside the image (Keras' 'nearest' fill: a glyph on a
 * light ground does not get black borders), then brightness and contrast. Works on
 * 8-bit HWC source pixels and writes floats in the same 0…255 range, so the
 * model's own scaling is applied afterwards exactly as for unaugmented images.
 */
import { Rng } from './rng.js';
import type { AugmentOptions } from '../../../src-shared/api/wire-training.js';
export type { AugmentOptions } from '../../../src-shared/api/wire-training.js';

/**
 * Mild by default: on unas-glyphs, ±8 % shift / ±10 % zoom / ±8° left the CNN+
 * underfitting (0.80 training accuracy after 40 epochs); these values trained better.
 */
export const DEFAULT_AUGMENT: AugmentOptions = {
  shift: 0.05,
  zoom: 0.05,
  rotation: 4,
  brightness: 0.1,
  contrast: 0.1,
  flip: false,
};

export const NO_AUGMENT: AugmentOptions = { shift: 0, zoom: 0, rotation: 0, brightness: 0, contrast: 0, flip: false };

/**
 * Fills in defaults. `glyphMode` forbids mirroring: asking for `flip` with it is a
 * contradiction the caller should hear about rather than have silently dropped.
 */
export function resolveAugment(
  requested: Partial<AugmentOptions> | false | undefined,
  glyphMode: boolean,
): AugmentOptions {
  if (requested === false) return { ...NO_AUGMENT };
  const options = { ...DEFAULT_AUGMENT, ...(requested ?? {}) };
  if (glyphMode && options.flip)
    throw new Error('horizontal flip is not allowed in glyph mode (a mirrored sign is a different sign)');
  for (const key of ['shift', 'zoom', 'rotation', 'brightness', 'contrast', ...WALL_KEYS] as const) {
    const value = options[key] ?? 0;
    if (!Number.isFinite(value) || value < 0) throw new Error(`augmentation ${key} must be a number ≥ 0`);
  }
  for (const key of ['blur', 'stroke'] as const)
    if ((options[key] ?? 0) > 1) throw new Error(`augmentation ${key} is a chance, at most 1`);
  return options;
}

/** The photometric and wear options, off unless asked for. */
const WALL_KEYS = ['gamma', 'blur', 'noise', 'stroke'] as const;

export function isIdentity(options: AugmentOptions): boolean {
  return (
    WALL_KEYS.every((key) => !options[key]) &&
    options.shift === 0 &&
    options.zoom === 0 &&
    options.rotation === 0 &&
    options.brightness === 0 &&
    options.contrast === 0 &&
    !options.flip
  );
}

/**
 * Writes one augmented image: `src` (8-bit, h·w·c at `srcOffset`) → `dst` (floats
 * 0…255 at `dstOffset`). Draws a fixed number of values from `rng` per call, so the
 * same seed gives the same images whatever the options.
 */
export function augmentInto(
  src: Uint8Array,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
  height: number,
  width: number,
  channels: number,
  options: AugmentOptions,
  rng: Rng,
): void {
  const angle = (rng.uniform(-1, 1) * options.rotation * Math.PI) / 180;
  const scale = 1 + rng.uniform(-1, 1) * options.zoom;
  const tx = rng.uniform(-1, 1) * options.shift * width;
  const ty = rng.uniform(-1, 1) * options.shift * height;
  const flip = options.flip && rng.next() < 0.5;
  const brightness = rng.uniform(-1, 1) * options.brightness * 255;
  const contrast = 1 + rng.uniform(-1, 1) * options.contrast;
  const gamma = Math.exp(rng.uniform(-1, 1) * (options.gamma ?? 0));
  const blur = rng.next() < (options.blur ?? 0);
  const strokeDraw = rng.next();
  const stroke = strokeDraw < (options.stroke ?? 0) ? (strokeDraw < (options.stroke ?? 0) / 2 ? 'min' : 'max') : null;
  const noise = rng.next() * (options.noise ?? 0) * 255;
  const noiseSeed = Math.floor(rng.next() * 4294967296);

  // Inverse map: output pixel → source coordinates (rotate by -angle, divide by scale).
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  const maxX = width - 1;
  const maxY = height - 1;
  const rowStride = width * channels;
  let total = 0;
  let o = dstOffset;
  for (let y = 0; y < height; y++) {
    const dy = y - cy - ty;
    for (let x = 0; x < width; x++) {
      const dx = x - cx - tx;
      let sx = cos * dx + sin * dy + cx;
      let sy = -sin * dx + cos * dy + cy;
      if (flip) sx = maxX - sx;
      sx = sx < 0 ? 0 : sx > maxX ? maxX : sx;
      sy = sy < 0 ? 0 : sy > maxY ? maxY : sy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = x0 < maxX ? x0 + 1 : x0;
      const y1 = y0 < maxY ? y0 + 1 : y0;
      const fx = sx - x0;
      const fy = sy - y0;
      const r0 = srcOffset + y0 * rowStride;
      const r1 = srcOffset + y1 * rowStride;
      for (let c = 0; c < channels; c++, o++) {
        const top = src[r0 + x0 * channels + c]! * (1 - fx) + src[r0 + x1 * channels + c]! * fx;
        const bottom = src[r1 + x0 * channels + c]! * (1 - fx) + src[r1 + x1 * channels + c]! * fx;
        const v = top * (1 - fy) + bottom * fy;
        dst[o] = v;
        total += v;
      }
    }
  }
  const count = height * width * channels;
  if (stroke) filter3x3(dst, dstOffset, height, width, channels, stroke);
  if (blur) filter3x3(dst, dstOffset, height, width, channels, 'mean');
  if (stroke || blur) {
    total = 0;
    for (let i = dstOffset; i < dstOffset + count; i++) total += dst[i]!;
  }
  if (brightness === 0 && contrast === 1 && gamma === 1 && noise === 0) return;
  // Gamma bends the tones, contrast scales around the image mean, brightness shifts,
  // noise adds grain; clamp to 0…255.
  const mean = total / count;
  const grain = noise > 0 ? new Rng(noiseSeed) : null;
  for (let i = dstOffset; i < dstOffset + count; i++) {
    let v = gamma === 1 ? dst[i]! : 255 * Math.pow(dst[i]! / 255, gamma);
    v = (v - mean) * contrast + mean + brightness;
    if (grain) v += noise * gaussian(grain);
    dst[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}

/** A standard normal draw (Box–Muller). */
function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

let scratch = new Float32Array(0);

/**
 * A 3×3 minimum, maximum or [1 2 1]² blur of each channel, edges repeated, in place. On a
 * glyph, minimum and maximum thicken one tone's strokes by a pixel and thin the other's.
 */
function filter3x3(
  data: Float32Array,
  offset: number,
  height: number,
  width: number,
  channels: number,
  kind: 'min' | 'max' | 'mean',
): void {
  const count = height * width * channels;
  if (scratch.length < count) scratch = new Float32Array(count);
  scratch.set(data.subarray(offset, offset + count));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let result = kind === 'min' ? Infinity : kind === 'max' ? -Infinity : 0;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = y + dy < 0 ? 0 : y + dy >= height ? height - 1 : y + dy;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx < 0 ? 0 : x + dx >= width ? width - 1 : x + dx;
            const v = scratch[(yy * width + xx) * channels + c]!;
            if (kind === 'min') result = v < result ? v : result;
            else if (kind === 'max') result = v > result ? v : result;
            else result += v * (dy === 0 ? 2 : 1) * (dx === 0 ? 2 : 1);
          }
        }
        data[offset + (y * width + x) * channels + c] = kind === 'mean' ? result / 16 : result;
      }
    }
  }
}
