/**
 * Two projects in one window: after switching, the grid shows the second project's
 * pictures, never the first project's from the browser cache (their image ids overlap:
 * both start at 1), also after a reload.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { nearestColour, shownThumbs } from '../helpers/page-images.js';
import { serveTestProject, type ServedApp } from '../helpers/web-server-process.js';
import { callApi, waitForIdle } from '../helpers/web-api.js';

const COLOURS = { red: [220, 30, 30], blue: [30, 40, 220] } as const;
let served: ServedApp;
let scratch: string;

async function writeSolid(folder: string, count: number, rgb: readonly number[]): Promise<void> {
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < count; i++) {
    // Same names and sizes in both projects; a shade step of 1 per file keeps each one distinct (duplicates are skipped).
    const background = { r: rgb[0]! + i, g: rgb[1]!, b: rgb[2]! - i };
    await sharp({ create: { width: 40, height: 40, channels: 3, background } })
      .png()
      .toFile(join(folder, `img_${i}.png`));
  }
}

const api = <T = unknown>(method: string, input: unknown = {}) => callApi<T>(served, method, input);

async function importAndWait(root: string): Promise<void> {
  await api('startImport', { roots: [root], labelSource: { kind: 'folders' } });
  await waitForIdle(served);
}

async function coloursShown(page: Page): Promise<string[]> {
  return (await shownThumbs(page)).map((thumb) => nearestColour(thumb.rgb, COLOURS));
}

test.beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'seshat-projects-'));
  await writeSolid(join(scratch, 'photos-a', 'roses'), 6, COLOURS.red);
  await writeSolid(join(scratch, 'photos-b', 'roses'), 6, COLOURS.blue);
  served = await serveTestProject({ projectDir: join(scratch, 'project-a') });
});

test.afterAll(async () => {
  await served?.stop();
});

test("after opening another project the grid shows that project's pictures, also after a reload", async ({ page }) => {
  await importAndWait(join(scratch, 'photos-a'));
  await page.goto(served.openUrl);
  await expect(page.getByTestId('result-count')).toContainText('6 images');
  expect(await coloursShown(page)).toEqual(Array(6).fill('red'));

  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Project' }).click();
  await page.getByLabel('Project folder').fill(join(scratch, 'project-b'));
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.locator('p.name')).toHaveText('project-b');
  await importAndWait(join(scratch, 'photos-b'));
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Library' }).click();
  await expect(page.getByTestId('result-count')).toContainText('6 images');
  expect(await coloursShown(page)).toEqual(Array(6).fill('blue'));

  await page.reload();
  await expect(page.getByTestId('result-count')).toContainText('6 images');
  expect(await coloursShown(page)).toEqual(Array(6).fill('blue'));
});
