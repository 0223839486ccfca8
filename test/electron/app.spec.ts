import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { electronBinary } from './electron-availability.js';

const binary = electronBinary();
test.skip(binary.path === null, `Electron end-to-end tests skipped: ${binary.reason}`);

const repoRoot = resolve(import.meta.dirname, '../..');
let app: ElectronApplication;

test.beforeAll(async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'seshat-electron-'));
  app = await electron.launch({
    executablePath: binary.path!,
    args: [join(repoRoot, 'out/src-main/electron/main.js'), `--user-data-dir=${join(scratch, 'user')}`],
    env: { ...process.env, SESHAT_PROJECT: join(scratch, 'project') },
  });
});

test.afterAll(async () => {
  await app?.close();
});

test('the window opens sandboxed with context isolation and shows the backend', async () => {
  const page = await app.firstWindow();
  await expect(page.getByRole('navigation', { name: 'Views' })).toBeVisible();
  await expect(page.getByTestId('backend')).toContainText(/wasm|tensorflow|cpu/);
  // The renderer sees named functions only: no ipcRenderer, no require.
  const exposed = await page.evaluate(() => ({
    keys: Object.keys((globalThis as unknown as { seshat: object }).seshat),
    hasRequire: typeof (globalThis as unknown as { require?: unknown }).require !== 'undefined',
    hasProcess: typeof (globalThis as unknown as { process?: unknown }).process !== 'undefined',
  }));
  expect(exposed.keys.sort()).toEqual(['api', 'onEvent', 'platform']);
  expect(exposed.hasRequire).toBe(false);
  expect(exposed.hasProcess).toBe(false);
});

test('a demo task runs and can be cancelled from the status bar', async () => {
  const page = await app.firstWindow();
  await page.getByRole('button', { name: 'Project' }).click();
  await page.getByRole('button', { name: 'Run a demo task' }).click();
  const statusBar = page.getByRole('contentinfo', { name: 'Status bar' });
  await expect(statusBar.getByRole('progressbar', { name: /Demo task/ })).toBeVisible();
  await statusBar.getByRole('button', { name: /Cancel Demo task/ }).click();
  await expect(statusBar.getByTestId('last-task')).toContainText('cancelled');
});

test('navigation away from the app is blocked', async () => {
  const page = await app.firstWindow();
  const before = page.url();
  await page.evaluate(() => {
    (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
  });
  await page.waitForTimeout(500);
  expect(page.url()).toBe(before);
});
