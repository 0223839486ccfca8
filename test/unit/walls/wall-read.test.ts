/**
 * "Read wall" in the app: the wall's crops are classified with a run and the same run
 * judges which way the signs face; a person's word on the direction outlives the read.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/catalog.js';
import { loadClassifier } from '../../../src-main/ml/inference/predict.js';
import { trainClassifier } from '../../../src-main/ml/training/train.js';
import { importWalls } from '../../../src-main/walls/wall-import.js';
import { readWallCrops } from '../../../src-main/walls/wall-read.js';
import { wallDetails } from '../../../src-main/walls/wall-view.js';
import { detachedJob } from '../../../src-shared/progress.js';
import { generatedWall } from '../../helpers/generated-wall.js';
import { useWasm } from '../ml/fixtures.js';

before(async () => {
  await useWasm();
});

test('reading a wall stores a guess for every box and records the facing, keeping a person’s choice', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-wall-read-'));
  const { photo, boxes } = await generatedWall(dir);
  mkdirSync(join(dir, 'project'));
  const catalog = Catalog.open(join(dir, 'project', 'seshat.sqlite'));
  t.after(() => catalog.close());
  const imported = await importWalls(
    { catalog, projectDir: join(dir, 'project'), thumbnailsDir: null },
    { photos: [photo], boxesFile: boxes },
  );
  const wallId = imported.walls[0]!.wallId;
  // A model trained on the wall's own crops (X1 and O49).
  const names = catalog.classes.list().map((c) => c.name);
  const samples = catalog.imageRows().map((row) => ({
    id: String(row.id),
    label: names.indexOf(row.relPath.includes('X1') ? 'X1' : 'O49'),
    source: { kind: 'file' as const, path: join(row.rootPath, row.relPath) },
  }));
  const trained = await trainClassifier(
    {
      dataset: { classes: names, train: samples, validation: samples },
      options: { preset: 'small-cnn', epochs: 1, seed: 3, ensemble: false, input: { width: 16, height: 24 } },
      runDir: join(dir, 'run'),
    },
    detachedJob(),
  );
  const run = catalog.runs.update(catalog.runs.create({ name: 'r', preset: 'small-cnn' }).id, {
    status: 'done',
    weightsPath: trained.modelDir!,
  });
  const classifier = await loadClassifier(trained.modelDir!);
  t.after(() => classifier.dispose());

  const first = await readWallCrops(catalog, run, classifier, wallId, null, detachedJob(), false);
  assert.equal(first.predicted, 12);
  assert.equal(first.facing.compared, 12);
  assert.equal(first.facing.recorded, true);
  assert.deepEqual(catalog.walls.require(wallId).facing, { mirrored: first.facing.mirrored, by: 'model' });
  const details = wallDetails(catalog, wallId);
  assert.equal(details.runId, run.id);
  assert.ok(details.signs.every((sign) => sign.guess !== null));

  // A person says the signs face the other way: the next read reports its judgement but keeps theirs.
  catalog.walls.setFacing(wallId, { mirrored: true, by: 'person' });
  const second = await readWallCrops(catalog, run, classifier, wallId, null, detachedJob(), false);
  assert.equal(second.facing.recorded, false);
  assert.deepEqual(catalog.walls.require(wallId).facing, { mirrored: true, by: 'person' });
  assert.equal(wallDetails(catalog, wallId).direction.columns, 'right-first');
});
