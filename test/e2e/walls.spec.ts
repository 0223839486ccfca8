/**
 * The Wall view as a person uses it: import a photo with no boxes, draw boxes on it with
 * the mouse, label them with hotkeys, undo, and find the crops in the Library; then a
 * wall imported with its boxes, read in order. Each step is checked on the data the API
 * holds (boxes in photo pixels, labels, images), not only on what the page shows.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { generatedWall } from '../helpers/generated-wall.js';
import { callApi, waitForIdle } from '../helpers/web-api.js';
import { serveTestProject, type ServedApp } from '../helpers/web-server-process.js';

let served: ServedApp;
let wall: { photo: string; boxes: string };

interface WallDetails {
  wall: { id: number; name: string };
  signs: { imageId: number; box: number[]; classId: number | null; order: number }[];
}

test.beforeAll(async () => {
  served = await serveTestProject();
  wall = await generatedWall(mkdtempSync(join(tmpdir(), 'seshat-e2e-wall-')));
});

test.afterAll(async () => {
  await served?.stop();
});

const api = <T = unknown>(method: string, input: unknown = {}) => callApi<T>(served, method, input);

/** Drags on the photo from one photo-pixel point to another. */
async function dragOnPhoto(page: Page, from: [number, number], to: [number, number], size: [number, number]) {
  const rect = (await page.getByTestId('wall-svg').boundingBox())!;
  const at = ([x, y]: [number, number]) => [rect.x + (x / size[0]) * rect.width, rect.y + (y / size[1]) * rect.height];
  const [x1, y1] = at(from);
  const [x2, y2] = at(to);
  await page.mouse.move(x1!, y1!);
  await page.mouse.down();
  await page.mouse.move((x1! + x2!) / 2, (y1! + y2!) / 2);
  await page.mouse.move(x2!, y2!);
  await page.mouse.up();
}

test('draw boxes on a photo, label them by key, undo, and find the crops in the Library', async ({ page }) => {
  const x1 = await api<{ id: number; hotkey: string }>('createClass', { name: 'X1', hotkey: '1' });
  await page.goto(served.openUrl);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Walls' }).click();
  await page.getByLabel('Photos (one path per line)').fill(wall.photo);
  // An empty wall, to draw on: no boxes file, and no detector.
  await page.getByLabel('Find the signs when no boxes file is given').uncheck();
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await waitForIdle(served);
  await expect(page.getByRole('button', { name: /wall99\.png/ })).toContainText('0/0 labelled');
  const [summary] = await api<{ id: number }[]>('listWalls');
  // The photo itself is served (by wall id and content) and decoded at its own size.
  await expect
    .poll(() => page.getByAltText('Wall photograph').evaluate((img: HTMLImageElement) => img.naturalWidth))
    .toBe(200);

  // Draw mode (B), then a box around the first disc of column 1 (photo pixels 10,43–90,77).
  await page.keyboard.press('b');
  await dragOnPhoto(page, [10, 43], [90, 77], [200, 240]);
  // The picker opens for the new box; a hotkey is quicker.
  await expect(page.getByRole('dialog', { name: 'Choose a class' })).toBeVisible();
  await page.keyboard.press('Escape');
  await page.keyboard.press('1');
  const boxes = page.getByTestId('wall-box');
  await expect(boxes).toHaveCount(1);
  await expect(boxes.first()).toHaveAttribute('data-label', 'X1');
  let details = await api<WallDetails>('getWall', { wallId: summary!.id });
  expect(details.signs).toHaveLength(1);
  // The box is where it was drawn, in photo pixels (to within the page's rounding).
  details.signs[0]!.box.forEach((value, i) => expect(Math.abs(value - [10, 43, 90, 77][i]!)).toBeLessThanOrEqual(2));
  expect(details.signs[0]!.classId).toBe(x1.id);

  // A second box with Shift+drag, labelled, then undone step by step: label, then box.
  await page.keyboard.press('b'); // back to select mode: Shift draws anyway
  await page.keyboard.down('Shift');
  await dragOnPhoto(page, [110, 5], [190, 39], [200, 240]);
  await page.keyboard.up('Shift');
  await expect(page.getByRole('dialog', { name: 'Choose a class' })).toBeVisible();
  await page.keyboard.press('Escape');
  await page.keyboard.press('1');
  await expect(boxes).toHaveCount(2);
  await expect(page.locator('[data-testid="wall-box"][data-label="X1"]')).toHaveCount(2);
  await page.keyboard.press('Control+z');
  await expect(page.locator('[data-testid="wall-box"][data-label="X1"]')).toHaveCount(1);
  await expect(boxes).toHaveCount(2);
  await page.keyboard.press('Control+z');
  await expect(boxes).toHaveCount(1);
  details = await api<WallDetails>('getWall', { wallId: summary!.id });
  expect(details.signs.map((sign) => sign.classId)).toEqual([x1.id]);
  // Redo brings the box back (a new crop of the same box).
  await page.keyboard.press('Control+Shift+z');
  await expect(boxes).toHaveCount(2);
  details = await api<WallDetails>('getWall', { wallId: summary!.id });
  expect(details.signs.map((sign) => sign.box[0])).toEqual([10, 110]);

  // Split the selected box (the one just redone) across its longer side, then undo.
  const boxesNow = async () =>
    (await api<WallDetails>('getWall', { wallId: summary!.id })).signs.map((sign) => sign.box).sort();
  const before = await boxesNow();
  await page.keyboard.press('s');
  await expect(boxes).toHaveCount(3);
  await expect.poll(boxesNow).toEqual(
    [
      [10, 43, 90, 77],
      [110, 5, 150, 39],
      [150, 5, 190, 39],
    ].sort(),
  );
  await page.keyboard.press('Control+z');
  await expect(boxes).toHaveCount(2);
  await expect.poll(boxesNow).toEqual(before);

  // Merge: Ctrl+click the X1 box beside the selected one, M; then undo brings both back, labels too.
  await page
    .locator('[data-testid="wall-box"][data-label="X1"] rect')
    .first()
    .click({ modifiers: ['Control'] });
  await page.keyboard.press('m');
  await expect(boxes).toHaveCount(1);
  await expect.poll(boxesNow).toEqual([[10, 5, 190, 77]]);
  await page.keyboard.press('Control+z');
  await expect(boxes).toHaveCount(2);
  await expect.poll(boxesNow).toEqual(before);
  await expect(page.locator('[data-testid="wall-box"][data-label="X1"]')).toHaveCount(1);

  // Find signs boxes the ten signs no box covers yet, as one step: undo takes them all back.
  await page.getByRole('button', { name: 'Find signs' }).click();
  await expect(page.getByTestId('find-report')).toContainText('10 new boxes, 2 already boxed');
  await expect(boxes).toHaveCount(12);
  const signsNow = async () => (await api<WallDetails>('getWall', { wallId: summary!.id })).signs.length;
  expect(await signsNow()).toBe(12);
  await page.keyboard.press('Control+z');
  await expect(boxes).toHaveCount(2);
  await expect.poll(boxesNow).toEqual(before);
  await page.keyboard.press('Control+Shift+z');
  await expect(boxes).toHaveCount(12);
  expect(await signsNow()).toBe(12);
  await page.keyboard.press('Control+z');
  await expect(boxes).toHaveCount(2);
  expect(await signsNow()).toBe(2);

  // The crops are ordinary images: the Library shows them, one labelled X1.
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Library' }).click();
  await expect(page.getByRole('button', { name: /\.png, labelled X1/ })).toHaveCount(1);
  await expect(page.getByRole('button', { name: /\.png, unlabelled/ })).toHaveCount(1);
  const { items } = await api<{ items: { relPath: string; classId: number | null }[] }>('getImagePage', {});
  expect(items.map((item) => item.classId).sort()).toEqual([x1.id, null].sort());
});

test('a wall imported with its boxes shows them in reading order and exports its MdC', async ({ page }) => {
  await page.goto(served.openUrl);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Walls' }).click();
  await page.getByLabel('Photos (one path per line)').fill(wall.photo);
  await page.getByLabel('Boxes file (optional)').fill(wall.boxes);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await waitForIdle(served);
  // The same photo: the wall gains the file's twelve boxes beside the two drawn ones.
  await expect(page.getByTestId('wall-box')).toHaveCount(14);
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await page.getByRole('button', { name: 'Zoom in' }).click();
  // Stepping in reading order: the right arrow moves to the next sign down the column.
  const label = page.getByTestId('wall-selected-label');
  await page.keyboard.press('ArrowRight');
  await expect(label).not.toHaveText('');
  // Read the other way round (the signs face the other way): the right column comes first.
  const wallId = (await api<{ id: number; name: string }[]>('listWalls')).find((w) => w.name === 'wall99.png')!.id;
  const firstX = async () => (await api<WallDetails>('getWall', { wallId })).signs[0]!.box[0]!;
  expect(await firstX()).toBeLessThan(100);
  const direction = page.getByTestId('wall-direction');
  await expect(direction).toContainText('Read left column first');
  await direction.getByRole('button', { name: 'Read the other way' }).click();
  await expect(direction).toContainText('Read right column first');
  await expect(direction).toContainText('your choice');
  expect(await firstX()).toBeGreaterThanOrEqual(100);
  await direction.getByRole('button', { name: 'Read the other way' }).click();
  await expect(direction).toContainText('Read left column first');
  await page.getByRole('button', { name: 'MdC' }).click();
  await expect(page.getByTestId('wall-export')).toContainText('!');
  await expect(page.getByTestId('wall-unicode')).toContainText('𓏏');
  await page.screenshot({ path: test.info().outputPath('wall-view.png') });
});

test('an undo pressed while an edit is still on its way takes that edit back, not nothing', async ({ page }) => {
  await page.goto(served.openUrl);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Walls' }).click();
  const wallId = (await api<{ id: number; name: string }[]>('listWalls')).find((w) => w.name === 'wall99.png')!.id;
  const boxesNow = async () => (await api<WallDetails>('getWall', { wallId })).signs.map((sign) => sign.box).sort();
  const before = await boxesNow();
  const boxes = page.getByTestId('wall-box');
  await expect(boxes).toHaveCount(before.length);
  // A slow main process: each box edit answers late, so the keys below arrive mid-edit.
  await page.route(/\/api\/call\/(moveWallBox|addWallBox)$/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    await route.continue();
  });
  await page.getByTestId('wall-box').nth(3).locator('rect').click();
  const splitSent = page.waitForRequest(/\/api\/call\/moveWallBox$/, { timeout: 10_000 });
  const undoSent = page.waitForRequest(/\/api\/call\/deleteWallBox$/, { timeout: 10_000 });
  await page.keyboard.press('s');
  await splitSent;
  await page.keyboard.press('Control+z');
  await undoSent;
  await expect.poll(boxesNow, { timeout: 10_000 }).toEqual(before);
  await expect(boxes).toHaveCount(before.length);
  // And redo, pressed at once too, splits it again.
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(async () => (await boxesNow()).length, { timeout: 10_000 }).toBe(before.length + 1);
  await page.keyboard.press('Control+z');
  await expect.poll(boxesNow, { timeout: 10_000 }).toEqual(before);
});

test('a photo imported from the Wall view opens, rather than the wall that was open', async ({ page }) => {
  // The same photo under another name: a second wall, listed after wall99.png.
  const dir = mkdtempSync(join(tmpdir(), 'seshat-e2e-wall-b-'));
  const second = join(dir, 'wall-b.png');
  copyFileSync(wall.photo, second);
  await page.goto(served.openUrl);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Walls' }).click();
  await expect(page.getByRole('heading', { name: 'wall99.png' })).toBeVisible();
  await page.getByLabel('Photos (one path per line)').fill(second);
  await page.getByLabel('Boxes file (optional)').fill(wall.boxes);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await waitForIdle(served);
  await expect(page.getByRole('heading', { name: 'wall-b.png' })).toBeVisible();
  await expect(page.getByTestId('wall-box')).toHaveCount(12);
});
