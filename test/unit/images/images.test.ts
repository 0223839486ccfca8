import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { AppError } from '../../../src-shared/errors.js';
import {
  MAX_SIDE,
  hasImageExtension,
  probeImage,
  processImageFile,
  renderThumbnail,
  sha256Hex,
  thumbnailPath,
} from '../../../src-main/images/index.js';
import { imageBuffer, noisyImage, pngHeaderClaiming, tempDir, truncated } from '../../helpers/images.js';

function rejectsWith(code: string, name: string) {
  return (error: unknown) => {
    assert.ok(error instanceof AppError, `expected AppError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.ok(error.message.includes(name), `message names the file: ${error.message}`);
    return true;
  };
}

test('probes PNG, JPEG, WebP, TIFF, GIF and AVIF', async () => {
  for (const format of ['png', 'jpeg', 'webp', 'tiff', 'gif', 'avif'] as const) {
    const info = await probeImage(await imageBuffer({ format, width: 30, height: 20 }), `x.${format}`);
    assert.equal(info.format, format);
    assert.deepEqual([info.width, info.height], [30, 20], format);
    assert.ok(info.channels >= 3, `${format} channels ${info.channels}`);
  }
});

test('an animated GIF is probed and thumbnailed from its first frame', async () => {
  const frame = (r: number) =>
    sharp({ create: { width: 12, height: 12, channels: 4, background: { r, g: 0, b: 0, alpha: 1 } } })
      .png()
      .toBuffer();
  const animated = await sharp([await frame(255), await frame(0)], { join: { animated: true } })
    .gif()
    .toBuffer();
  const info = await probeImage(animated, 'anim.gif');
  assert.deepEqual([info.format, info.width, info.height, info.pages], ['gif', 12, 12, 2]);
  const thumb = await renderThumbnail(animated, 'anim.gif');
  const { data, info: out } = await sharp(thumb).raw().toBuffer({ resolveWithObject: true });
  assert.equal(out.height, 12, 'one frame, not the strip of both');
  assert.ok(data[0]! > 200, 'the first (red) frame is used');
});

test('zero-byte, truncated, and non-image files are IMAGE_UNREADABLE naming the file', async () => {
  await assert.rejects(probeImage(Buffer.alloc(0), 'empty.png'), rejectsWith('IMAGE_UNREADABLE', 'empty.png'));
  await assert.rejects(
    probeImage(Buffer.from('just some text, not a JPEG\n'), 'notes.jpg'),
    rejectsWith('IMAGE_UNREADABLE', 'notes.jpg'),
  );
  // A truncated file may still have a readable header: the decode must catch it.
  for (const format of ['png', 'jpeg'] as const) {
    const cut = truncated(await noisyImage(format));
    const name = `cut.${format}`;
    await assert.rejects(
      (async () => {
        await probeImage(cut, name);
        await renderThumbnail(cut, name);
      })(),
      rejectsWith('IMAGE_UNREADABLE', name),
    );
  }
});

test('SVG content is refused even with an image extension', async () => {
  const svg = Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
  );
  await assert.rejects(probeImage(svg, 'drawing.png'), rejectsWith('IMAGE_UNREADABLE', 'drawing.png'));
});

test('a header claiming 40000×40000 is IMAGE_TOO_LARGE without decoding', async () => {
  const bomb = pngHeaderClaiming(40_000, 40_000);
  assert.ok(bomb.length < 200);
  await assert.rejects(probeImage(bomb, 'bomb.png'), (error: unknown) => {
    rejectsWith('IMAGE_TOO_LARGE', 'bomb.png')(error);
    assert.match((error as Error).message, /40000×40000/);
    return true;
  });
  // Even a decode without the probe is refused by sharp's pixel limit.
  await assert.rejects(renderThumbnail(bomb, 'bomb.png'), rejectsWith('IMAGE_TOO_LARGE', 'bomb.png'));
});

test('the side limit: 30000 px refused, 29999 px accepted', async () => {
  const wide = await sharp({ create: { width: MAX_SIDE, height: 2, channels: 3, background: '#000' } })
    .png()
    .toBuffer();
  await assert.rejects(probeImage(wide, 'wide.png'), rejectsWith('IMAGE_TOO_LARGE', 'wide.png'));
  const ok = await sharp({ create: { width: MAX_SIDE - 1, height: 2, channels: 3, background: '#000' } })
    .png()
    .toBuffer();
  assert.equal((await probeImage(ok, 'ok.png')).width, MAX_SIDE - 1);
  // Also over the pixel count while under the side limit: 20000×20000 = 400 MP.
  await assert.rejects(
    probeImage(pngHeaderClaiming(20_000, 20_000), 'big.png'),
    rejectsWith('IMAGE_TOO_LARGE', 'big.png'),
  );
});

test('EXIF orientation gives the displayed size', async () => {
  const jpeg = await sharp({ create: { width: 40, height: 10, channels: 3, background: '#08f' } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toBuffer();
  const info = await probeImage(jpeg, 'rotated.jpg');
  assert.deepEqual([info.width, info.height], [10, 40]);
  const thumb = await sharp(await renderThumbnail(jpeg, 'rotated.jpg', info.orientation)).metadata();
  assert.deepEqual([thumb.width, thumb.height], [10, 40]);
});

test('processImageFile reads once, hashes, probes and caches a content-addressed thumbnail', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'photo ünïcödé.jpg');
  writeFileSync(file, await noisyImage('jpeg', 600, 400));
  const thumbs = path.join(dir, 'thumbnails');
  const first = await processImageFile(file, { thumbnailsDir: thumbs });
  assert.equal(first.hash, await sha256Hex(readFileSync(file)));
  assert.match(first.hash, /^[0-9a-f]{64}$/);
  assert.equal(first.thumbnail, thumbnailPath(thumbs, first.hash));
  assert.ok(first.thumbnail.includes(path.join('thumbnails', first.hash.slice(0, 2), first.hash.slice(2))));
  assert.equal(first.thumbnailCreated, true);
  const meta = await sharp(first.thumbnail).metadata();
  assert.equal(meta.format, 'webp');
  assert.equal(Math.max(meta.width!, meta.height!), 256);
  const second = await processImageFile(file, { thumbnailsDir: thumbs });
  assert.equal(second.thumbnailCreated, false, 'cached thumbnail reused');
  // Small images are not enlarged.
  const small = path.join(dir, 'small.png');
  writeFileSync(small, await imageBuffer({ width: 50, height: 75 }));
  const s = await processImageFile(small, { thumbnailsDir: thumbs });
  assert.deepEqual([(await sharp(s.thumbnail!).metadata()).width, s.info.width], [50, 50]);
});

test('thumbnails are still written when the cache folder was deleted meanwhile', async (t) => {
  const dir = tempDir(t);
  const thumbs = path.join(dir, 'thumbnails');
  const a = path.join(dir, 'a.png');
  const b = path.join(dir, 'b.png');
  writeFileSync(a, await imageBuffer({ seed: 1 }));
  writeFileSync(b, await imageBuffer({ seed: 2 }));
  await processImageFile(a, { thumbnailsDir: thumbs });
  rmSync(thumbs, { recursive: true });
  const second = await processImageFile(b, { thumbnailsDir: thumbs });
  assert.ok(existsSync(second.thumbnail!));
  assert.deepEqual(
    readdirSync(path.dirname(second.thumbnail!)).filter((n) => n.endsWith('.tmp')),
    [],
  );
});

test('processImageFile reports read errors as IMAGE_UNREADABLE with the file name', async (t) => {
  const dir = tempDir(t);
  const denied = async (): Promise<Buffer> => {
    throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
  };
  await assert.rejects(
    processImageFile(path.join(dir, 'locked.png'), { thumbnailsDir: null, readFile: denied }),
    (error: unknown) => {
      rejectsWith('IMAGE_UNREADABLE', 'locked.png')(error);
      assert.match((error as Error).message, /permission denied/);
      return true;
    },
  );
  await assert.rejects(
    processImageFile(path.join(dir, 'gone.png'), { thumbnailsDir: null }),
    rejectsWith('IMAGE_UNREADABLE', 'gone.png'),
  );
  await assert.rejects(
    processImageFile(path.join(dir, 'huge.tif'), { thumbnailsDir: null, knownSize: 2 * 1024 ** 3 }),
    rejectsWith('IMAGE_TOO_LARGE', 'huge.tif'),
  );
  assert.equal(existsSync(path.join(dir, 'thumbnails')), false);
});

test('image extensions', () => {
  for (const name of ['a.PNG', 'b.jpg', 'c.JPEG', 'd.webp', 'e.tif', 'f.tiff', 'g.gif', 'h.avif'])
    assert.ok(hasImageExtension(name), name);
  for (const name of ['a.txt', 'b.svg', 'png', '.png', 'c.heic']) assert.ok(!hasImageExtension(name), name);
});
