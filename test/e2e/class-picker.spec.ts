import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeClassFolders } from '../helpers/tiny-images.js';
import { serveTestProject, type ServedApp } from '../helpers/web-server-process.js';
import { callApi, waitForIdle } from '../helpers/web-api.js';

// A new project: images but no classes, so everything the picker offers comes from Unicode's sign list.
test.describe.configure({ mode: 'serial' });

let served: ServedApp;

const api = <T = unknown>(method: string, input: unknown = {}) => callApi<T>(served, method, input);

const waitForTasks = () => waitForIdle(served);

const sidebarRow = (page: Page, name: string) => page.locator(`[data-class-row="${name}"]`).first();

/** Opens the picker on the first image that has no label yet. */
async function openPicker(page: Page) {
  await page.goto(served.openUrl);
  await page
    .getByRole('complementary', { name: 'Classes' })
    .getByRole('button', { name: /^Unlabeled/ })
    .click();
  await page.locator('[data-index="0"]').click();
  await page.keyboard.press('Enter');
  return page.getByRole('dialog', { name: 'Choose a class' });
}

test.beforeAll(async () => {
  const root = join(mkdtempSync(join(tmpdir(), 'seshat-picker-')), 'wall');
  await writeClassFolders(root, { crops: 3 }, 20);
  served = await serveTestProject();
  await api('startImport', { roots: [root], labelSource: { kind: 'none' } });
  await waitForTasks();
});

test.afterAll(async () => {
  await served?.stop();
});

test('typing "owl" in a new project offers G17 with its sign, and choosing it labels the image', async ({ page }) => {
  expect(await api('listClasses', {})).toEqual([]);
  const picker = await openPicker(page);
  await picker.getByLabel('Search classes').fill('owl');
  const first = picker.getByRole('option').first();
  await expect(first).toContainText('G17');
  await expect(first).toContainText('𓅓');
  await expect(first).toContainText('An owl.');
  // A name of one's own is still possible, after the signs.
  await expect(picker.getByRole('option').last()).toContainText('Create class “owl”');

  await page.keyboard.press('Enter');
  await expect(picker).toHaveCount(0);
  await expect(sidebarRow(page, 'G17')).toContainText('𓅓');
  await expect(sidebarRow(page, 'G17')).toContainText('1');
  const unlabelled = (await api('getImageIds', { filter: { unlabeled: true } })) as number[];
  expect(unlabelled).toHaveLength(2);
  const [created] = (await api('listClasses', {})) as Array<{
    name: string;
    description: string;
    hotkey: string | null;
  }>;
  expect(created).toMatchObject({ name: 'G17', description: 'An owl.', hotkey: '1' });
});

test('the next time, G17 is an existing class and the sound "m" finds it too', async ({ page }) => {
  const picker = await openPicker(page);
  await picker.getByLabel('Search classes').fill('m');
  // The existing class (ClassLabel's data-class), not G17A or G17D from the sign list.
  const g17 = picker.getByRole('option').filter({ has: page.locator('[data-class="G17"]') });
  await expect(g17).toHaveCount(1);
  await g17.click();
  await expect(picker).toHaveCount(0);
  await expect(sidebarRow(page, 'G17')).toContainText('2');
  expect(((await api('listClasses', {})) as unknown[]).length).toBe(1);
});
