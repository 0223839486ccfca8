/// <reference lib="dom" />
import { expect, test } from '@playwright/test';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeClassFolders } from '../helpers/tiny-images.js';
import { serveTestProject, type ServedApp } from '../helpers/web-server-process.js';
import { callApi, waitForIdle } from '../helpers/web-api.js';

// Train, then evaluate, then predict: each step builds on the last.
test.describe.configure({ mode: 'serial' });

let served: ServedApp;
let images: string;

const api = <T = unknown>(method: string, input: unknown = {}) => callApi<T>(served, method, input);

const waitForTasks = () => waitForIdle(served);

test.beforeAll(async () => {
  images = join(mkdtempSync(join(tmpdir(), 'seshat-models-')), 'images');
  await writeClassFolders(images, { G43: 12, D58: 12, M17: 12 }, 16);
  served = await serveTestProject({ env: { SESHAT_BACKEND: process.env.SESHAT_BACKEND ?? 'wasm' } });
  await api('startImport', { roots: [images], labelSource: { kind: 'folders' } });
  await waitForTasks();
  await api('applySplit', { ratios: { train: 60, validation: 20, test: 20 }, seed: 1 });
});

test.afterAll(async () => {
  await served?.stop();
});

test('start a run from the Train view, watch the curves move, and stop it', async ({ page }) => {
  await page.goto(served.openUrl);
  await page.getByRole('button', { name: 'Train' }).click();
  // The MobileNet companion is on for CNN+, off for the quick Small CNN, and meaningless for MobileNet itself.
  const combine = page.getByRole('checkbox', { name: /Combine with a MobileNet-features model/ });
  await page.getByRole('radio', { name: /CNN\+/ }).check();
  await expect(combine).toBeChecked();
  await page.getByRole('radio', { name: /MobileNetV2/ }).check();
  await expect(combine).toBeDisabled();
  // Fine-tuning the whole network brings its own epochs and batch size; back to the head, the preset's.
  const epochs = page.getByLabel('Epochs', { exact: true });
  await page.getByLabel('What to train').selectOption('all');
  await expect(epochs).toHaveValue('10');
  await expect(page.getByLabel('Batch size')).toHaveValue('16');
  await expect(page.getByRole('checkbox', { name: /Augment: shifts/ })).toBeEnabled();
  // Gardiner-coded classes: a glyph project, whose signs are never mirrored.
  await expect(page.getByRole('checkbox', { name: /Mirror images/ })).not.toBeChecked();
  await page.getByLabel('What to train').scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath('train-whole-network.png') });
  await page.getByLabel('What to train').selectOption('head');
  await expect(epochs).toHaveValue('40');
  await page.getByRole('radio', { name: /Small CNN/ }).check();
  await expect(combine).not.toBeChecked();
  await page.getByLabel('Epochs', { exact: true }).fill('500');
  // Tiny data stops improving at once; without early stopping the run keeps going until Stop.
  await page.getByRole('checkbox', { name: /Stop early/ }).uncheck();
  await page.getByLabel('Learning-rate schedule').selectOption('cosine');
  await page.getByLabel('Label smoothing').fill('0.1');
  await page.getByRole('button', { name: 'Start training' }).click();
  const charts = page.getByTestId('training-charts');
  await expect
    .poll(async () => Number(await charts.getAttribute('data-epochs')), { timeout: 60_000 })
    .toBeGreaterThanOrEqual(2);
  const run = page.getByRole('region', { name: 'Run', exact: true });
  await run.getByRole('button', { name: 'Stop' }).click();
  await expect(run.getByText('Cancelled')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('region', { name: 'Runs' }).getByRole('button', { name: 'Resume' })).toBeVisible();
  // The run was recorded with what the form said.
  type Settings = { learningRateSchedule?: string; labelSmoothing?: number; epochs?: number };
  const runs = await api<Array<{ id: number; options: Settings; metrics: { options?: Settings } | null }>>(
    'listRuns',
    {},
  );
  const latest = runs.reduce((a, b) => (b.id > a.id ? b : a));
  const asked = { learningRateSchedule: 'cosine', labelSmoothing: 0.1, epochs: 500 };
  expect(latest.options).toMatchObject(asked);
  // And the trainer ran with them (its resolved options).
  expect(latest.metrics?.options).toMatchObject(asked);
});

test('evaluate a model: open a confusion-matrix cell and relabel a mistake', async ({ page }) => {
  await api('startTraining', { settings: { preset: 'small-cnn', epochs: 2, earlyStopping: null } });
  await waitForTasks();
  await page.goto(served.openUrl);
  await page.getByRole('button', { name: 'Evaluate' }).click();
  await page
    .locator('main')
    .getByRole('button', { name: /^Evaluate( again)?$/ })
    .click();
  await expect(page.getByTestId('evaluation-summary')).toContainText('test images', { timeout: 60_000 });
  // Each class's training images, from the run's own dataset record: they add up to the run's train count.
  await expect(page.getByRole('button', { name: 'Training images' })).toBeVisible();
  const runs = await api<Array<{ id: number; metrics: { counts?: { train: number } } | null }>>('listRuns', {});
  const latest = runs.reduce((a, b) => (b.id > a.id ? b : a));
  const trained = (await page.locator('table tbody tr td:nth-child(6)').allTextContents()).map(Number);
  expect(trained).toHaveLength(3);
  expect(trained.reduce((a, b) => a + b, 0)).toBe(latest.metrics?.counts?.train);
  // Every class here has more than five training images, so there is no "label more of these" hint.
  await expect(page.getByTestId('rare-classes')).toHaveCount(0);
  const matrix = page.getByTestId('confusion-matrix');
  await matrix.click({ position: { x: 84 + 6, y: 84 + 6 } });
  await expect(page.getByRole('region', { name: 'Images in the selected cell' })).toBeVisible();

  const mistakes = page.getByRole('region', { name: 'Mistakes' });
  const first = mistakes.getByRole('group').first();
  test.skip((await first.count()) === 0, 'the model made no mistakes to relabel');
  const imageId = Number(await first.getAttribute('data-image-id'));
  await first.getByRole('button', { name: 'Relabel' }).click();
  await expect(mistakes.locator(`[data-image-id="${imageId}"]`)).toHaveCount(0);
  const details = await api<{ labelSource: string }>('getImageDetails', { imageId });
  expect(details.labelSource).toBe('human');
});

test('drop an image on the window and see its top guesses; a text file gets a clear message', async ({ page }) => {
  await page.goto(served.openUrl);
  const png = readFileSync(join(images, 'G43', 'G43_000.png')).toString('base64');
  await page.evaluate(async (data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
    transfer.items.add(new File(['hello'], 'notes.txt', { type: 'text/plain' }));
    document
      .querySelector('.shell')!
      .dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, png);
  await expect(page.locator('main')).toHaveAttribute('data-view', 'predict');
  const results = page.getByTestId('drop-result');
  await expect(results.filter({ hasText: 'notes.txt' })).toContainText('not an image file');
  const dropped = results.filter({ hasText: 'dropped.png' });
  await expect(dropped.locator('ol li')).toHaveCount(3);
  await expect(dropped).toContainText('%');
});
