import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createDispatcher } from '../../../src-main/api/dispatcher.js';
import { createHandlers } from '../../../src-main/api/handlers/index.js';
import { apiMethodNames, type ApiHandlers } from '../../../src-shared/api/contract.js';
import { AppServices } from '../../../src-main/app/app-services.js';
import { createAppDispatcher } from '../../../src-main/api/app-dispatcher.js';

function services() {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-dispatch-'));
  return AppServices.open({
    userDataDir: join(dir, 'user'),
    projectDir: join(dir, 'project'),
    platform: { transport: 'cli', electronVersion: null },
  });
}

test('a valid call returns an ok envelope', async () => {
  const app = services();
  const dispatch = createAppDispatcher(app);
  const result = await dispatch('getProject', {});
  assert.equal(result.ok, true);
  assert.ok(result.ok && (result.value as { name: string }).name === 'project');
  app.close();
});

test('an unknown method is an UNKNOWN_METHOD error, not a crash', async () => {
  const app = services();
  const result = await createAppDispatcher(app)('deleteEverything', {});
  assert.deepEqual(result, {
    ok: false,
    error: { code: 'UNKNOWN_METHOD', message: 'Unknown API method "deleteEverything"' },
  });
  app.close();
});

test('malformed input is an INVALID_INPUT error naming the field', async () => {
  const app = services();
  const dispatch = createAppDispatcher(app);
  const wrongType = await dispatch('cancelTask', { taskId: 7 });
  assert.equal(wrongType.ok, false);
  assert.ok(!wrongType.ok && wrongType.error.code === 'INVALID_INPUT' && wrongType.error.message.includes('taskId'));
  const extraField = await dispatch('listTasks', { surprise: true });
  assert.ok(!extraField.ok && extraField.error.code === 'INVALID_INPUT');
  const notAnObject = await dispatch('startDemoTask', 'steps=5');
  assert.ok(!notAnObject.ok && notAnObject.error.code === 'INVALID_INPUT');
  app.close();
});

test('schema defaults reach the handler', async () => {
  const app = services();
  const result = await createAppDispatcher(app)('startDemoTask', { stepMs: 0 });
  assert.ok(result.ok);
  const taskId = (result.value as { taskId: string }).taskId;
  const final = await app.tasks.waitFor(taskId);
  assert.deepEqual(final.result, { steps: 50 });
  app.close();
});

test('a handler that throws a plain Error becomes INTERNAL and is reported', async () => {
  const app = services();
  const handlers: ApiHandlers = {
    ...createHandlers(app),
    listTasks: () => {
      throw new Error('boom');
    },
  };
  const seen: string[] = [];
  const result = await createDispatcher(handlers, { onInternalError: (method) => seen.push(method) })('listTasks', {});
  assert.deepEqual(result, { ok: false, error: { code: 'INTERNAL', message: 'boom' } });
  assert.deepEqual(seen, ['listTasks']);
  app.close();
});

test('the handlers object implements exactly the contract methods', () => {
  const app = services();
  assert.deepEqual(Object.keys(createHandlers(app)).sort(), [...apiMethodNames].sort());
  app.close();
});

test('pickFolder is UNSUPPORTED where the platform has no dialog', async () => {
  const app = services();
  const result = await createAppDispatcher(app)('pickFolder', {});
  assert.ok(!result.ok && result.error.code === 'UNSUPPORTED');
  app.close();
});

test('a catalog found damaged in the middle of a call is CATALOG_DAMAGED in one line naming the file, not INTERNAL', async () => {
  const app = services();
  const handlers = createHandlers(app);
  const reported: string[] = [];
  const dispatch = createDispatcher(
    {
      ...handlers,
      getCatalogStats: () => {
        throw Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
      },
    },
    { catalogFile: () => app.catalog.file, onInternalError: (method) => reported.push(method) },
  );
  const result = await dispatch('getCatalogStats', {});
  assert.ok(!result.ok);
  assert.equal(result.error.code, 'CATALOG_DAMAGED');
  assert.ok(result.error.message.includes(app.catalog.file), result.error.message);
  assert.equal(result.error.message.split('\n').length, 1);
  assert.deepEqual(reported, [], 'not logged as a bug with its stack');
  app.close();
});
