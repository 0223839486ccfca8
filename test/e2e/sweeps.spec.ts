/// <reference lib="dom" />
import { expect, test } from '@playwright/test';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SweepDetails, SweepSummary } from '../../src-shared/api/wire-sweeps.js';
import sharp from 'sharp';
import { serveTestProject, type ServedApp } from '../helpers/web-server-process.js';
import { callApi, waitForIdle } from '../helpers/web-api.js';

let served: ServedApp;

const api = <T = unknown>(method: string, input: unknown = {}) => callApi<T>(served, method, input);

/**
 * Two classes a small CNN learns within a few epochs at a good learning rate but not
 * at a poor one: darker vertical or lighter horizontal stripes under noise, 16 × 16.
 * Trials then differ, and the chart shows it.
 */
async function writeStripes(root: string, perClass: number): Promise<void> {
  for (const [name, vertical, tone] of [
    ['G43', true, 80],
    ['D58', false, 170],
  ] as const) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const pixels = Buffer.alloc(16 * 16);
      for (let k = 0; k < pixels.length; k++) {
        const stripe = Math.floor((vertical ? k % 16 : k / 16) / 2) % 2 === 0 ? 30 : -30;
        const noise = ((k * 7919 + i * 104729) % 61) - 30;
        pixels[k] = Math.max(0, Math.min(255, tone + ((i * 13) % 40) - 20 + stripe + noise));
      }
      await sharp(pixels, { raw: { width: 16, height: 16, channels: 1 } })
        .png()
        .toFile(join(root, name, `${name}_${i}.png`));
    }
  }
}

test.beforeAll(async () => {
  const images = join(mkdtempSync(join(tmpdir(), 'seshat-sweeps-')), 'images');
  await writeStripes(images, 12);
  served = await serveTestProject({ env: { SESHAT_BACKEND: process.env.SESHAT_BACKEND ?? 'wasm' } });
  await api('startImport', { roots: [images], labelSource: { kind: 'folders' } });
  await waitForIdle(served);
  await api('applySplit', { ratios: { train: 60, validation: 20, test: 20 }, seed: 1 });
});

test.afterAll(async () => {
  await served?.stop();
});

test('sweep a 2 × 2 grid from the Train view: trials fill the table, the chart, the curves and the catalog', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await page.goto(served.openUrl);
  await page.getByRole('button', { name: 'Train' }).click();
  await page.getByRole('radio', { name: /Small CNN/ }).check();
  await page.getByRole('tab', { name: 'Sweep' }).click();

  const form = page.getByRole('region', { name: 'New sweep' });
  await expect(form).toContainText('Small CNN');
  // Bad text is refused with the field and the value, before anything trains.
  await form.getByLabel('Learning rate').fill('0.001, abc');
  await form.getByRole('button', { name: 'Start sweep' }).click();
  await expect(form.getByRole('alert')).toHaveText('Learning rate: "abc" is not a number');

  await form.getByLabel('Learning rate').fill('0.001, 0.01');
  await form.getByLabel('Dense units').fill('16, 32');
  await form.getByLabel('Epochs per trial').fill('3');
  await expect(form.getByRole('checkbox', { name: /Stop poor trials early/ })).toBeChecked();
  await expect(form.getByTestId('sweep-plan')).toHaveText('4 trials');
  await form.getByRole('button', { name: 'Start sweep' }).click();
  await expect(form.getByRole('alert')).toHaveCount(0);

  const results = page.getByRole('region', { name: 'Sweep results' });
  const rows = results.getByTestId('sweep-trials').locator('tbody tr');
  await expect(rows).toHaveCount(4);
  await expect(results.getByTestId('sweep-status')).toHaveText('done', { timeout: 180_000 });
  const statuses = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')));
  expect(statuses.every((status) => status === 'done' || status === 'stopped')).toBe(true);
  // Halving at epochs 1 and 3 keeps ⌈4/3⌉ = 2 trials to the end; the other two stop after one epoch.
  expect(statuses.filter((status) => status === 'stopped')).toHaveLength(2);
  await expect(results.getByTestId('sweep-saved')).toContainText(
    /Compared on the validation split · trained \d+ of 12 epochs, \d+ % saved/,
  );
  await expect(results.locator('tbody tr.best')).toHaveCount(1);

  // Sorting by accuracy puts the highest first.
  await results.getByRole('button', { name: 'Best val. accuracy' }).click();
  const accuracies = (await rows.locator('td:nth-child(6)').allTextContents()).map((text) => Number.parseFloat(text));
  expect(accuracies).toEqual([...accuracies].sort((a, b) => b - a));

  await results.getByTestId('sweep-trials').scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath('sweep-table.png') });
  await results.getByRole('tab', { name: 'Chart' }).click();
  const multiples = results.getByTestId('sweep-chart').locator('figure');
  await expect(multiples).toHaveCount(2);
  for (const figure of await multiples.all()) await expect(figure.locator('circle.dot')).toHaveCount(4);
  await expect(multiples.locator('circle.dot.hollow')).toHaveCount(4); // the two stopped trials, in both panels
  // The view scrolls inside the window, not the page: bring the chart up before the picture.
  await results.locator('.legend').scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath('sweep.png') });

  // The catalog holds what the form said: four trials, each an ordinary run.
  const [summary] = await api<SweepSummary[]>('listSweeps');
  const details = await api<SweepDetails>('getSweep', { sweepId: summary!.id });
  expect(details.spec.base).toMatchObject({ preset: 'small-cnn', epochs: 3 });
  expect(details.halving).toBe(true);
  expect(details.trials).toHaveLength(4);
  expect(details.trials.every((trial) => trial.runId !== null)).toBe(true);
  expect(details.trials.map((trial) => trial.params)).toEqual([
    { learningRate: 0.001, denseUnits: 16 },
    { learningRate: 0.001, denseUnits: 32 },
    { learningRate: 0.01, denseUnits: 16 },
    { learningRate: 0.01, denseUnits: 32 },
  ]);
  expect(details.epochsTrained).toBeLessThan(details.epochsFull);
  const runs = await api<Array<{ id: number }>>('listRuns');
  for (const trial of details.trials) expect(runs.map((run) => run.id)).toContain(trial.runId);

  // Every trial's curves overlaid: one line per trial in each panel, as long as the trial
  // trained (a stopped trial ends at its rung), the best one picked out.
  expect(details.trials.map((trial) => trial.curve.length)).toEqual(details.trials.map((trial) => trial.epochs));
  await results.getByRole('tab', { name: 'Curves' }).click();
  const curves = results.getByTestId('sweep-curves');
  for (const metric of ['valAccuracy', 'valLoss']) {
    const lines = curves.locator(`figure[data-metric="${metric}"] g.trial`);
    await expect(lines).toHaveCount(4);
    for (const trial of details.trials) {
      const line = lines.and(curves.locator(`[data-trial="${trial.trial}"]`));
      await expect(line).toHaveAttribute('data-epochs', String(trial.epochs));
      const end = expect(line.locator('circle.end'));
      await (trial.status === 'done' ? end.not.toHaveClass(/hollow/) : end.toHaveClass(/hollow/));
    }
    await expect(curves.locator(`figure[data-metric="${metric}"] g.trial.best`)).toHaveAttribute(
      'data-trial',
      String(details.best!.trial),
    );
  }
  await expect(curves.locator('figure[data-metric="valAccuracy"] line.rung')).toHaveCount(1);
  // Picking a trial in the legend fades the others' lines.
  const legend = results.getByRole('list', { name: 'Trials' });
  await legend.getByRole('button', { name: /Trial 1\b/ }).click();
  await expect(curves.locator('g.trial.faded')).toHaveCount(6);
  await legend.getByRole('button', { name: /Trial 1\b/ }).click();
  await page.mouse.move(0, 0);
  await expect(curves.locator('g.trial.faded')).toHaveCount(0);
  await legend.scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath('sweep-curves.png') });

  // One click trains the best settings on train and validation together: a fifth run.
  await page.getByRole('button', { name: 'Train it on train + validation' }).click();
  await expect(page.getByRole('button', { name: 'Training it on train + validation…' })).toBeDisabled();
  await expect
    .poll(async () => (await api<Array<{ id: number; status: string }>>('listRuns')).length, { timeout: 30_000 })
    .toBe(5);
  const best = details.trials.find((trial) => trial.trial === details.best!.trial)!;
  const [final] = (await api<Array<{ id: number; options: Record<string, unknown> }>>('listRuns')).filter(
    (run) => !details.trials.some((trial) => trial.runId === run.id),
  );
  expect(final!.options).toMatchObject({ includeValidation: true, learningRate: best.params.learningRate });
});
