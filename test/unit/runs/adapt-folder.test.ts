/**
 * "Classify folder" with adaptation: the model reads a new folder (a new wall) with
 * batch-norm statistics measured on that folder, on its own copy, so the shared model
 * that dropped images and Evaluate use stays as trained.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/catalog.js';
import { loadClassifier } from '../../../src-main/ml/inference/predict.js';
import { trainClassifier } from '../../../src-main/ml/training/train.js';
import { classifyFolders, predictionsCsv } from '../../../src-main/runs/predict-service.js';
import { detachedJob } from '../../../src-shared/progress.js';
import { tempDir, writeImage } from '../../helpers/images.js';
import { SHAPE_CLASSES, shapeDataset, useWasm } from '../ml/fixtures.js';

before(async () => {
  await useWasm();
});

/** Batch-norm moving statistics of the classifier's first member, flattened. */
function statistics(classifier: Awaited<ReturnType<typeof loadClassifier>>): number[] {
  return classifier.members[0]!.model.layers.filter((layer) => layer.getClassName() === 'BatchNormalization')
    .flatMap((layer) => layer.getWeights().slice(2))
    .flatMap((tensor) => Array.from(tensor.dataSync()));
}

/** A trained model registered as a finished run of a fresh catalog in `dir`. */
async function trainedRun(dir: string, preset: 'cnn-plus' | 'small-cnn', dataset: ReturnType<typeof shapeDataset>) {
  const trained = await trainClassifier(
    {
      dataset,
      options: { preset, epochs: 1, seed: 2, ensemble: false, input: { width: 16, height: 16 } },
      runDir: join(dir, 'run'),
    },
    { signal: new AbortController().signal, onProgress: () => {} },
  );
  const catalog = Catalog.open(join(dir, 'seshat.sqlite'));
  for (const name of SHAPE_CLASSES) catalog.classes.create({ name });
  const run = catalog.runs.update(catalog.runs.create({ name: 'r', preset }).id, {
    status: 'done',
    weightsPath: trained.modelDir!,
  });
  return { catalog, run, modelDir: trained.modelDir! };
}

test('a folder is read with its own batch-norm statistics, and the shared model stays as trained', async (t) => {
  const dir = tempDir(t);
  const { catalog, run, modelDir } = await trainedRun(dir, 'cnn-plus', shapeDataset(24, 24, 16));
  t.after(() => catalog.close());
  // A new "wall": 40 images much darker than anything the model trained on.
  const wall = join(dir, 'new-wall');
  for (let i = 0; i < 40; i++) await writeImage(wall, `crop_${i}.png`, { seed: 10 + i, width: 16, height: 16 });

  const shared = await loadClassifier(modelDir);
  t.after(() => shared.dispose());
  const before = statistics(shared);
  const plain = await classifyFolders(catalog, run, shared, [wall], null, detachedJob(), false);
  assert.equal(plain.adapted, null);
  const confidencesPlain = catalog.imageRows().map((row) => catalog.runs.prediction(run.id, row.id)!.confidence);

  const adapted = await classifyFolders(catalog, run, shared, [wall], null, detachedJob(), true);
  assert.deepEqual(adapted.adapted, { layers: 4, images: 40 });
  assert.equal(adapted.predicted, 40);
  const confidencesAdapted = catalog.imageRows().map((row) => catalog.runs.prediction(run.id, row.id)!.confidence);
  assert.notDeepEqual(confidencesAdapted, confidencesPlain, 'the stored predictions are the adapted model’s');
  assert.deepEqual(statistics(shared), before, 'the shared model’s statistics are untouched');
});

test('a folder of copies of catalogued images is classified too: every copy gets its twin’s prediction', async (t) => {
  const dir = tempDir(t);
  const { catalog, run, modelDir } = await trainedRun(dir, 'small-cnn', shapeDataset(12, 12, 16));
  t.after(() => catalog.close());
  const first = join(dir, 'first');
  const copy = join(dir, 'copy');
  for (let i = 0; i < 5; i++) {
    await writeImage(first, `crop_${i}.png`, { seed: 30 + i, width: 16, height: 16 });
    await writeImage(copy, `again_${i}.png`, { seed: 30 + i, width: 16, height: 16 });
  }
  const classifier = await loadClassifier(modelDir);
  t.after(() => classifier.dispose());
  await classifyFolders(catalog, run, classifier, [first], null, detachedJob(), false);
  const again = await classifyFolders(catalog, run, classifier, [copy], null, detachedJob(), false);
  assert.equal(again.predicted, 5, 'the copies were skipped as duplicates and must still be read');
  assert.equal(catalog.imageRows().length, 5, 'no duplicate rows were added');
  // The folder's CSV lists the copies under their own paths, with their twins' predictions.
  const csv = (await predictionsCsv(catalog, run.id, copy)).trim().split('\n').slice(1);
  assert.deepEqual(
    csv.map((line) => line.split(',')[0]).sort(),
    [0, 1, 2, 3, 4].map((i) => join(copy, `again_${i}.png`)),
  );
  const twins = (await predictionsCsv(catalog, run.id, first)).trim().split('\n').slice(1);
  assert.deepEqual(
    csv.map((line) => line.split(',').slice(1).join(',')).sort(),
    twins.map((line) => line.split(',').slice(1).join(',')).sort(),
  );
});

test('classifying a folder reads its own images, not the whole catalog, and not a sibling’s', async (t) => {
  const dir = tempDir(t);
  const { catalog, run, modelDir } = await trainedRun(dir, 'small-cnn', shapeDataset(12, 12, 16));
  t.after(() => catalog.close());
  // A folder, its sibling whose name starts the same, and a copy of one of the folder's images elsewhere.
  const wall = join(dir, 'walls', 'wall-1');
  const sibling = join(dir, 'walls', 'wall-10');
  for (let i = 0; i < 4; i++) {
    await writeImage(wall, `sub/crop_${i}.png`, { seed: 50 + i, width: 16, height: 16 });
    await writeImage(sibling, `crop_${i}.png`, { seed: 60 + i, width: 16, height: 16 });
  }
  const classifier = await loadClassifier(modelDir);
  t.after(() => classifier.dispose());
  // Both catalogued under one root above them, as an import of `walls/` would.
  await classifyFolders(catalog, run, classifier, [join(dir, 'walls')], null, detachedJob(), false);
  const other = catalog.runs.create({ name: 'second', preset: 'small-cnn' });
  catalog.runs.update(other.id, { status: 'done', weightsPath: modelDir });
  const copies = join(dir, 'copies');
  await writeImage(copies, 'again.png', { seed: 50, width: 16, height: 16 });

  // At a million images, reading every row took 7.5 s and 1 GB per read, and this read it three times.
  let wholeCatalogReads = 0;
  const imageRows = catalog.imageRows.bind(catalog);
  catalog.imageRows = (options) => {
    wholeCatalogReads++;
    return imageRows(options);
  };
  const otherRun = catalog.runs.require(other.id);
  const summary = await classifyFolders(catalog, otherRun, classifier, [wall, copies], null, detachedJob(), false);
  catalog.imageRows = imageRows;
  assert.equal(wholeCatalogReads, 0);
  assert.equal(summary.predicted, 4, 'the folder’s four images (the copy is read through its twin)');
  const predicted = catalog
    .imageRows()
    .filter((row) => catalog.runs.prediction(other.id, row.id))
    .map((row) => row.relPath)
    .sort();
  assert.deepEqual(
    predicted,
    [0, 1, 2, 3].map((i) => `wall-1/sub/crop_${i}.png`),
  );
});
