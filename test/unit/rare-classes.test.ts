import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { trainingImagesPerClass } from '../../src-main/runs/dataset-snapshot.js';
import { rareClassSummary } from '../../src-renderer/src/state/rare-classes.js';

const row = (label: string, recall: number, support: number) => ({ label, precision: 1, recall, f1: recall, support });

test('rare classes: their accuracy, the others\', and which to label next, weakest first', () => {
  const summary = rareClassSummary({
    classes: ['A', 'B', 'C', 'D', 'E', 'F'],
    trainingImages: [2, 5, 6, 50, 1, 3],
    perClass: [row('A', 0.5, 2), row('B', 1, 1), row('C', 0.5, 2), row('D', 1, 10), row('E', 0, 0), row('F', 0, 1)],
  });
  // A, B and F have 5 or fewer training images (E has no evaluated image and is left out).
  assert.deepEqual(summary, {
    classes: 3,
    images: 4,
    accuracy: 2 / 4,
    otherAccuracy: 11 / 12,
    labelNext: [
      { label: 'F', trainingImages: 3, recall: 0 },
      { label: 'A', trainingImages: 2, recall: 0.5 },
    ],
  });
});

test('no summary without training counts or without a rare class', () => {
  const perClass = [row('A', 1, 3), row('B', 0.5, 2)];
  assert.equal(rareClassSummary({ classes: ['A', 'B'], trainingImages: null, perClass }), null);
  assert.equal(rareClassSummary({ classes: ['A', 'B'], perClass }), null, 'an evaluation stored before counts were kept');
  assert.equal(rareClassSummary({ classes: ['A', 'B'], trainingImages: [6, 40], perClass }), null);
  assert.equal(rareClassSummary({ classes: ['A', 'B'], trainingImages: [6, 40], perClass }, 6)?.classes, 1, 'the threshold is inclusive');
});

test('training images per class come from the dataset record beside the model folder', async () => {
  const runDir = await mkdtemp(join(tmpdir(), 'seshat-run-'));
  const images = [
    { id: 1, label: 'G43', split: 'train' },
    { id: 2, label: 'G43', split: 'train' },
    { id: 3, label: 'G43', split: 'test' },
    { id: 4, label: 'M17', split: 'train' },
    { id: 5, label: 'X1', split: 'validation' },
  ];
  await writeFile(join(runDir, 'dataset.json'), JSON.stringify({ hash: 'h', classes: ['G43', 'M17'], images, counts: { train: 3, validation: 1, test: 1 } }));
  await mkdir(join(runDir, 'model'));
  assert.deepEqual(Object.fromEntries((await trainingImagesPerClass(join(runDir, 'model')))!), { G43: 2, M17: 1 });
  assert.equal(await trainingImagesPerClass(join(runDir, 'elsewhere', 'model')), null, 'no record: an imported model');
});
