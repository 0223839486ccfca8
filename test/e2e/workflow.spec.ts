/**
 * An hour of work in a few minutes, in one browser session across two projects, as a
 * person does it: import wall crops, label by key and in bulk, split grouped by picture
 * with the test set locked, train, evaluate, accept predictions, label more, re-split;
 * then a photo project: import, train, classify a folder, export; then back again.
 * After each step the data is checked: every thumbnail's bytes are its own project's,
 * no picture sits in two splits, the locked test set stays, counts and runs are as the
 * API reports them, and no run is left running.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { shownThumbDigests } from '../helpers/page-images.js';
import { serveTestProject, type ServedApp } from '../helpers/web-server-process.js';
import { writePhotoFolders, writeWallCrops } from '../helpers/workflow-images.js';
import { callApi, waitForIdle } from '../helpers/web-api.js';

let served: ServedApp;
let scratch: string;

interface Item {
  id: number;
  relPath: string;
  hash: string;
  classId: number | null;
  split: string | null;
}

const api = <T = unknown>(method: string, input: unknown = {}) => callApi<T>(served, method, input);

const settle = () => waitForIdle(served);

async function allItems(): Promise<Item[]> {
  return (await api<{ items: Item[] }>('getImagePage', { limit: 1000 })).items;
}

const nav = (page: Page, view: string) =>
  page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: view }).click();

/** Every thumbnail on screen shows the bytes of its own project's thumbnail file. */
async function assertThumbsAreFrom(page: Page, projectDir: string): Promise<void> {
  const shown = await shownThumbDigests(page);
  expect(shown.size).toBeGreaterThan(0);
  for (const [imageId, digest] of shown) {
    const { image } = await api<{ image: { hash: string } }>('getImageDetails', { imageId });
    const file = join(projectDir, 'thumbnails', image.hash.slice(0, 2), `${image.hash.slice(2)}.webp`);
    expect(digest, `thumbnail of image ${imageId}`).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
  }
}

/** No picture (folder) has labelled images in two splits, and none is left without one. */
async function assertPicturesWhole(): Promise<Map<string, string>> {
  const byPicture = new Map<string, Set<string>>();
  for (const item of await allItems()) {
    if (item.classId === null) continue;
    const picture = item.relPath.split('/')[0]!;
    byPicture.set(picture, (byPicture.get(picture) ?? new Set()).add(item.split ?? 'none'));
  }
  const result = new Map<string, string>();
  for (const [picture, splits] of byPicture) {
    expect([...splits], `${picture}'s splits`).toHaveLength(1);
    expect(splits.has('none'), `${picture} has labelled images without a split`).toBe(false);
    result.set(picture, [...splits][0]!);
  }
  return result;
}

async function assertNoRunRunning(): Promise<void> {
  const runs = await api<Array<{ status: string }>>('listRuns');
  expect(runs.map((run) => run.status)).not.toContain('running');
}

/** The sidebar's counts are the catalog's. */
async function assertCounts(page: Page, expected: Record<string, number>): Promise<void> {
  const classes = await api<Array<{ id: number; name: string }>>('listClasses');
  const counts = await api<{ byClass: Record<number, number> }>('getClassCounts', {});
  for (const [name, count] of Object.entries(expected)) {
    const cls = classes.find((c) => c.name === name)!;
    expect(counts.byClass[cls.id] ?? 0, `${name} in the catalog`).toBe(count);
    await expect(page.locator(`[data-class-row="${name}"]`).first()).toContainText(String(count));
  }
}

/** Whatever the counts are now, the sidebar shows the catalog's. */
async function assertSidebarIsCatalog(page: Page): Promise<void> {
  const classes = await api<Array<{ id: number; name: string }>>('listClasses');
  const counts = await api<{ byClass: Record<number, number> }>('getClassCounts', {});
  for (const cls of classes) {
    await expect(page.locator(`[data-class-row="${cls.name}"]`).first()).toContainText(
      String(counts.byClass[cls.id] ?? 0),
    );
  }
}

async function bulkLabel(page: Page, search: string, key: string, expectedMatches: number): Promise<void> {
  await page.getByLabel('Search paths').fill(search);
  // The search applies a moment after typing: wait for its results, not the last search's (same count).
  await expect(page.locator('[data-index="0"]')).toHaveAttribute('aria-label', new RegExp(search));
  await expect(page.getByTestId('result-count')).toContainText(`${expectedMatches} images`);
  await page.locator('[data-index="0"]').click();
  await page.keyboard.press('Control+a');
  await expect(page.getByTestId('result-count')).toContainText(`${expectedMatches} selected`);
  await page.keyboard.press(key);
  await expect(page.locator('[data-pending="yes"]')).toHaveCount(0);
}

/** A picture of the step for people to look at (test-results/…/workflow-<name>.png). */
async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: test.info().outputPath(`workflow-${name}.png`) });
}

async function waitForRun(status: string): Promise<void> {
  await expect
    .poll(async () => (await api<Array<{ status: string }>>('listRuns'))[0]?.status, { timeout: 90_000 })
    .toBe(status);
}

test.beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'seshat-workflow-'));
  await writeWallCrops(join(scratch, 'walls'), 6, 3);
  await writePhotoFolders(join(scratch, 'photos'), 8);
  await writePhotoFolders(join(scratch, 'new-photos'), 2, 100);
  served = await serveTestProject({ projectDir: join(scratch, 'project-a'), env: { SESHAT_BACKEND: 'wasm' } });
});

test.afterAll(async () => {
  await served?.stop();
});

test('a whole workflow across two projects keeps every picture, split and run right', async ({ page }) => {
  test.setTimeout(180_000);
  const projectA = join(scratch, 'project-a');
  const projectB = join(scratch, 'project-b');

  // --- Project A: import the wall crops unlabelled through the dialog -------------------
  await page.goto(served.openUrl);
  await page.getByRole('button', { name: 'Import images…' }).click();
  let dialog = page.getByRole('dialog', { name: 'Import images' });
  await dialog.getByLabel('Folder 1').fill(join(scratch, 'walls'));
  await dialog.getByRole('radio', { name: /No labels/ }).check();
  await expect(dialog.getByTestId('preview-summary')).toContainText('54 images · 0 classes');
  await dialog.getByRole('button', { name: /Import 54 images/ }).click();
  await page.getByRole('dialog', { name: 'Import report' }).getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('result-count')).toContainText('54 images');
  await assertThumbsAreFrom(page, projectA);

  // --- Label: in bulk (a selection and a key) and one by key ---------------------------------
  for (const name of ['N5', 'Z1', 'Z9']) await api('createClass', { name });
  await page.reload();
  const keys = { circle: '1', bar: '2', cross: '3' };
  for (const [shape, key] of Object.entries(keys)) {
    for (const i of [0, 1]) await bulkLabel(page, `${shape}_${i}`, key, 6);
  }
  await page.getByLabel('Search paths').fill('circle_2');
  await expect(page.locator('[data-index="0"]')).toHaveAttribute('aria-label', /circle_2/);
  await expect(page.getByTestId('result-count')).toContainText('6 images');
  await page.locator('[data-index="0"]').click();
  await page.keyboard.press('1');
  await expect(page.locator('[data-pending="yes"]')).toHaveCount(0);
  await page.getByLabel('Search paths').fill('');
  await expect(page.getByTestId('result-count')).toContainText('54 images');
  await assertCounts(page, { N5: 13, Z1: 12, Z9: 12 });
  await assertThumbsAreFrom(page, projectA);
  await shot(page, 'a-library');
  // The inspector shows a tall crop whole (32×48 here): the image fits inside its frame.
  const frame = page.getByRole('complementary', { name: 'Inspector' }).locator('.frame').first();
  const fits = await frame.evaluate((box) => {
    const img = box.querySelector('img')!;
    const outer = box.getBoundingClientRect();
    const inner = img.getBoundingClientRect();
    return (
      inner.top >= outer.top - 0.5 &&
      inner.bottom <= outer.bottom + 0.5 &&
      inner.left >= outer.left - 0.5 &&
      inner.right <= outer.right + 0.5
    );
  });
  expect(fits, 'the whole image is inside the inspector frame').toBe(true);

  // --- Split grouped by picture, the test set locked before the split is applied ------------
  await nav(page, 'Splits');
  await page.getByRole('checkbox', { name: 'Lock the test set' }).check();
  await expect(page.getByTestId('test-lock-state')).toContainText('Test set locked');
  await expect(page.getByLabel('Keep together'), 'images from several folders: keep each one whole').toHaveValue(
    'folder',
  );
  await page.getByLabel('Keep together').selectOption('folder');
  await page.getByRole('button', { name: 'Apply split' }).click();
  await expect(page.getByTestId('test-lock-state')).toContainText(/Test set locked \(\d+ images\)/);
  await shot(page, 'a-splits-locked');
  const firstSplit = await assertPicturesWhole();
  expect(new Set(firstSplit.values()).size).toBe(3);
  const lockedTest = (await allItems()).filter((item) => item.split === 'test').map((item) => item.id);
  expect(lockedTest.length).toBeGreaterThan(0);

  // --- Train a few epochs, evaluate ------------------------------------------------------------
  await nav(page, 'Train');
  await page.getByRole('radio', { name: /Small CNN/ }).check();
  await page.getByLabel('Epochs', { exact: true }).fill('3');
  await page.getByRole('button', { name: 'Start training' }).click();
  await waitForRun('done');
  await assertNoRunRunning();
  await expect(page.getByTestId('run-summary')).toContainText(
    /Validation accuracy [\d.]+% · macro-F1 [\d.]+ · best epoch \d/,
  );
  await nav(page, 'Evaluate');
  await page.getByRole('main').getByRole('button', { name: 'Evaluate', exact: true }).click();
  await expect(page.getByTestId('evaluation-summary')).toBeVisible({ timeout: 60_000 });
  // Split by picture: the test pictures gave no training image, and the page says so.
  await expect(page.getByTestId('picture-overlap')).toContainText('never saw');
  await shot(page, 'a-evaluate');
  // Signs are drawn with the bundled font, not as empty boxes: it is loaded, and it draws them.
  expect(await page.evaluate(() => document.fonts.check("16px 'Noto Sans Egyptian Hieroglyphs'", '\u{13000}'))).toBe(
    true,
  );
  const fontLoaded = await page.evaluate(() => {
    let loaded = false;
    document.fonts.forEach(
      (face) => (loaded ||= face.family.includes('Egyptian Hieroglyphs') && face.status === 'loaded'),
    );
    return loaded;
  });
  expect(fontLoaded, 'the hieroglyph font face is loaded').toBe(true);

  // --- Classify the unlabelled crops; accept the best guess for two and the second for one ----
  await nav(page, 'Predict');
  await page.getByRole('button', { name: 'Classify all unlabelled' }).click();
  await settle();
  const review = page.getByRole('listbox', { name: 'Predictions to review' });
  await page.getByLabel(/confidence/).fill('1');
  await page.getByLabel(/confidence/).dispatchEvent('change');
  await expect(review.locator('[data-review-index]')).toHaveCount(17);
  await shot(page, 'a-predict-review');
  const accepted: Array<{ imageId: number; rank: number }> = [];
  for (const rank of [1, 1, 2]) {
    const first = review.locator('[data-review-index="0"]');
    const imageId = Number(await first.getAttribute('data-image-id'));
    await first.focus();
    await page.keyboard.press(String(rank));
    await expect(review.locator(`[data-image-id="${imageId}"]`)).toHaveCount(0);
    accepted.push({ imageId, rank });
  }
  for (const { imageId } of accepted) {
    const details = await api<{
      labelSource: string;
      classId: number | null;
      split: string | null;
      image: { relPath: string };
    }>('getImageDetails', { imageId });
    expect(details.labelSource).toBe('model');
    expect(details.split, `accepted ${details.image.relPath} joins its picture`).toBe(
      firstSplit.get(details.image.relPath.split('/')[0]!),
    );
  }

  // --- Label more by key in the Library, then re-split ------------------------------------------
  await nav(page, 'Library');
  await page
    .getByRole('complementary', { name: 'Classes' })
    .getByRole('button', { name: /^Unlabeled/ })
    .click();
  await expect(page.getByTestId('result-count')).toContainText('14 images');
  await page.locator('[data-index="0"]').click();
  for (let i = 0; i < 4; i++) await page.keyboard.press('2');
  await expect(page.getByTestId('result-count')).toContainText('10 images');
  await assertPicturesWhole();
  await nav(page, 'Splits');
  await page.getByLabel('Seed').fill('9');
  await page.getByRole('button', { name: 'Apply split' }).click();
  await expect(page.getByTestId('split-plan')).toBeVisible();
  const afterResplit = await allItems();
  const testNow = new Set(afterResplit.filter((item) => item.split === 'test').map((item) => item.id));
  for (const id of lockedTest) expect(testNow.has(id), `locked test image ${id} stays in test`).toBe(true);
  await assertPicturesWhole();
  await assertNoRunRunning();

  // --- Project B: photos. Its import dialog starts from the defaults, not A's settings -------
  await nav(page, 'Project');
  await page.getByLabel('Project folder').fill(projectB);
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.locator('p.name')).toHaveText('project-b');
  await expect(page.getByTestId('last-task'), 'no task of project A in B’s status bar').toHaveCount(0);
  await nav(page, 'Library');
  await page.getByRole('button', { name: 'Import images…' }).click();
  dialog = page.getByRole('dialog', { name: 'Import images' });
  await expect(dialog.getByLabel('Folder 1')).toHaveValue('');
  await expect(dialog.getByRole('radio', { name: /One folder per class/ })).toBeChecked();
  await dialog.getByLabel('Folder 1').fill(join(scratch, 'photos'));
  await expect(dialog.getByTestId('preview-summary')).toContainText('24 images · 3 classes');
  await expect(dialog.getByTestId('preview-new-classes')).toContainText('3 new classes');
  await shot(page, 'b-import-preview');
  await dialog.getByRole('button', { name: /Import 24 images/ }).click();
  await page.getByRole('dialog', { name: 'Import report' }).getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('result-count')).toContainText('24 images');
  await assertThumbsAreFrom(page, projectB);
  // A plain click then a Ctrl+click selects both; a filter nothing matches says why.
  await page.locator('[data-index="0"]').click();
  await page.locator('[data-index="1"]').click({ modifiers: ['Control'] });
  await expect(page.getByTestId('result-count')).toContainText('2 selected');
  await page.keyboard.press('Escape');
  await page
    .getByRole('complementary', { name: 'Classes' })
    .getByRole('button', { name: /^Unlabeled/ })
    .click();
  await expect(page.getByTestId('empty-filter')).toContainText(/unlabel/i);
  await page.getByRole('button', { name: 'Show all images' }).click();
  await expect(page.getByTestId('result-count')).toContainText('24 images');

  await nav(page, 'Train');
  await page.getByRole('radio', { name: /Small CNN/ }).check();
  await page.getByLabel('Epochs', { exact: true }).fill('2');
  await page.getByRole('button', { name: 'Start training' }).click();
  await waitForRun('done');
  await assertNoRunRunning();

  await nav(page, 'Predict');
  await expect(page.getByTestId('model-note')).toContainText('The best finished model');
  await page.getByLabel('Folder to classify').fill(join(scratch, 'new-photos'));
  await page.getByRole('button', { name: 'Classify folder' }).click();
  await settle();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const csvFile = await download;
  expect(csvFile.suggestedFilename()).toMatch(/^project-b-new-photos-run\d+-\d{8}-\d{4}\.csv$/);
  const rows = readFileSync(await csvFile.path(), 'utf8')
    .trim()
    .split('\n');
  expect(rows[0]).toBe('path,label,predicted,confidence,top5');
  expect(rows).toHaveLength(1 + 6);
  for (const row of rows.slice(1)) expect(row.startsWith(join(scratch, 'new-photos'))).toBe(true);

  // --- Back to project A: its pictures, its import settings ------------------------------------
  await nav(page, 'Project');
  await page.getByRole('button', { name: projectA, exact: true }).click();
  await expect(page.locator('p.name')).toHaveText('project-a');
  await nav(page, 'Library');
  await expect(page.getByTestId('result-count')).toContainText('54 images');
  await assertThumbsAreFrom(page, projectA);
  await assertSidebarIsCatalog(page);
  await page.getByRole('button', { name: 'Show predictions' }).click();
  await expect(page.getByTestId('thumb-prediction').first()).toBeVisible();
  await shot(page, 'a-library-predictions');
  await page.getByRole('button', { name: 'Show predictions' }).click();
  await page.getByRole('button', { name: 'Import…', exact: true }).click();
  dialog = page.getByRole('dialog', { name: 'Import images' });
  await expect(dialog.getByLabel('Folder 1')).toHaveValue(join(scratch, 'walls'));
  await expect(dialog.getByRole('radio', { name: /No labels/ })).toBeChecked();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await assertPicturesWhole();
  await assertNoRunRunning();
});
