import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { parseLocations } from '../../../src-main/walls/boxes.js';
import { cropPixels, cropPng, decodePhoto, framedCropPng, GLYPH_FRAME } from '../../../src-main/walls/crops.js';
import { UNAS_ROOT, unasSkip } from './unas-wall.js';

/** A 40×30 grey photo whose pixel (x, y) has value x + 4·y in its first channel. */
async function generatedPhoto(dir: string): Promise<string> {
  const width = 40;
  const height = 30;
  const pixels = Buffer.alloc(width * height * 3, 128);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[(y * width + x) * 3] = x + 4 * y;
  const file = join(dir, 'wall.png');
  await sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(file);
  return file;
}

test('a crop is exactly the box’s pixels, clamped to the photo, and the same bytes when cut again', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'seshat-crops-'));
  try {
    const photo = await decodePhoto(await generatedPhoto(dir));
    const crop = cropPixels(photo, [5, 2, 9, 5]);
    assert.equal(crop.width, 4);
    assert.equal(crop.height, 3);
    assert.equal(crop.pixels[0], 5 + 4 * 2);
    assert.equal(crop.pixels[(2 * 4 + 3) * 3], 8 + 4 * 4);
    const edge = cropPixels(photo, [35, 25, 60, 90]);
    assert.deepEqual([edge.width, edge.height], [5, 5]);
    assert.throws(() => cropPixels(photo, [50, 50, 60, 60]), /outside the 40×30 photo/);
    assert.deepEqual(await cropPng(photo, [5, 2, 9, 5]), await cropPng(photo, [5, 2, 9, 5]));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an unreadable photograph is refused with its name', async () => {
  await assert.rejects(decodePhoto('/no/such/wall.jpg'), { code: 'IMAGE_UNREADABLE', message: /wall\.jpg/ });
});

test('a framed crop fits the glyph frame, centred, never enlarged', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'seshat-crops-'));
  try {
    const photo = await decodePhoto(await generatedPhoto(dir));
    const framed = await sharp(await framedCropPng(photo, [4, 4, 14, 24]))
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.deepEqual([framed.info.width, framed.info.height], [GLYPH_FRAME.width, GLYPH_FRAME.height]);
    // 10×20 sits unscaled at left 20, top 27: its top-left pixel is photo pixel (4, 4).
    assert.equal(framed.data[(27 * GLYPH_FRAME.width + 20) * framed.info.channels], 4 + 4 * 4);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test(
  'crops cut from a real wall by its Locations file match the dataset’s own crops',
  { skip: unasSkip() },
  async () => {
    const signs = parseLocations(readFileSync(`${UNAS_ROOT}/Manual/Locations/3.txt`, 'utf8'), '3.txt');
    const photo = await decodePhoto(`${UNAS_ROOT}/Pictures/egyptianTexts3.jpg`);
    // Signs the dataset did not shrink must match within JPEG error on the sign itself.
    const unscaled = signs.filter(
      ({ box }) => box[2] - box[0] <= GLYPH_FRAME.width && box[3] - box[1] <= GLYPH_FRAME.height,
    );
    assert.ok(unscaled.length > 100);
    for (const sign of unscaled) {
      const ours = await sharp(await framedCropPng(photo, sign.box))
        .grayscale()
        .raw()
        .toBuffer();
      const theirs = await sharp(`${UNAS_ROOT}/Manual/Preprocessed/3/${sign.file}`).grayscale().raw().toBuffer();
      const [x1, y1, x2, y2] = sign.box;
      const width = x2 - x1;
      const height = y2 - y1;
      // The dataset rounds an odd margin either way: take the better of the two placements.
      const errors = [Math.floor, Math.ceil].map((round) => {
        const left = round((GLYPH_FRAME.width - width) / 2);
        const top = round((GLYPH_FRAME.height - height) / 2);
        const ourLeft = Math.floor((GLYPH_FRAME.width - width) / 2);
        const ourTop = Math.floor((GLYPH_FRAME.height - height) / 2);
        let sum = 0;
        for (let y = 0; y < height; y++)
          for (let x = 0; x < width; x++)
            sum += Math.abs(
              ours[(y + ourTop) * GLYPH_FRAME.width + x + ourLeft]! - theirs[(y + top) * GLYPH_FRAME.width + x + left]!,
            );
        return sum / (width * height);
      });
      assert.ok(
        Math.min(...errors) <= 5,
        `${sign.file}: mean difference ${Math.min(...errors).toFixed(1)} grey levels`,
      );
    }
  },
);
