import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import type { ApiEvent } from '../../../src-shared/api/contract.js';
import { AppServices } from '../../../src-main/app/app-services.js';
import { startWebServer, type RunningWebServer } from '../../../src-main/web/web-server.js';
import { createAppDispatcher } from '../../../src-main/api/app-dispatcher.js';

let server: RunningWebServer;
let services: AppServices;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-web-'));
  const staticDir = join(dir, 'dist');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Seshat</title>');
  writeFileSync(join(dir, 'secret.txt'), 'outside the dist folder');
  services = AppServices.open({
    userDataDir: join(dir, 'user'),
    projectDir: join(dir, 'project'),
    platform: { transport: 'web', electronVersion: null },
  });
  server = await startWebServer({ services, dispatch: createAppDispatcher(services), staticDir });
});

after(async () => {
  await server.close();
  services.close();
});

function call(method: string, body: unknown, token: string | null = server.token) {
  return fetch(`${server.url}api/call/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

test('binds to loopback and prints a URL carrying the token', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(new URL(server.openUrl).searchParams.get('token'), server.token);
  assert.ok(server.token.length >= 32);
});

test('API calls without the token, or with a wrong one, get 401', async () => {
  for (const token of [null, 'wrong', `${server.token}x`]) {
    const response = await call('getAppInfo', {}, token);
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
  }
  const image = await fetch(`${server.url}api/images/${'a'.repeat(32)}/1/${'b'.repeat(16)}/thumb`);
  assert.equal(image.status, 401);
});

test('a call with the token returns the envelope', async () => {
  const response = await call('getAppInfo', {});
  assert.equal(response.status, 200);
  const body = (await response.json()) as { ok: boolean; value: { transport: string } };
  assert.equal(body.ok, true);
  assert.equal(body.value.transport, 'web');
});

test('presets carry the defaults the Train view fills its form with', async () => {
  const body = (await (await call('listPresets', {})).json()) as {
    value: Array<{
      id: string;
      defaults: { learningRateSchedule: string; labelSmoothing: number; earlyStoppingPatience: number | null };
      wholeNetworkDefaults: Record<string, unknown> | null;
    }>;
  };
  const defaults = Object.fromEntries(body.value.map((preset) => [preset.id, preset.defaults]));
  assert.deepEqual(
    Object.fromEntries(
      Object.entries(defaults).map(([id, d]) => [
        id,
        [d.learningRateSchedule, d.labelSmoothing, d.earlyStoppingPatience],
      ]),
    ),
    {
      'small-cnn': ['plateau', 0, 5],
      'cnn-plus': ['plateau', 0, 8],
      mobilenet: ['plateau', 0, 6],
      mlp: ['plateau', 0, 5],
      resnet: ['plateau', 0, 8],
    },
  );
  // MobileNet fine-tuned whole has its own; no other preset has that mode.
  const whole = Object.fromEntries(body.value.map((preset) => [preset.id, preset.wholeNetworkDefaults]));
  assert.deepEqual(whole.mobilenet, {
    epochs: 10,
    batchSize: 16,
    learningRate: 1e-3,
    learningRateSchedule: 'cosine',
    labelSmoothing: 0.1,
    earlyStoppingPatience: null,
    mirror: false, // no classes yet: treated as glyphs, never mirrored
  });
  assert.equal(whole['cnn-plus'], null);
});

test('invalid JSON and invalid input are clear INVALID_INPUT errors', async () => {
  const broken = await fetch(`${server.url}api/call/listTasks`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}` },
    body: '{nope',
  });
  assert.equal(broken.status, 400);
  assert.equal(((await broken.json()) as { error: { code: string } }).error.code, 'INVALID_INPUT');
  const wrong = (await (await call('openProject', { dir: 42 })).json()) as {
    ok: boolean;
    error: { code: string; message: string };
  };
  assert.equal(wrong.error.code, 'INVALID_INPUT');
  assert.match(wrong.error.message, /dir/);
});

test('images are served by catalog id only; unknown ids are 404', async () => {
  const project = ((await (await call('getProject', {})).json()) as { value: { id: string } }).value;
  const missing = await fetch(
    `${server.url}api/images/${project.id}/999/${'b'.repeat(16)}/thumb?token=${server.token}`,
  );
  assert.equal(missing.status, 404);
  const byPath = await fetch(
    `${server.url}api/images/${project.id}/..%2f..%2fetc%2fpasswd/${'b'.repeat(16)}/thumb?token=${server.token}`,
  );
  assert.equal(byPath.status, 404);
});

test('static files cannot escape the renderer folder, and HTML carries the CSP', async () => {
  const index = await fetch(server.url);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  const escape = await fetch(`${server.url}..%2fsecret.txt`);
  assert.equal(escape.status, 404);
});

test('requests addressed to another host name are refused (DNS rebinding)', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: server.port, path: '/', headers: { Host: `attacker.example:${server.port}` } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 403);
});

test('the event socket needs the token and then streams task events', async () => {
  const refused = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`);
  const refusal = await new Promise<string>((resolve) => {
    refused.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
    refused.on('error', () => resolve('error'));
  });
  assert.equal(refusal, '401');

  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${server.token}`);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const events: ApiEvent[] = [];
  const finished = new Promise<void>((resolve) => {
    socket.on('message', (data) => {
      const event = JSON.parse(String(data)) as ApiEvent;
      events.push(event);
      if (event.type === 'task' && event.event.type === 'done') resolve();
    });
  });
  const started = (await (await call('startDemoTask', { steps: 3, stepMs: 1 })).json()) as {
    value: { taskId: string };
  };
  await finished;
  socket.close();
  const taskEvents = events
    .filter((event) => event.type === 'task')
    .map((event) => (event.type === 'task' ? event.event : null));
  assert.equal(taskEvents[0]?.type, 'started');
  assert.ok(
    taskEvents.every((event) => event && ('taskId' in event ? event.taskId : event.task.id) === started.value.taskId),
  );
});
