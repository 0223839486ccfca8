/**
 * Dataset helpers, decoding, the pixel store and augmentation.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { AppError } from '../../../src-shared/errors.js';
import { augmentInto, DEFAULT_AUGMENT, NO_AUGMENT, resolveAugment } from '../../../src-main/ml/data/augment.js';
import { ImageBatchSource, UNIT_SCALE } from '../../../src-main/ml/data/batches.js';
import { classWeights, stratifiedSplit, type Sample } from '../../../src-main/ml/data/dataset.js';
import { decodePixels } from '../../../src-main/ml/data/decode.js';
import { PixelStore } from '../../../src-main/ml/data/pixel-store.js';
import { Rng } from '../../../src-main/ml/data/rng.js';
import { shapeSamples, tempDir } from './fixtures.js';

describe('Rng', () => {
  test('is reproducible from a seed and restorable from its state', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const first = [a.next(), a.next(), a.next()];
    assert.deepEqual(first, [b.next(), b.next(), b.next()]);
    const state = a.getState();
    const next = a.next();
    a.setState(state);
    assert.equal(a.next(), next);
    assert.notEqual(first[0], new Rng(43).next());
  });

  test('shuffle is a permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = new Rng(1).shuffle([...items]);
    assert.notDeepEqual(shuffled, items);
    assert.deepEqual(
      [...shuffled].sort((x, y) => x - y),
      items,
    );
  });
});

describe('stratifiedSplit', () => {
  const items = [
    ...Array.from({ length: 50 }, (_, i) => ({ id: `a${i}`, label: 0 })),
    ...Array.from({ length: 10 }, (_, i) => ({ id: `b${i}`, label: 1 })),
    { id: 'c0', label: 2 },
  ];

  test('takes the fraction within each class and keeps singletons for training', () => {
    const { train, validation } = stratifiedSplit(items, 0.2, 3);
    const count = (list: typeof items, label: number): number => list.filter((i) => i.label === label).length;
    assert.equal(count(validation, 0), 10);
    assert.equal(count(validation, 1), 2);
    assert.equal(count(validation, 2), 0);
    assert.equal(count(train, 2), 1);
    assert.equal(train.length + validation.length, items.length);
  });

  test('is reproducible by seed', () => {
    const ids = (seed: number): string[] => stratifiedSplit(items, 0.2, seed).validation.map((i) => i.id);
    assert.deepEqual(ids(9), ids(9));
    assert.notDeepEqual(ids(9), ids(10));
  });
});

describe('classWeights', () => {
  test('balanced weights are inversely proportional to counts', () => {
    const labels = [0, 0, 0, 1];
    assert.deepEqual(Array.from(classWeights(labels, 3, 'balanced')), Array.from(Float32Array.of(4 / 6, 2, 0)));
    assert.deepEqual(Array.from(classWeights(labels, 3, 'none')), [1, 1, 1]);
    assert.deepEqual(Array.from(classWeights(labels, 3, [1, 2, 3])), [1, 2, 3]);
    assert.throws(() => classWeights(labels, 3, [1, 2]));
  });
});

describe('decodePixels', () => {
  test('resizes, converts channels and puts transparency on white', async () => {
    const dir = await tempDir('decode');
    const path = join(dir, 'a.png');
    // 4×2 RGBA: left half opaque black, right half fully transparent.
    const rgba = Buffer.alloc(4 * 2 * 4);
    for (let p = 0; p < 8; p++) rgba[p * 4 + 3] = p % 4 < 2 ? 255 : 0;
    await sharp(rgba, { raw: { width: 4, height: 2, channels: 4 } })
      .png()
      .toFile(path);
    const gray = await decodePixels({ kind: 'file', path }, { width: 4, height: 2, channels: 1 });
    assert.deepEqual(Array.from(gray), [0, 0, 255, 255, 0, 0, 255, 255]);
    const rgb = await decodePixels({ kind: 'file', path }, { width: 2, height: 3, channels: 3 });
    assert.equal(rgb.length, 2 * 3 * 3);
    await rm(dir, { recursive: true, force: true });
  });

  test('an unreadable file is IMAGE_UNREADABLE', async () => {
    const dir = await tempDir('decode');
    const path = join(dir, 'bad.png');
    await writeFile(path, 'not an image');
    await assert.rejects(
      decodePixels({ kind: 'file', path }, { width: 4, height: 4, channels: 1 }),
      (error: unknown) => {
        return error instanceof AppError && error.code === 'IMAGE_UNREADABLE';
      },
    );
    await rm(dir, { recursive: true, force: true });
  });
});

describe('PixelStore', () => {
  const format = { width: 8, height: 8, channels: 3 as const };

  test('decodes once into a cache file that a later build reuses (by hash)', async () => {
    const dir = await tempDir('store');
    const samples: Sample[] = shapeSamples(6, 8, 1).map((s, i) => ({ ...s, hash: `h${i}` }));
    const cacheFile = join(dir, 'pixels.u8');
    const first = await PixelStore.build(samples, format, { cacheFile });
    assert.equal(first.failures.length, 0);
    assert.ok(first.store.inMemory);
    const expected = new Uint8Array(first.store.bytesPerImage);
    first.store.read(4, expected);
    first.store.close();

    // Same hashes, pixels gone: only the cache can answer.
    const gone: Sample[] = samples.map((s) => ({ ...s, source: { kind: 'file', path: join(dir, 'missing.png') } }));
    const second = await PixelStore.build(gone, format, { cacheFile, memoryBudgetBytes: 0 });
    assert.equal(second.failures.length, 0);
    assert.equal(second.store.inMemory, false, 'over budget: streamed from the file');
    const actual = new Uint8Array(second.store.bytesPerImage);
    second.store.read(4, actual);
    assert.deepEqual(actual, expected);
    second.store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('reports undecodable images and reads them as zeros', async () => {
    const samples: Sample[] = [
      ...shapeSamples(2, 8, 2),
      { id: 'broken', label: 0, source: { kind: 'file', path: '/nonexistent/x.png' } },
    ];
    const { store, failures } = await PixelStore.build(samples, format);
    assert.deepEqual(
      failures.map((f) => f.id),
      ['broken'],
    );
    assert.ok(store.failed.has(2));
    const out = new Uint8Array(store.bytesPerImage).fill(7);
    store.read(2, out);
    assert.ok(out.every((v) => v === 0));
  });
});

describe('augmentation', () => {
  const size = 12;
  const src = new Uint8Array(size * size).map((_, i) => ((i % size) * 20) % 256); // a left-to-right ramp

  function augment(options: typeof DEFAULT_AUGMENT, seed: number): Float32Array {
    const out = new Float32Array(size * size);
    augmentInto(src, 0, out, 0, size, size, 1, options, new Rng(seed));
    return out;
  }

  test('is reproducible by seed and varies between seeds', () => {
    assert.deepEqual(augment(DEFAULT_AUGMENT, 5), augment(DEFAULT_AUGMENT, 5));
    assert.notDeepEqual(augment(DEFAULT_AUGMENT, 5), augment(DEFAULT_AUGMENT, 6));
  });

  test('no-op options copy the image exactly', () => {
    assert.deepEqual(Array.from(augment(NO_AUGMENT, 1)), Array.from(src));
  });

  test('flip mirrors only when enabled, and glyph mode refuses it', () => {
    const mirrored = Array.from(src).map((_, i) => src[Math.floor(i / size) * size + (size - 1 - (i % size))]!);
    const flipOnly = { ...NO_AUGMENT, flip: true };
    const outcomes = Array.from({ length: 8 }, (_, seed) => Array.from(augment(flipOnly, seed)));
    assert.ok(
      outcomes.some((o) => o.join() === mirrored.join()),
      'some draws mirror',
    );
    assert.ok(
      outcomes.some((o) => o.join() === Array.from(src).join()),
      'some draws do not',
    );
    assert.equal(resolveAugment(undefined, false).flip, false, 'off by default');
    assert.throws(() => resolveAugment({ flip: true }, true), /glyph/);
  });

  test('stroke wear thickens or thins a line by one pixel and keeps the tones', () => {
    // A dark vertical line two pixels wide on a light ground.
    const line = new Uint8Array(size * size).map((_, i) => (i % size === 5 || i % size === 6 ? 20 : 230));
    const wear = { ...NO_AUGMENT, stroke: 1 };
    const widths = new Set<number>();
    for (let seed = 0; seed < 12; seed++) {
      const out = new Float32Array(size * size);
      augmentInto(line, 0, out, 0, size, size, 1, wear, new Rng(seed));
      const row = Array.from(out.subarray(size * 6, size * 7));
      assert.ok(
        row.every((v) => v === 20 || v === 230),
        `only the two tones: ${row.join()}`,
      );
      widths.add(row.filter((v) => v === 20).length);
    }
    assert.deepEqual([...widths].sort(), [0, 4]); // min filter: 4 dark columns; max: the 2-px line vanishes
  });

  test('gamma, noise and blur change the pixels, stay in range, and are reproducible by seed', () => {
    for (const options of [
      { ...NO_AUGMENT, gamma: 0.4 },
      { ...NO_AUGMENT, noise: 0.05 },
      { ...NO_AUGMENT, blur: 1 },
    ]) {
      const once = augment(options, 3);
      assert.deepEqual(once, augment(options, 3), JSON.stringify(options));
      assert.notDeepEqual(Array.from(once), Array.from(src), JSON.stringify(options));
      assert.ok(
        once.every((v) => v >= 0 && v <= 255),
        JSON.stringify(options),
      );
    }
    assert.throws(() => resolveAugment({ blur: 1.5 }, true), /blur is a chance/);
    assert.throws(() => resolveAugment({ noise: -0.1 }, true), /noise must be a number/);
  });

  test('ImageBatchSource scales pixels and augments only when asked', async () => {
    const samples = shapeSamples(3, 8, 4);
    const { store } = await PixelStore.build(samples, { width: 8, height: 8, channels: 3 });
    const source = new ImageBatchSource(store, [0, 1, 2], UNIT_SCALE, DEFAULT_AUGMENT, 1);
    const plain = new Float32Array(2 * 8 * 8 * 3);
    source.fill([2, 0], plain, false);
    const raw = samples[2]!.source as { data: Uint8Array };
    assert.ok(Math.abs(plain[5]! - raw.data[5]! / 255) < 1e-6);
    const warped = new Float32Array(plain.length);
    source.fill([2, 0], warped, true);
    assert.notDeepEqual(warped, plain);
    assert.ok(warped.every((v) => v >= 0 && v <= 1));
  });
});
