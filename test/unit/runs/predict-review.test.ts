/**
 * Model-assisted labelling: the review can take the model's 2nd or 3rd guess, the
 * folder CSV holds only the folder asked for (with each image's current label), and
 * an accept threshold is backed by how often predictions above it were right.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/catalog.js';
import { importFolders } from '../../../src-main/import/index.js';
import { evaluatePredictions, thresholdPrecision } from '../../../src-main/ml/inference/metrics.js';
import { acceptPredictions, predictionsCsv } from '../../../src-main/runs/predict-service.js';
import { tempDir, writeImage } from '../../helpers/images.js';
import { databaseOf } from '../../../src-main/catalog/database-handle.js';

async function projectWithPredictions(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  for (let i = 0; i < 3; i++) await writeImage(join(dir, 'walls'), `north/n_${i}.png`, { seed: i + 1 });
  for (let i = 0; i < 2; i++) await writeImage(join(dir, 'walls'), `south/s_${i}.png`, { seed: 20 + i });
  const catalog = Catalog.open(join(dir, 'seshat.sqlite'));
  t.after(() => catalog.close());
  await importFolders(catalog, { roots: [join(dir, 'walls')], labelSource: { kind: 'none' }, thumbnailsDir: null });
  const [g17, m17, x1] = ['G17', 'M17', 'X1'].map((name) => catalog.classes.create({ name }).id) as [
    number,
    number,
    number,
  ];
  const run = catalog.runs.create({ name: 'r', preset: 'small-cnn' });
  const ids = databaseOf(catalog).prepare('SELECT id FROM images ORDER BY id').pluck().all() as number[];
  catalog.runs.savePredictions(
    run.id,
    ids.map((imageId) => ({
      imageId,
      classId: g17,
      confidence: 0.6,
      topK: [
        { classId: g17, p: 0.6 },
        { classId: m17, p: 0.3 },
        { classId: x1, p: 0.1 },
      ],
    })),
  );
  return { dir, catalog, run, ids, classes: { g17, m17, x1 } };
}

test('the review takes the model’s second or third guess by rank, as model labels', async (t) => {
  const { catalog, run, ids, classes } = await projectWithPredictions(t);
  assert.equal(acceptPredictions(catalog, run.id, [ids[0]!], 2).changed, 1);
  assert.equal(acceptPredictions(catalog, run.id, [ids[1]!], 3).changed, 1);
  assert.equal(acceptPredictions(catalog, run.id, [ids[2]!]).changed, 1);
  const written = [ids[0]!, ids[1]!, ids[2]!]
    .map((id) => catalog.labels.get(id))
    .map((label) => [label?.classId, label?.source]);
  assert.deepEqual(written, [
    [classes.m17, 'model'],
    [classes.x1, 'model'],
    [classes.g17, 'model'],
  ]);
  assert.equal(acceptPredictions(catalog, run.id, [ids[3]!], 6).changed, 0, 'no 6th guess: nothing written');
  assert.match(catalog.labels.peekUndo()?.description ?? '', /Accept 1 prediction/);
});

test('the folder CSV holds only that folder’s images, with each one’s current label', async (t) => {
  const { dir, catalog, run, ids, classes } = await projectWithPredictions(t);
  catalog.labels.setLabels([{ imageId: ids[0]!, classId: classes.x1 }]);
  const rows = (await predictionsCsv(catalog, run.id, join(dir, 'walls', 'north'))).trim().split('\n');
  assert.equal(rows[0], 'path,label,predicted,confidence,top5');
  assert.equal(rows.length, 1 + 3, 'north has 3 images; south’s 2 are left out');
  const byPath = new Map(rows.slice(1).map((row) => [row.split(',')[0], row.split(',')]));
  assert.deepEqual(byPath.get(join(dir, 'walls', 'north', 'n_0.png'))?.slice(1, 4), ['X1', 'G17', '0.6000']);
  assert.deepEqual(byPath.get(join(dir, 'walls', 'north', 'n_1.png'))?.slice(1, 3), ['', 'G17']);
  // A folder whose name starts like another's is not inside it.
  assert.equal((await predictionsCsv(catalog, run.id, join(dir, 'walls', 'nor'))).trim().split('\n').length, 1);
  assert.equal((await predictionsCsv(catalog, run.id)).trim().split('\n').length, 1 + 5, 'no folder: every prediction');
});

test('the precision of an accept threshold is read from the validation predictions', () => {
  // Four predictions: 0.95 right, 0.85 wrong, 0.70 right, 0.50 wrong (classes a, b).
  const probabilities = Float32Array.from([0.95, 0.05, 0.85, 0.15, 0.3, 0.7, 0.5, 0.5]);
  const evaluation = evaluatePredictions(probabilities, [0, 1, 1, 1], ['a', 'b'], 2);
  const bins = evaluation.confidenceBins!;
  assert.equal(
    bins.total.reduce((a, b) => a + b, 0),
    4,
  );
  assert.deepEqual(thresholdPrecision(bins, 0.8), { count: 2, coverage: 0.5, precision: 0.5 });
  assert.deepEqual(thresholdPrecision(bins, 0.6), { count: 3, coverage: 0.75, precision: 2 / 3 });
  assert.deepEqual(thresholdPrecision(bins, 0.99), { count: 0, coverage: 0, precision: null });
});
