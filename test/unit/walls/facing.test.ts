import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import type { PixelSource } from '../../../src-main/ml/data/dataset.js';
import {
  directionOf,
  estimateFacing,
  judgeFacing,
  mirrorDirection,
  type ConfidenceOf,
} from '../../../src-main/walls/facing.js';
import { UNAS_DIRECTION } from '../../../src-main/walls/reading-order.js';

test('a mirrored wall is read the other way round: last column first, the other sign of a pair first', () => {
  assert.deepEqual(mirrorDirection(UNAS_DIRECTION), { columns: 'right-first', withinRow: 'left-first' });
  assert.deepEqual(mirrorDirection(mirrorDirection(UNAS_DIRECTION)), UNAS_DIRECTION);
  assert.deepEqual(directionOf(null), UNAS_DIRECTION, 'not judged: read as the training walls are');
  assert.deepEqual(directionOf(false), UNAS_DIRECTION);
  assert.deepEqual(directionOf(true), mirrorDirection(UNAS_DIRECTION));
});

test('facing is voted by crops one side is clearly surer of; symmetric ones abstain, a tie keeps the direction', () => {
  const judged = judgeFacing([0.9, 0.5, 0.6, 0.6, null], [0.3, 0.9, 0.95, 0.62, 0.9]);
  assert.deepEqual(judged, { mirrored: true, compared: 4, asCutVotes: 1, mirroredVotes: 2 });
  assert.equal(judgeFacing([0.9, 0.3], [0.3, 0.9]).mirrored, false, 'a tie keeps the training walls’ direction');
  assert.equal(judgeFacing([0.5, 0.5], [0.52, 0.55]).mirrored, false, 'differences within noise do not vote');
  assert.deepEqual(judgeFacing([], []), { mirrored: false, compared: 0, asCutVotes: 0, mirroredVotes: 0 });
});

/** A crop of a sign pointing right (a triangle, as "trained") or left, or of a symmetric disc. */
async function crop(dir: string, name: string, shape: 'right' | 'left' | 'disc') {
  const body =
    shape === 'disc'
      ? '<circle cx="25" cy="37" r="15" fill="#111"/>'
      : shape === 'right'
        ? '<polygon points="8,15 42,37 8,60" fill="#111"/>'
        : '<polygon points="42,15 8,37 42,60" fill="#111"/>';
  const file = join(dir, `${name}.png`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="50" height="75"><rect width="50" height="75" fill="#ddd"/>${body}</svg>`;
  await sharp(Buffer.from(svg)).grayscale().png().toFile(file);
  return file;
}

/**
 * A stand-in for a classifier trained on right-pointing signs: sure of a crop whose dark
 * mass leans left (a right-pointing triangle's broad base), unsure of one that leans
 * right, and as sure of both sides of a disc.
 */
const trainedOnRightPointing: ConfidenceOf = async (images: PixelSource[]) =>
  images.map((image) => {
    if (image.kind !== 'raw') return null;
    let left = 0;
    let right = 0;
    for (let y = 0; y < image.height; y++)
      for (let x = 0; x < image.width; x++) {
        const dark = 255 - image.data[(y * image.width + x) * image.channels]!;
        if (x < image.width / 2) left += dark;
        else right += dark;
      }
    return left / (left + right);
  });

test('a wall whose signs point the trained way is read as trained; its mirror image is judged mirrored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-facing-'));
  const asTrained = [];
  const mirrored = [];
  for (let i = 0; i < 6; i++) {
    asTrained.push(await crop(dir, `r${i}`, i % 3 === 2 ? 'disc' : 'right'));
    mirrored.push(await crop(dir, `l${i}`, i % 3 === 2 ? 'disc' : 'left'));
  }
  const a = await estimateFacing(asTrained, trainedOnRightPointing);
  assert.deepEqual(a, { mirrored: false, compared: 6, asCutVotes: 4, mirroredVotes: 0 });
  const b = await estimateFacing(mirrored, trainedOnRightPointing);
  assert.deepEqual(b, { mirrored: true, compared: 6, asCutVotes: 0, mirroredVotes: 4 });
  // At most `sample` crops are judged, spread over the wall; an unreadable crop abstains.
  const sampled = await estimateFacing([...mirrored, join(dir, 'missing.png')], trainedOnRightPointing, { sample: 3 });
  assert.equal(sampled.compared, 3);
  const withMissing = await estimateFacing([join(dir, 'missing.png'), ...mirrored], trainedOnRightPointing);
  assert.equal(withMissing.compared, 6);
  assert.equal(withMissing.mirrored, true);
});
