/**
 * Generated data for the whole-workflow test: glyph-like crops (three shapes drawn
 * dark on a light stone colour) in one folder per wall picture, and small photo
 * folders (one colour family per class). Every file has its own content.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

export const SHAPES = ['circle', 'bar', 'cross'] as const;
export type Shape = (typeof SHAPES)[number];

function shapeSvg(shape: Shape, variant: number, width: number, height: number): string {
  const dx = (variant % 3) - 1;
  const dy = ((variant >> 1) % 3) - 1;
  const cx = width / 2 + dx;
  const cy = height / 2 + dy;
  const ink = `rgb(${40 + variant * 3}, ${30 + variant}, 20)`;
  const body =
    shape === 'circle'
      ? `<circle cx="${cx}" cy="${cy}" r="${width * 0.3}" fill="none" stroke="${ink}" stroke-width="4"/>`
      : shape === 'bar'
        ? `<rect x="${cx - 3}" y="${cy - height * 0.35}" width="6" height="${height * 0.7}" fill="${ink}"/>`
        : `<path d="M${cx - 10} ${cy - 10} L${cx + 10} ${cy + 10} M${cx + 10} ${cy - 10} L${cx - 10} ${cy + 10}" stroke="${ink}" stroke-width="4"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="rgb(${214 - variant}, 196, 160)"/>${body}</svg>`;
}

/** `root/wall-<p>/w<p>_<shape>_<i>.png` for `pictures` walls with `perShape` crops of each shape. */
export async function writeWallCrops(
  root: string,
  pictures: number,
  perShape: number,
): Promise<Array<{ path: string; picture: string; shape: Shape }>> {
  const written: Array<{ path: string; picture: string; shape: Shape }> = [];
  let variant = 0;
  for (let p = 1; p <= pictures; p++) {
    const picture = `wall-${p}`;
    mkdirSync(join(root, picture), { recursive: true });
    for (const shape of SHAPES) {
      for (let i = 0; i < perShape; i++) {
        const file = join(root, picture, `w${p}_${shape}_${i}.png`);
        await sharp(Buffer.from(shapeSvg(shape, variant++ % 40, 32, 48)))
          .greyscale()
          .png()
          .toFile(file);
        written.push({ path: file, picture, shape });
      }
    }
  }
  return written;
}

const PHOTO_COLOURS: Record<string, [number, number, number]> = {
  sky: [60, 110, 230],
  moss: [60, 170, 70],
  brick: [190, 70, 50],
};

/** `root/<class>/<class>_<i>.jpg` photo-like images (a colour with noise), `perClass` per class. */
export async function writePhotoFolders(root: string, perClass: number, offset = 0): Promise<void> {
  for (const [name, [r, g, b]] of Object.entries(PHOTO_COLOURS)) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const seed = offset + i;
      const pixels = Buffer.alloc(40 * 40 * 3);
      for (let k = 0; k < 40 * 40; k++) {
        const noise = ((k * 7919 + seed * 104729) % 41) - 20;
        pixels[k * 3] = Math.max(0, Math.min(255, r + noise));
        pixels[k * 3 + 1] = Math.max(0, Math.min(255, g + noise));
        pixels[k * 3 + 2] = Math.max(0, Math.min(255, b + noise));
      }
      await sharp(pixels, { raw: { width: 40, height: 40, channels: 3 } })
        .jpeg({ quality: 92 })
        .toFile(join(root, name, `${name}_${seed}.jpg`));
    }
  }
}
