/// <reference lib="dom" />
import { expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunComparison } from '../../src-shared/api/wire-compare.js';
import { writeClassFolders } from '../helpers/tiny-images.js';
import { serveTestProject, type ServedApp } from '../helpers/web-server-process.js';
import { callApi, waitForIdle } from '../helpers/web-api.js';

let served: ServedApp;
const runIds: number[] = [];

const api = <T = unknown>(method: string, input: unknown = {}) => callApi<T>(served, method, input);

/** Two tiny runs that differ in their learning rate and dropout only; the first is evaluated on the test split. */
test.beforeAll(async () => {
  const images = join(mkdtempSync(join(tmpdir(), 'seshat-compare-')), 'images');
  await writeClassFolders(images, { G43: 12, D58: 12, M17: 12 }, 16);
  served = await serveTestProject({ env: { SESHAT_BACKEND: process.env.SESHAT_BACKEND ?? 'wasm' } });
  await api('startImport', { roots: [images], labelSource: { kind: 'folders' } });
  await waitForIdle(served);
  await api('applySplit', { ratios: { train: 60, validation: 20, test: 20 }, seed: 1 });
  for (const [learningRate, dropout] of [
    [0.001, 0.25],
    [0.01, 0.5],
  ] as const) {
    await api('startTraining', {
      settings: { preset: 'small-cnn', epochs: 2, earlyStopping: null, learningRate, architecture: { dropout } },
    });
    await waitForIdle(served);
  }
  const runs = await api<Array<{ id: number }>>('listRuns');
  runIds.push(...runs.map((run) => run.id).sort((a, b) => a - b));
  await api('startEvaluation', { runId: runIds[0], split: 'test' });
  await waitForIdle(served);
});

test.afterAll(async () => {
  await served?.stop();
});

test('tick two runs in the Runs table and compare them: settings that differ, figures, per-class F1', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const comparison = await api<RunComparison>('getRunComparison', { runIds });
  expect(comparison.runs.map((run) => run.id)).toEqual(runIds);

  await page.goto(served.openUrl);
  await page.getByRole('button', { name: 'Train' }).click();
  const runsTable = page.getByRole('region', { name: 'Runs' });
  const compare = runsTable.getByRole('button', { name: /^Compare/ });
  await expect(compare).toBeDisabled();
  // Newest first in the table: tick the older one first anyway; the columns come oldest first.
  for (const id of runIds) await runsTable.locator(`tr[data-run-id="${id}"]`).getByRole('checkbox').check();
  await expect(compare).toHaveText('Compare 2 runs');
  await runsTable.screenshot({ path: test.info().outputPath('runs-ticked.png') });
  await compare.click();

  const panel = page.getByRole('region', { name: 'Run comparison' });
  await expect(panel.getByRole('heading', { name: 'Comparing 2 runs' })).toBeVisible();
  const figures = panel.getByTestId('compare-figures');
  await expect(figures.locator('thead th[data-run]')).toHaveCount(2);
  const cells = (row: string) => figures.locator(`tr[data-row="${row}"] td`);

  // Only what differs: the learning rate and the dropout, not the epochs or the preset's other settings.
  const settingRows = await figures
    .locator('tr[data-row^="setting-"]')
    .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-row')));
  expect(settingRows.sort()).toEqual(['setting-architecture.dropout', 'setting-learningRate']);
  await expect(cells('setting-learningRate')).toHaveText(['0.001', '0.01']);
  await expect(cells('setting-architecture.dropout')).toHaveText(['0.25', '0.5']);
  await expect(cells('preset')).toHaveText(['Small CNN', 'Small CNN']);

  const pct = (value: number | null | undefined) => (value == null ? '—' : `${(value * 100).toFixed(1)}%`);
  const dec = (value: number | null | undefined) => (value == null ? '—' : value.toFixed(3));
  const each = <T>(pick: (run: RunComparison['runs'][number]) => T) => comparison.runs.map(pick);
  await expect(cells('epochs')).toHaveText(each((run) => `${run.epochs} / ${run.bestEpoch ?? '—'}`));
  await expect(cells('accuracy-train')).toHaveText(each((run) => pct(run.train.accuracy)));
  await expect(cells('accuracy-validation')).toHaveText(each((run) => pct(run.validation.accuracy)));
  await expect(cells('loss-train')).toHaveText(each((run) => dec(run.train.loss)));
  await expect(cells('loss-validation')).toHaveText(each((run) => dec(run.validation.loss)));
  await expect(cells('macroF1-validation')).toHaveText(each((run) => dec(run.validation.macroF1)));
  // The first run was evaluated on the test split; the second shows "—" until it is.
  expect(comparison.runs[0]!.test).not.toBeNull();
  expect(comparison.runs[1]!.test).toBeNull();
  await expect(cells('accuracy-test')).toHaveText([pct(comparison.runs[0]!.test!.accuracy), '—']);
  await expect(cells('loss-test')).toHaveText([dec(comparison.runs[0]!.test!.loss), '—']);
  const rate = (value: number | null) =>
    value === null ? '—' : value >= 100 ? String(Math.round(value)) : value.toFixed(1);
  await expect(cells('speed')).toHaveText(each((run) => rate(run.imagesPerSecond)));
  for (const run of comparison.runs) expect(run.seconds).not.toBeNull();
  await expect(cells('time')).toHaveText([/\d+ s|min/, /\d+ s|min/]);

  // Per class: a row per class, a column per run, each F1 as getRunComparison has it.
  const classes = panel.getByTestId('compare-classes');
  expect(comparison.perClassF1.map((row) => row.label)).toEqual(['D58', 'G43', 'M17']);
  await expect(classes.locator('tbody tr')).toHaveCount(3);
  for (const { label, f1 } of comparison.perClassF1) {
    await expect(classes.locator(`tr[data-class="${label}"] td[data-run]`)).toHaveText(f1.map(dec));
    const present = f1.filter((v): v is number => v !== null);
    const best = Math.max(...present);
    const tied = present.every((v) => v === best);
    await expect(classes.locator(`tr[data-class="${label}"] td.best`)).toHaveCount(tied ? 0 : 1);
  }
  // Sorted by spread, the class the runs disagree on most comes first.
  await classes.getByRole('button', { name: /^Spread/ }).click();
  const spread = (f1: Array<number | null>) => Math.max(...f1.map(Number)) - Math.min(...f1.map(Number));
  const widest = [...comparison.perClassF1].sort(
    (a, b) => spread(b.f1) - spread(a.f1) || a.label.localeCompare(b.label),
  )[0]!;
  await expect(classes.locator('tbody tr').first()).toHaveAttribute('data-class', widest.label);
  await classes.getByRole('button', { name: /^Class/ }).click();
  await expect(classes.locator('tbody tr').first()).toHaveAttribute('data-class', 'D58');

  // The view scrolls inside the window: bring the panel's heading to the top before the picture.
  await panel.getByRole('heading', { name: 'Comparing 2 runs' }).evaluate((h) => h.scrollIntoView());
  await page.screenshot({ path: test.info().outputPath('compare-runs.png') });

  // Closing the panel keeps the ticks, to compare again.
  await panel.getByRole('button', { name: 'Close' }).click();
  await expect(panel).toHaveCount(0);
  await expect(compare).toBeEnabled();
});
