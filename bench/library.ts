/// <reference lib="dom" />
/**
 * Library responsiveness at scale, measured in Debian's Chromium against web mode:
 * key-press-to-updated-grid latency when labelling, and frame times while scrolling.
 * Builds a project of N images (default 100,000) whose rows reuse a few real
 * thumbnails, so the grid shows real pictures. Prints one JSON document.
 *
 *   node --import tsx bench/library.ts [--count 100000] [--presses 60]
 */
import { chromium } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Catalog } from '../src-main/catalog/catalog.js';
import { importFolders } from '../src-main/import/index.js';
import type { NewImage } from '../src-main/catalog/types.js';
import { CHROMIUM_ARGS } from '../test/e2e/playwright.config.js';
import { writeClassFolders } from '../test/helpers/tiny-images.js';
import { serveTestProject } from '../test/helpers/web-server-process.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '100000' }, presses: { type: 'string', default: '60' } } });
const COUNT = Number(values.count);
const PRESSES = Number(values.presses);
const log = (line: string) => process.stderr.write(`${line}\n`);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const scratch = mkdtempSync(join(tmpdir(), 'seshat-bench-library-'));
const projectDir = join(scratch, 'project');
try {
  log(`building a project of ${COUNT} images…`);
  const seeds = join(scratch, 'seed-images');
  await writeClassFolders(seeds, { G43: 10, D58: 10, M17: 10, N35: 10, X1: 10 }, 48);
  mkdirSync(projectDir, { recursive: true });
  const catalog = Catalog.open(join(projectDir, 'seshat.sqlite'));
  await importFolders(catalog, { roots: [seeds], labelSource: { kind: 'none' }, thumbnailsDir: join(projectDir, 'thumbnails') });
  const real = catalog.grid.page({}, { limit: 100 }).items;
  const root = catalog.images.listRoots()[0]!;
  for (const name of ['G43', 'D58', 'M17', 'N35', 'X1', 'S29', 'V31', 'I9', 'Q3', 'E34']) catalog.classes.ensure(name);
  const batch: NewImage[] = [];
  for (let i = real.length; i < COUNT; i++) {
    const source = real[i % real.length]!;
    batch.push({ rootId: root.id, relPath: `synthetic/${String(i).padStart(7, '0')}.png`, hash: source.hash, width: 48, height: 48, channels: 3, format: 'png', bytes: 100, mtimeMs: 0 });
    if (batch.length === 5000) catalog.images.insertBatch(batch.splice(0), { operationId: null });
  }
  if (batch.length) catalog.images.insertBatch(batch, { operationId: null });
  catalog.close();

  const served = await serveTestProject({ projectDir, env: { SESHAT_BACKEND: 'cpu' } });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 820 } });
    await page.goto(served.openUrl);
    await page.getByRole('complementary', { name: 'Classes' }).getByRole('button', { name: /^Unlabeled/ }).click();
    await page.locator('[data-index="0"] img').waitFor();
    await page.locator('[data-index="0"]').click();

    // Key to updated grid: from keydown to the moment the labelled cell shows its badge.
    const latencies: number[] = [];
    for (let i = 0; i < PRESSES; i++) {
      const index = await page.evaluate(() => Number(document.querySelector('.thumb.focused')?.getAttribute('data-index') ?? -1));
      const started = await page.evaluate(() => performance.now());
      await page.keyboard.press(String((i % 9) + 1));
      // A string, not a function: tsx would wrap a named closure in a helper the page lacks.
      const ended = (await page.evaluate(`new Promise((resolve) => {
        const cell = ${index};
        (function check() {
          // Under the Unlabeled filter the labelled image leaves the list; either way the grid has updated.
          const el = document.querySelector('[data-index="' + cell + '"]');
          if (!el || el.getAttribute('data-label')) resolve(performance.now());
          else requestAnimationFrame(check);
        })();
      })`)) as number;
      latencies.push(ended - started);
    }

    // Scrolling: step through the grid frame by frame and record frame intervals.
    const frames = (await page.evaluate(`(async () => {
      const grid = document.querySelector('[role="grid"]');
      const times = [];
      let last = performance.now();
      for (let i = 0; i < 240; i++) {
        grid.scrollTop += 600;
        await new Promise((resolve) => requestAnimationFrame(resolve));
        const now = performance.now();
        times.push(now - last);
        last = now;
      }
      return { times, scrolledTo: grid.scrollTop, rows: Number(grid.getAttribute('aria-rowcount')) };
    })()`)) as { times: number[]; scrolledTo: number; rows: number };
    const domCells = await page.locator('[role="gridcell"]').count();
    console.log(
      JSON.stringify(
        {
          bench: 'library',
          images: COUNT,
          keyToUpdateMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: Math.max(...latencies), presses: PRESSES },
          scrollFrameMs: { p50: percentile(frames.times, 50), p95: percentile(frames.times, 95), max: Math.max(...frames.times), frames: frames.times.length },
          gridRows: frames.rows,
          domCellsInView: domCells,
          note: 'key-to-update includes the catalog write (the label is committed before it shows); headless Chromium, software rendering',
        },
        null,
        2,
      ),
    );
  } finally {
    await browser.close();
    await served.stop();
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
