/**
 * Each contract entry declares the changes it causes and the dispatcher announces
 * them, so no handler can forget (setLabels used to announce nothing, and another
 * window or tab kept showing the old labels).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createAppDispatcher } from '../../../src-main/api/app-dispatcher.js';
import { createDispatcher } from '../../../src-main/api/dispatcher.js';
import { AppServices } from '../../../src-main/app/app-services.js';
import { apiMethods, type ApiEvent, type ApiHandlers, type ApiMethodName } from '../../../src-shared/api/contract.js';

/** Calls that change nothing in the project, or announce what they change themselves (with why). */
const ANNOUNCED_ELSEWHERE: Partial<Record<ApiMethodName, string>> = {
  openProject: 'announces the project event with the new project',
  cancelTask: 'the task announces its own end',
  startDemoTask: 'changes nothing',
  startExport: 'writes files outside the project',
  exportModel: 'writes files outside the project',
  exportRunMetrics: 'returns CSV text or writes TensorBoard files outside the project; changes nothing',
  predictImage: 'a dropped image is not catalogued',
  startTraining: 'the trainer announces its run as it changes (run events)',
  resumeRun: 'the trainer announces its run as it changes (run events)',
  exportWall: 'returns text; changes nothing',
  exportSweepMetrics: 'writes files outside the project',
  setWallFacing: 'returns the wall as it now reads; only the Wall view shows the reading direction',
};
const READS = /^(get|list|preview|pick)/;

test('every call that changes the project declares what it changes', () => {
  const silent = (Object.keys(apiMethods) as ApiMethodName[]).filter((name) => {
    const { changes, taskChanges } = apiMethods[name];
    return !READS.test(name) && changes.length === 0 && taskChanges.length === 0 && !(name in ANNOUNCED_ELSEWHERE);
  });
  assert.deepEqual(silent, [], 'declare `changes` or `taskChanges` in the contract (src-shared/api/methods)');
  for (const name of Object.keys(apiMethods) as ApiMethodName[]) {
    if (READS.test(name))
      assert.deepEqual([...apiMethods[name].changes, ...apiMethods[name].taskChanges], [], `${name} reads only`);
  }
});

/** A valid input for each call that declares changes (the stub handlers ignore it). */
const SAMPLE_INPUT: Partial<Record<ApiMethodName, unknown>> = {
  applySplit: {},
  setImageSplit: { imageIds: [1], split: 'train' },
  lockSplit: { split: 'test', locked: true },
  undoImport: { reportId: 1 },
  startImport: { roots: ['/photos'], labelSource: { kind: 'folders' } },
  startRescan: {},
  setLabels: { imageIds: [1], classId: 1 },
  undo: {},
  redo: {},
  createClass: { name: 'G17' },
  updateClass: { classId: 1, name: 'G17' },
  mergeClasses: { sourceId: 1, targetId: 2 },
  deleteClass: { classId: 1 },
  importClassList: { text: 'G17' },
  startEvaluation: {},
  startPrediction: { target: { kind: 'unlabeled' } },
  acceptPredictions: { runId: 1, imageIds: [1] },
  importModel: { dir: '/models/m' },
  renameRun: { runId: 1, name: 'r' },
  deleteRun: { runId: 1 },
  startWallImport: { photos: ['/walls/wall3.jpg'] },
  addWallBox: { wallId: 1, box: [1, 2, 30, 40] },
  moveWallBox: { imageId: 1, box: [1, 2, 30, 40] },
  deleteWallBox: { imageId: 1 },
  findWallSigns: { wallId: 1 },
  addWallBoxes: { wallId: 1, boxes: [[1, 2, 30, 40]] },
  deleteWallBoxes: { imageIds: [1] },
  startWallRead: { wallId: 1 },
  startSweep: { spec: { base: { preset: 'small-cnn' }, space: { grid: { learningRate: [0.001, 0.01] } } } },
  trainBestOfSweep: { sweepId: 1 },
  resumeSweep: { sweepId: 1 },
};

test('the dispatcher announces each call’s declared changes, and a task’s when it ends', async () => {
  const stub = new Proxy({}, { get: () => () => ({ taskId: 'task-1' }) }) as ApiHandlers;
  for (const name of Object.keys(apiMethods) as ApiMethodName[]) {
    const { changes, taskChanges } = apiMethods[name];
    if (changes.length === 0 && taskChanges.length === 0) continue;
    assert.ok(name in SAMPLE_INPUT, `add a sample input for ${name}`);
    let endTask: () => void = () => {};
    const taskEnded = new Promise<void>((resolve) => (endTask = resolve));
    const events: ApiEvent[] = [];
    const dispatch = createDispatcher(stub, { emit: (event) => events.push(event), whenTaskEnds: () => taskEnded });
    const result = await dispatch(name, SAMPLE_INPUT[name]);
    assert.ok(result.ok, `${name}: ${JSON.stringify(result)}`);
    assert.deepEqual(
      events,
      changes.map((change) => ({ type: 'catalog', change })),
      `${name} announces its changes at once`,
    );
    if (taskChanges.length > 0) {
      endTask();
      await taskEnded;
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(
        events.slice(changes.length),
        taskChanges.map((change) => ({ type: 'catalog', change })),
        `${name}'s task changes at its end`,
      );
    }
  }
});

test('labelling through the app announces labels and splits to every window', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-effects-'));
  const app = AppServices.open({
    userDataDir: join(dir, 'user'),
    projectDir: join(dir, 'project'),
    platform: { transport: 'web', electronVersion: null },
  });
  const events: ApiEvent[] = [];
  app.onEvent((event) => events.push(event));
  const dispatch = createAppDispatcher(app);
  app.catalog.images.insertBatch(
    [
      {
        rootId: app.catalog.images.ensureRoot(dir).id,
        relPath: 'a.png',
        hash: 'ab',
        width: 1,
        height: 1,
        channels: 3,
        format: 'png',
        bytes: 1,
        mtimeMs: 1,
      },
    ],
    { operationId: null },
  );
  const created = await dispatch('createClass', { name: 'G17' });
  assert.ok(created.ok);
  const labelled = await dispatch('setLabels', { imageIds: [1], classId: (created.value as { id: number }).id });
  assert.ok(labelled.ok, JSON.stringify(labelled));
  assert.deepEqual(
    events.filter((event) => event.type === 'catalog').map((event) => (event as { change: string }).change),
    ['classes', 'labels', 'splits'],
  );
  app.close();
});
