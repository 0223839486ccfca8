import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { TaskEvent } from '../../../src-shared/api/types.js';
import { AppError } from '../../../src-shared/errors.js';
import { runDemoTask } from '../../../src-main/tasks/demo-task.js';
import { TaskRunner } from '../../../src-main/tasks/task-runner.js';

function collect(runner: TaskRunner): TaskEvent[] {
  const events: TaskEvent[] = [];
  runner.subscribe((event) => events.push(event));
  return events;
}

const finalTypes = new Set(['done', 'failed', 'cancelled']);

test('a task emits started, progress and exactly one done event', async () => {
  const runner = new TaskRunner({ progressIntervalMs: 0 });
  const events = collect(runner);
  const id = runner.start('demo', 'Demo', (job) => runDemoTask({ steps: 5, stepMs: 0 }, job));
  const final = await runner.waitFor(id);
  assert.equal(final.state, 'done');
  assert.deepEqual(final.result, { steps: 5 });
  assert.equal(events[0]?.type, 'started');
  assert.equal(events.filter((event) => finalTypes.has(event.type)).length, 1);
  assert.equal(events.at(-1)?.type, 'done');
  assert.ok(events.some((event) => event.type === 'progress'));
});

test('progress is throttled but the last value always arrives before the final event', async () => {
  const runner = new TaskRunner({ progressIntervalMs: 10_000 });
  const events = collect(runner);
  const id = runner.start('count', 'Count', async (job) => {
    for (let i = 1; i <= 1000; i++) job.onProgress({ done: i, total: 1000 });
    return 'ok';
  });
  await runner.waitFor(id);
  const progress = events.filter((event) => event.type === 'progress');
  assert.ok(progress.length <= 2, `expected throttling, got ${progress.length} progress events`);
  const last = progress.at(-1);
  assert.ok(last?.type === 'progress' && last.progress.done === 1000);
  assert.equal(events.at(-1)?.type, 'done');
});

test('cancel stops a running task with one cancelled event, and cancelling again is a no-op', async () => {
  const runner = new TaskRunner({ progressIntervalMs: 0 });
  const events = collect(runner);
  const id = runner.start('demo', 'Demo', (job) => runDemoTask({ steps: 1000, stepMs: 5 }, job));
  await delay(30);
  assert.equal(runner.cancel(id), true);
  const final = await runner.waitFor(id);
  assert.equal(final.state, 'cancelled');
  assert.equal(runner.cancel(id), false);
  assert.equal(events.filter((event) => finalTypes.has(event.type)).length, 1);
  assert.equal(events.at(-1)?.type, 'cancelled');
});

test('a job that throws ends as failed with the error code and message', async () => {
  const runner = new TaskRunner();
  const events = collect(runner);
  const id = runner.start('demo', 'Demo', (job) => runDemoTask({ steps: 5, stepMs: 0, failAt: 3 }, job));
  const final = await runner.waitFor(id);
  assert.equal(final.state, 'failed');
  assert.equal(final.error?.code, 'INTERNAL');
  assert.match(final.error?.message ?? '', /step 3/);
  const failed = events.find((event) => event.type === 'failed');
  assert.ok(failed && failed.type === 'failed' && failed.error.code === 'INTERNAL');
});

test('a job that keeps partial work on cancel reports it with the cancelled event', async () => {
  const runner = new TaskRunner();
  const events = collect(runner);
  const id = runner.start('partial', 'Partial', async (job) => {
    job.onProgress({ done: 1, total: 10 });
    await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
    return { committed: 42 };
  });
  await delay(5);
  runner.cancel(id);
  await runner.waitFor(id);
  const cancelled = events.find((event) => event.type === 'cancelled');
  assert.deepEqual(cancelled, { type: 'cancelled', taskId: id, result: { committed: 42 } });
});

test('list shows running tasks so a reloaded renderer can resubscribe; unknown ids are refused', async () => {
  const runner = new TaskRunner();
  const id = runner.start('demo', 'Demo', (job) => runDemoTask({ steps: 1000, stepMs: 5 }, job));
  const listed = runner.list();
  assert.equal(listed.length, 1);
  assert.equal(listed[0]?.id, id);
  assert.equal(listed[0]?.state, 'running');
  runner.cancel(id);
  await runner.waitFor(id);
  assert.throws(
    () => runner.cancel('nope'),
    (error: unknown) => error instanceof AppError && error.code === 'TASK_NOT_FOUND',
  );
});

test('a task cancelled before it starts never runs its job', async () => {
  const runner = new TaskRunner();
  let ran = false;
  const id = runner.start('never', 'Never', async () => {
    ran = true;
  });
  runner.cancel(id);
  assert.equal((await runner.waitFor(id)).state, 'cancelled');
  assert.equal(ran, false);
});

test('only the most recent finished tasks are kept', async () => {
  const runner = new TaskRunner({ keepFinished: 2 });
  for (let i = 0; i < 5; i++) await runner.waitFor(runner.start('quick', `Quick ${i}`, async () => i));
  assert.deepEqual(
    runner.list().map((task) => task.title),
    ['Quick 3', 'Quick 4'],
  );
});
