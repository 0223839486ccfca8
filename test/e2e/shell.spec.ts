import { expect, test } from '@playwright/test';
import { serveTestProject, type ServedApp } from '../helpers/web-server-process.js';

let served: ServedApp;

test.beforeAll(async () => {
  served = await serveTestProject();
});

test.afterAll(async () => {
  await served?.stop();
});

test('the shell shows the project and the ML backend it chose', async ({ page }) => {
  await page.goto(served.openUrl);
  await expect(page.getByRole('navigation', { name: 'Views' })).toBeVisible();
  await expect(page.getByTestId('backend')).toContainText('wasm');
  await expect(page.getByTestId('backend')).toContainText('WebAssembly');
  // The token is moved out of the address bar once read.
  expect(page.url()).not.toContain('token=');
});

test('the API refuses a request without the token', async ({ request }) => {
  const response = await request.post(`${served.url}api/call/getAppInfo`, { data: {} });
  expect(response.status()).toBe(401);
  const body = await response.json();
  expect(body.error.code).toBe('UNAUTHORIZED');
});

test('a demo task shows progress in the status bar and can be cancelled', async ({ page }) => {
  await page.goto(served.openUrl);
  await page.getByRole('button', { name: 'Project' }).click();
  await page.getByRole('button', { name: 'Run a demo task' }).click();
  const statusBar = page.getByRole('contentinfo', { name: 'Status bar' });
  const bar = statusBar.getByRole('progressbar', { name: /Demo task/ });
  await expect(bar).toBeVisible();
  // Progress moves: the bar's value rises above zero.
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
  await statusBar.getByRole('button', { name: /Cancel Demo task/ }).click();
  await expect(statusBar.getByTestId('last-task')).toContainText('cancelled');
  await expect(bar).toHaveCount(0);
});

test('navigation switches views with the rail and with Ctrl+number', async ({ page }) => {
  await page.goto(served.openUrl);
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.locator('main')).toHaveAttribute('data-view', 'train');
  await page.keyboard.press('Control+6');
  await expect(page.locator('main')).toHaveAttribute('data-view', 'predict');
  // No model yet: nothing to accept, so the button says so instead of doing nothing.
  await expect(page.getByRole('button', { name: /Accept all/ })).toBeDisabled();
});

test('opening a missing project folder shows the error and keeps the current project', async ({ page }) => {
  await page.goto(served.openUrl);
  await page.getByRole('button', { name: 'Project' }).click();
  await page.getByLabel('Project folder').fill('/definitely/not/here');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveAttribute('data-code', 'PROJECT_INVALID');
  await expect(page.getByRole('alert')).toContainText('/definitely/not/here');
});
