/**
 * readPngDirect: a PNG already at the model's size and channels is read without sharp,
 * and must give exactly sharp's pixels; anything that could change them goes to sharp.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { AppError } from '../../../src-shared/errors.js';
import { decodePixels, type PixelFormat } from '../../../src-main/ml/data/decode.js';
import { readPngDirect } from '../../../src-main/ml/data/png-direct.js';
import { Rng } from '../../../src-main/ml/data/rng.js';
import { tempDir } from './fixtures.js';
import { PNG_SIGNATURE, pngChunk } from '../../helpers/png-chunks.js';

/** A PNG written by hand: row y uses filter type y % 5, so every filter is read back. */
function handMadePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3, extra: Buffer[] = []): Buffer {
  const stride = width * channels;
  const raw = Buffer.alloc(height * (stride + 1));
  const at = (x: number, y: number) => (x < 0 || y < 0 ? 0 : pixels[y * stride + x]!);
  for (let y = 0; y < height; y++) {
    const type = y % 5;
    raw[y * (stride + 1)] = type;
    for (let x = 0; x < stride; x++) {
      const a = at(x - channels, y);
      const b = at(x, y - 1);
      const c = at(x - channels, y - 1);
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predicted = [0, a, b, (a + b) >> 1, paeth][type]!;
      raw[y * (stride + 1) + 1 + x] = (at(x, y) - predicted) & 0xff;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, channels === 1 ? 0 : 2, 0, 0, 0], 8);
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    ...extra,
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function noise(bytes: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  // A gradient with noise, so that the filters' predictions are neither all right nor all wrong.
  return Uint8Array.from({ length: bytes }, (_, i) => (i * 7 + Math.floor(rng.next() * 40)) & 0xff);
}

/** What decodePixels' sharp pipeline makes of `bytes`. */
async function bySharp(bytes: Buffer, format: PixelFormat): Promise<Buffer> {
  let pipeline = sharp(bytes)
    .rotate()
    .flatten({ background: '#ffffff' })
    .resize(format.width, format.height, { fit: 'fill' });
  pipeline = format.channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');
  return pipeline.raw().toBuffer();
}

describe('readPngDirect', () => {
  for (const channels of [1, 3] as const) {
    test(`reads ${channels === 1 ? 'grey' : 'RGB'} PNGs with every filter type exactly as sharp does`, async () => {
      const format = { width: 23, height: 17, channels };
      const png = handMadePng(noise(23 * 17 * channels, channels), 23, 17, channels);
      const direct = readPngDirect(png, format);
      assert.ok(direct, 'read directly');
      assert.deepEqual(Buffer.from(direct), await bySharp(png, format));
    });
  }

  test('reads what sharp writes, with its own choice of filters, exactly as sharp does', async () => {
    const format = { width: 50, height: 75, channels: 1 } as const;
    const png = await sharp(Buffer.from(noise(50 * 75, 9)), { raw: { width: 50, height: 75, channels: 1 } })
      .toColourspace('b-w')
      .png({ adaptiveFiltering: true, compressionLevel: 9 })
      .toBuffer();
    const direct = readPngDirect(png, format);
    assert.ok(direct);
    assert.deepEqual(Buffer.from(direct), await bySharp(png, format));
  });

  test('leaves to sharp what it cannot read exactly, or at another size or channel count', async () => {
    const grey = handMadePng(noise(20 * 10, 1), 20, 10, 1);
    const rgb = await sharp(Buffer.from(noise(20 * 10 * 3, 2)), { raw: { width: 20, height: 10, channels: 3 } });
    const cases: Array<[string, Buffer, PixelFormat]> = [
      ['another size', grey, { width: 10, height: 20, channels: 1 }],
      ['grey for an RGB model', grey, { width: 20, height: 10, channels: 3 }],
      ['RGBA', await rgb.clone().ensureAlpha().png().toBuffer(), { width: 20, height: 10, channels: 3 }],
      ['a palette', await rgb.clone().png({ palette: true }).toBuffer(), { width: 20, height: 10, channels: 3 }],
      ['interlaced', await rgb.clone().png({ progressive: true }).toBuffer(), { width: 20, height: 10, channels: 3 }],
      ['16 bits', await rgb.clone().toColourspace('rgb16').png().toBuffer(), { width: 20, height: 10, channels: 3 }],
      [
        'a colour profile',
        await rgb.clone().withIccProfile('p3').png().toBuffer(),
        { width: 20, height: 10, channels: 3 },
      ],
      [
        'gamma',
        handMadePng(noise(200, 1), 20, 10, 1, [pngChunk('gAMA', Buffer.from([0, 0, 0x5b, 0x8f]))]),
        { width: 20, height: 10, channels: 1 },
      ],
      ['a JPEG', await rgb.clone().jpeg().toBuffer(), { width: 20, height: 10, channels: 3 }],
    ];
    for (const [name, bytes, format] of cases) assert.equal(readPngDirect(bytes, format), null, name);
  });

  test('a damaged PNG is not read directly, and decodePixels names the file', async () => {
    const png = handMadePng(noise(20 * 10, 3), 20, 10, 1);
    const idat = png.indexOf('IDAT') + 8;
    png[idat] = png[idat]! ^ 0xff;
    const format = { width: 20, height: 10, channels: 1 } as const;
    assert.equal(readPngDirect(png, format), null);
    const file = join(await tempDir('png-direct'), 'damaged.png');
    await writeFile(file, png);
    await assert.rejects(
      decodePixels({ kind: 'file', path: file }, format),
      (error: unknown) =>
        error instanceof AppError && error.code === 'IMAGE_UNREADABLE' && error.message.includes(file),
    );
  });

  const crops = join(
    import.meta.dirname,
    '..',
    '..',
    '..',
    '..',
    'shared',
    'datasets',
    'unas-glyphs',
    'Manual',
    'Preprocessed',
  );
  test('reads the Unas crops as sharp does', { skip: !existsSync(crops) && 'no ../shared datasets here' }, async () => {
    const format = { width: 50, height: 75, channels: 1 } as const;
    for (const picture of readdirSync(crops)) {
      for (const name of readdirSync(join(crops, picture)).slice(0, 20)) {
        const png = readFileSync(join(crops, picture, name));
        const direct = readPngDirect(png, format);
        assert.ok(direct, name);
        assert.deepEqual(Buffer.from(direct), await bySharp(png, format), name);
      }
    }
  });
});
