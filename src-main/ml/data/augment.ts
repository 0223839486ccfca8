/**
 * Random image augmentation for training batches, drawn from a seeded Rng.
 *
 * One affine warp (rotation, zoom, shift, optional mirror) sampled bilinearly with
 * edge pixels repeated outside the image (Keras' 'nearest' fill: a glyph on a
 * light ground does not get black borders), then brightness and contrast. Works on
 * 8-bit HWC source pixels and writes floats in the same 0…255 range, so the
 * model's own scaling is applied afterwards exactly as for unaugmented images.
 */
import type { Rng } from './rng.js';
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
  for (const key of ['shift', 'zoom', 'rotation', 'brightness', 'contrast'] as const) {
    if (!Number.isFinite(options[key]) || options[key] < 0) throw new Error(`augmentation ${key} must be a number ≥ 0`);
  }
  return options;
}

export function isIdentity(options: AugmentOptions): boolean {
  return (
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
  if (brightness === 0 && contrast === 1) return;
  // Contrast scales around the image mean, then brightness shifts; clamp to 0…255.
  const count = height * width * channels;
  const mean = total / count;
  for (let i = dstOffset; i < dstOffset + count; i++) {
    const v = (dst[i]! - mean) * contrast + mean + brightness;
    dst[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}
