/**
 * Damaged model folders (issue defect 9): loading or importing one is MODEL_INVALID
 * naming the file at fault, not an INTERNAL error that names none; a failed import
 * leaves no run behind.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { AppServices } from '../../../src-main/app/app-services.js';
import { buildSmallCnn } from '../../../src-main/ml/models/presets.js';
import { attachCompanion, COMPANION_DIR } from '../../../src-main/ml/inference/ensemble.js';
import { exportModel } from '../../../src-main/ml/models/model-folder.js';
import { loadClassifier } from '../../../src-main/ml/inference/predict.js';
import { SHAPE_CLASSES, tempDir, useWasm } from './fixtures.js';
import { createAppDispatcher } from '../../../src-main/api/app-dispatcher.js';

let root: string;
let valid: string;

/** A copy of the valid model folder, damaged by `damage`. */
async function damaged(name: string, damage: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(root, name);
  await cp(valid, dir, { recursive: true });
  await damage(dir);
  return dir;
}

const truncatedWeights = (dir: string) => truncate(join(dir, 'weights.bin'), 1024);
const notJson = (dir: string) => writeFile(join(dir, 'model.json'), '{"modelTopology": {');
const noManifest = async (dir: string) => {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  delete json.weightsManifest;
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
};
/** An ensemble whose companion folder is gone (ensemble.json still lists it). */
const missingMember = async (dir: string) => {
  await attachCompanion(dir, valid);
  await rm(join(dir, COMPANION_DIR), { recursive: true });
};

async function assertInvalid(promise: Promise<unknown>, file: string, detail?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: { code?: string; message: string }) => {
    assert.equal(error.code, 'MODEL_INVALID', error.message);
    assert.ok(error.message.startsWith(`${file}:`), `${error.message} should name ${file}`);
    if (detail) assert.match(error.message, detail);
    return true;
  });
}

before(async () => {
  await useWasm();
  root = await tempDir('model-invalid');
  valid = join(root, 'valid');
  const model = buildSmallCnn({ width: 16, height: 16, channels: 3 }, SHAPE_CLASSES.length, 1);
  await exportModel(model, valid, {
    labels: SHAPE_CLASSES,
    preprocessing: {
      preset: 'small-cnn',
      input: { width: 16, height: 16, channels: 3 },
      scale: 1 / 255,
      offset: 0,
      resize: 'stretch',
      background: '#ffffff',
      autoOrient: true,
    },
  });
  model.dispose();
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadClassifier on a damaged model folder', () => {
  test('the valid folder still loads', async () => {
    const classifier = await loadClassifier(valid);
    assert.deepEqual(classifier.labels, SHAPE_CLASSES);
    classifier.dispose();
  });

  test('a truncated weights.bin names weights.bin and both sizes', async () => {
    const dir = await damaged('truncated', truncatedWeights);
    await assertInvalid(
      loadClassifier(dir),
      join(dir, 'weights.bin'),
      /1024 bytes, model\.json expects \d+ \(truncated\?\)/,
    );
  });

  test('a model.json that is not JSON names model.json', async () => {
    const dir = await damaged('not-json', notJson);
    await assertInvalid(loadClassifier(dir), join(dir, 'model.json'), /not valid JSON/);
  });

  test('a model.json without weightsManifest names model.json (it must not load with random weights)', async () => {
    const dir = await damaged('no-manifest', noManifest);
    await assertInvalid(loadClassifier(dir), join(dir, 'model.json'), /weightsManifest/);
  });

  test('a missing labels.json names labels.json', async () => {
    const dir = await damaged('no-labels', (d) => rm(join(d, 'labels.json')));
    await assertInvalid(loadClassifier(dir), join(dir, 'labels.json'), /missing/);
  });

  test('labels.json with fewer classes than the model has outputs names labels.json', async () => {
    const dir = await damaged('few-labels', (d) =>
      writeFile(join(d, 'labels.json'), JSON.stringify(SHAPE_CLASSES.slice(0, 2))),
    );
    await assertInvalid(loadClassifier(dir), join(dir, 'labels.json'), /2 classes, the model has 3 outputs/);
  });

  test('an ensemble with a missing member names the member folder', async () => {
    const dir = await damaged('ensemble', missingMember);
    await assertInvalid(loadClassifier(dir), join(dir, COMPANION_DIR), /ensemble\.json/);
  });
});

describe('importModel of a damaged model folder', () => {
  let app: AppServices;
  let dispatch: ReturnType<typeof createAppDispatcher>;

  before(() => {
    app = AppServices.open({
      userDataDir: join(root, 'user'),
      projectDir: join(root, 'project'),
      platform: { transport: 'cli', electronVersion: null },
    });
    dispatch = createAppDispatcher(app);
  });

  after(() => app.close());

  for (const [name, damage, file] of [
    ['a truncated weights.bin', truncatedWeights, 'weights.bin'],
    ['a model.json that is not JSON', notJson, 'model.json'],
    ['an ensemble with a missing member', missingMember, COMPANION_DIR],
  ] as const) {
    test(`${name} is MODEL_INVALID naming ${file}, and no run is created`, async () => {
      const dir = await damaged(`import-${file}`, damage);
      const result = await dispatch('importModel', { dir });
      assert.equal(result.ok, false, 'the import should fail');
      assert.ok(!result.ok && result.error.code === 'MODEL_INVALID', JSON.stringify(result));
      assert.ok(result.error.message.startsWith(`${join(dir, file)}:`), result.error.message);
      assert.deepEqual(app.catalog.runs.list(), []);
    });
  }

  test('the valid folder still imports as a run', async () => {
    const runs = app.catalog.runs.list().length;
    const result = await dispatch('importModel', { dir: valid });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(app.catalog.runs.list().length, runs + 1);
  });
});
