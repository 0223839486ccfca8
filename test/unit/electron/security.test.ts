import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { SECURE_WEB_PREFERENCES, isAllowedRequestUrl } from '../../../src-main/electron/secure-defaults.js';
import { CONTENT_SECURITY_POLICY } from '../../../src-main/web/security.js';

const repoRoot = resolve(import.meta.dirname, '../../..');

test('the window runs sandboxed, isolated, without Node', () => {
  assert.equal(SECURE_WEB_PREFERENCES.contextIsolation, true);
  assert.equal(SECURE_WEB_PREFERENCES.sandbox, true);
  assert.equal(SECURE_WEB_PREFERENCES.nodeIntegration, false);
  assert.equal(SECURE_WEB_PREFERENCES.webviewTag, false);
});

test('no remote content loads in the window', () => {
  assert.ok(isAllowedRequestUrl('seshat://app/index.html'));
  assert.ok(isAllowedRequestUrl(`seshat://images/${'a'.repeat(32)}/12/${'b'.repeat(16)}/thumb`));
  for (const url of ['https://example.com/x.js', 'http://127.0.0.1:8080/', 'file:///etc/passwd', 'ws://evil/']) {
    assert.equal(isAllowedRequestUrl(url), false, url);
  }
});

test('the CSP allows only our own scripts', () => {
  assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'(;|$)/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-eval/);
  const html = readFileSync(resolve(repoRoot, 'src-renderer/index.html'), 'utf8');
  assert.match(html, /Content-Security-Policy/);
  assert.match(html, /script-src 'self';/);
});

test('the preload exposes named functions, never ipcRenderer itself', () => {
  const preload = readFileSync(resolve(repoRoot, 'src-main/electron/preload.ts'), 'utf8');
  const exposeCalls = [...preload.matchAll(/exposeInMainWorld\(([^)]*)\)/g)].map((match) => match[1]);
  assert.deepEqual(exposeCalls, ["'seshat', bridge"]);
  assert.doesNotMatch(preload, /exposeInMainWorld\([^)]*ipcRenderer/);
  assert.doesNotMatch(preload, /api:\s*ipcRenderer|:\s*ipcRenderer[,\s}]/);
});
