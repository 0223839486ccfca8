import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunRecord } from '../../../src-shared/catalog-records.js';
import { trainingImagesPerClass } from '../../../src-main/runs/dataset-snapshot.js';
import { storedEvaluation, trainingImagesOf } from '../../../src-main/runs/evaluate-service.js';
import { rareClassSummary } from '../../../src-renderer/src/state/rare-classes.js';

const row = (label: string, recall: number, support: number) => ({ label, precision: 1, recall, f1: recall, support });

test("rare classes: their accuracy, the others', and which to label next, weakest first", () => {
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
  assert.equal(rareClassSummary({ classes: ['A', 'B'], trainingImages: [6, 40], perClass }), null);
  assert.equal(
    rareClassSummary({ classes: ['A', 'B'], trainingImages: [6, 40], perClass }, 6)?.classes,
    1,
    'the threshold is inclusive',
  );
});

test('training counts leave out images that could not be decoded', () => {
  const sample = (id: string, label: number) => ({ id, label, source: { kind: 'file' as const, path: `${id}.png` } });
  const dataset = {
    classes: ['G43', 'M17'],
    train: [sample('1', 0), sample('2', 0), sample('3', 1)],
    validation: [sample('4', 1)],
  };
  assert.deepEqual(trainingImagesPerClass(dataset), { G43: 2, M17: 1 });
  assert.deepEqual(trainingImagesPerClass(dataset, new Set(['2'])), { G43: 1, M17: 1 });
});

test("a run's training counts: from its metrics, else from its own dataset record, in the model's class order", async () => {
  const runDir = await mkdtemp(join(tmpdir(), 'seshat-run-'));
  const run = (fields: Partial<RunRecord>): RunRecord =>
    ({
      id: 1,
      name: 'r',
      preset: 'cnn-plus',
      options: {},
      datasetHash: 'h',
      status: 'done',
      metrics: {},
      weightsPath: join(runDir, 'model'),
      createdAt: 0,
      finishedAt: 0,
      ...fields,
    }) as RunRecord;
  try {
    // Metrics (what the last start trained on) come first, ordered as the model's classes.
    assert.deepEqual(
      await trainingImagesOf(run({ metrics: { trainingImages: { G43: 2, M17: 7 } } }), ['M17', 'G43']),
      [7, 2],
    );
    // A class of the model missing from the counts: they belong to other data.
    assert.equal(await trainingImagesOf(run({ metrics: { trainingImages: { G43: 2 } } }), ['G43', 'M17']), null);

    const images = [
      { id: 1, label: 'G43', split: 'train' },
      { id: 2, label: 'G43', split: 'train' },
      { id: 3, label: 'G43', split: 'test' },
      { id: 4, label: 'M17', split: 'train' },
    ];
    await writeFile(
      join(runDir, 'dataset.json'),
      JSON.stringify({ hash: 'h', classes: ['G43', 'M17'], images, counts: { train: 3, validation: 0, test: 1 } }),
    );
    await mkdir(join(runDir, 'model'));
    assert.deepEqual(await trainingImagesOf(run({}), ['G43', 'M17']), [2, 1], 'a run from before metrics kept counts');
    assert.equal(await trainingImagesOf(run({ datasetHash: 'other' }), ['G43', 'M17']), null, 'a record of other data');
    assert.equal(
      await trainingImagesOf(run({ weightsPath: join(runDir, 'elsewhere', 'model') }), ['G43', 'M17']),
      null,
      'no record (an imported model)',
    );
  } finally {
    await rm(runDir, { recursive: true, force: true });
  }
});

test('an evaluation stored before training counts were kept reads back with null counts', () => {
  const old = { split: 'test', classes: ['A'], perClass: [row('A', 1, 1)], count: 1, accuracy: 1 };
  const stored = storedEvaluation({ metrics: { evaluations: { test: old } } } as unknown as RunRecord, 'test');
  assert.equal(stored?.trainingImages, null);
  assert.equal(storedEvaluation({ metrics: {} } as unknown as RunRecord, 'test'), null);
});
