import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeClassFolders } from '../helpers/tiny-images.js';
import { serveTestProject, type ServedApp } from '../helpers/web-server-process.js';
import { callApi, waitForIdle } from '../helpers/web-api.js';

// The tests build on each other's catalog, in order.
test.describe.configure({ mode: 'serial' });

let served: ServedApp;
let labelledRoot: string;
let unlabelledRoot: string;
let scratch: string;

const api = <T = unknown>(method: string, input: unknown = {}) => callApi<T>(served, method, input);

const waitForTasks = () => waitForIdle(served);

const sidebarRow = (page: Page, name: string) => page.locator(`[data-class-row="${name}"]`).first();
const unlabeledCount = (page: Page) =>
  page.getByRole('complementary', { name: 'Classes' }).getByRole('button', { name: /^Unlabeled/ });

test.beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'seshat-library-'));
  labelledRoot = join(scratch, 'labelled');
  unlabelledRoot = join(scratch, 'new-wall');
  await writeClassFolders(labelledRoot, { G43: 4, D58: 3, M17: 2 });
  await writeClassFolders(unlabelledRoot, { crops: 6 }, 20);
  served = await serveTestProject();
});

test.afterAll(async () => {
  await served?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('import a folder per class through the dialog, with a preview first', async ({ page }) => {
  await page.goto(served.openUrl);
  await page.getByRole('button', { name: 'Import images…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import images' });
  await dialog.getByLabel('Folder 1').fill(labelledRoot);
  await expect(dialog.getByTestId('preview-summary')).toContainText('9 images · 3 classes');
  await dialog.getByRole('button', { name: /Import 9 images/ }).click();
  const report = page.getByRole('dialog', { name: 'Import report' });
  await expect(report.getByTestId('import-counts')).toContainText('9 imported');
  await report.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('result-count')).toContainText('9 images');
});

test('the G43 class shows its hieroglyph beside the code', async ({ page }) => {
  await page.goto(served.openUrl);
  await expect(sidebarRow(page, 'G43')).toContainText('𓅱');
  await expect(sidebarRow(page, 'D58')).toContainText('𓃀');
});

test('label by keyboard: a digit labels the focused image and moves on', async ({ page }) => {
  await api('startImport', { roots: [unlabelledRoot], labelSource: { kind: 'none' } });
  await waitForTasks();
  await page.goto(served.openUrl);
  await expect(unlabeledCount(page)).toContainText('6');
  await unlabeledCount(page).click();
  await expect(page.getByTestId('result-count')).toContainText('6 images');
  // Digits follow the sidebar's Gardiner order: D58 → 1, G43 → 2, M17 → 3.
  await expect(sidebarRow(page, 'D58').locator('kbd')).toHaveText('1');
  const second = await page.locator('[data-index="1"]').getAttribute('data-image-id');
  await page.locator('[data-index="0"]').click();
  await page.keyboard.press('2');
  await expect(unlabeledCount(page)).toContainText('5');
  await expect(sidebarRow(page, 'G43')).toContainText('5');
  // The labelled image left the Unlabeled list; the focus is on the next one, not one further.
  await expect(page.locator('.thumb.focused')).toHaveAttribute('data-image-id', second!);
  await expect(page.locator('.thumb.focused')).toHaveAttribute('data-label', '');
});

test('bulk-label a selection with the picker, then undo and redo', async ({ page }) => {
  await page.goto(served.openUrl);
  await unlabeledCount(page).click();
  await expect(page.getByTestId('result-count')).toContainText('5 images');
  await page.locator('[data-index="0"]').click();
  await page.keyboard.press('Control+a');
  await expect(page.getByTestId('result-count')).toContainText('5 selected');
  await page.keyboard.press('Enter');
  const picker = page.getByRole('dialog', { name: 'Choose a class' });
  await picker.getByLabel('Search classes').fill('m17');
  await expect(picker.getByRole('option').first()).toContainText('M17');
  await page.keyboard.press('Enter');
  await expect(unlabeledCount(page)).toContainText('0');
  await expect(sidebarRow(page, 'M17')).toContainText('7');

  await page.keyboard.press('Control+z');
  await expect(unlabeledCount(page)).toContainText('5');
  await expect(sidebarRow(page, 'M17')).toContainText('2');
  await page.keyboard.press('Control+Shift+Z');
  await expect(unlabeledCount(page)).toContainText('0');
});

test('filters combine and their counts follow', async ({ page }) => {
  await page.goto(served.openUrl);
  await sidebarRow(page, 'M17').click();
  await expect(page.getByTestId('result-count')).toContainText('7 images');
  await page.getByLabel('Label source filter').selectOption('human');
  await expect(page.getByTestId('result-count')).toContainText('5 images');
  await page.getByLabel('Search paths').fill('crops_001');
  await expect(page.getByTestId('result-count')).toContainText('1 images');
});

test('the picker finds a class by its description', async ({ page }) => {
  await api('importClassList', { text: 'name,description\nG43,quail chick\nD58,foot walking' });
  await page.goto(served.openUrl);
  await page.locator('[data-index="0"]').click();
  await page.keyboard.press('Enter');
  const picker = page.getByRole('dialog', { name: 'Choose a class' });
  await picker.getByLabel('Search classes').fill('quail');
  await expect(picker.getByRole('option').first()).toContainText('G43');
  await page.keyboard.press('Escape');
  await expect(picker).toHaveCount(0);
});

test('merging two classes relabels every image of the first', async ({ page }) => {
  await page.goto(served.openUrl);
  await page.getByRole('button', { name: 'Manage…' }).click();
  const manager = page.getByRole('dialog', { name: 'Manage classes' });
  await manager.getByLabel('Merge this class').selectOption({ label: 'D58' });
  await manager.getByLabel('Into this class').selectOption({ label: 'M17' });
  await manager.getByRole('button', { name: 'Merge', exact: true }).click();
  await manager.getByRole('button', { name: 'Done' }).click();
  await expect(sidebarRow(page, 'M17')).toContainText('10');
  await expect(page.locator('[data-class-row="D58"]')).toHaveCount(0);
});

test('a selection pinned to a split stays there when the project is re-split', async ({ page }) => {
  await page.goto(served.openUrl);
  await page.locator('[data-index="0"]').click();
  await page.locator('[data-index="1"]').click({ modifiers: ['Shift'] });
  await expect(page.getByTestId('result-count')).toContainText('2 selected');
  await page.getByLabel('Move selection to split').selectOption('test');
  await page.getByLabel('Split filter').selectOption('test');
  await expect(page.getByTestId('result-count')).toContainText('2 images');
  const pinned = await api('getImageIds', { filter: { split: 'test' } });

  // Every ratio to train: only a pinned image can still be in test afterwards.
  await api('applySplit', { ratios: { train: 1, validation: 0, test: 0 }, seed: 7 });
  expect(await api('getImageIds', { filter: { split: 'test' } })).toEqual(pinned);

  // The inspector unpins one image and hands it back to the automatic split.
  await page.goto(served.openUrl);
  await page.getByLabel('Split filter').selectOption('test');
  await expect(page.getByTestId('result-count')).toContainText('2 images');
  await page.locator('[data-index="0"]').click();
  await expect(page.getByLabel('Split of this image')).toHaveValue('test');
  await page.getByLabel('Split of this image').selectOption('');
  await expect(page.getByTestId('result-count')).toContainText('1 images');
});
