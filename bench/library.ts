/// <reference lib="dom" />
/**
 * Library responsiveness at scale, measured in Debian's Chromium against web mode:
 * key-press-to-updated-grid latency when labelling, and frame times while scrolling.
 * Builds a project of N images (default 100,000) whose rows reuse a few real
 * thumbnails, so the grid shows real pictures. Prints one JSON document.
 *
 *   npm run bench -- library [--count 100000] [--presses 40] [--interval 250]
 */
import { chromium } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Catalog } from '../src-main/catalog/catalog.js';
import { importFolders } from '../src-main/import/index.js';
import type { NewImage } from '../src-shared/catalog-records.js';
import { CHROMIUM_ARGS, requireBrowser } from '../test/helpers/find-browser.js';
import { writeClassFolders } from '../test/helpers/tiny-images.js';
import { serveTestProject } from '../test/helpers/web-server-process.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    presses: { type: 'string', default: '40' },
    interval: { type: 'string', default: '250' },
  },
});
const COUNT = Number(values.count);
const PRESSES = Number(values.presses);
const INTERVAL_MS = Number(values.interval);
const round = (value: number) => Math.round(value * 10) / 10;
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
  await importFolders(catalog, {
    roots: [seeds],
    labelSource: { kind: 'none' },
    thumbnailsDir: join(projectDir, 'thumbnails'),
  });
  const real = catalog.grid.page({}, { limit: 100 }).items;
  const root = catalog.images.listRoots()[0]!;
  for (const name of ['G43', 'D58', 'M17', 'N35', 'X1', 'S29', 'V31', 'I9', 'Q3', 'E34']) catalog.classes.ensure(name);
  const batch: NewImage[] = [];
  for (let i = real.length; i < COUNT; i++) {
    const source = real[i % real.length]!;
    batch.push({
      rootId: root.id,
      relPath: `synthetic/${String(i).padStart(7, '0')}.png`,
      hash: source.hash,
      width: 48,
      height: 48,
      channels: 3,
      format: 'png',
      bytes: 100,
      mtimeMs: 0,
    });
    if (batch.length === 5000) catalog.images.insertBatch(batch.splice(0), { operationId: null });
  }
  if (batch.length) catalog.images.insertBatch(batch, { operationId: null });
  catalog.close();

  const served = await serveTestProject({ projectDir, env: { SESHAT_BACKEND: 'cpu' } });
  const browser = await chromium.launch({ executablePath: requireBrowser(), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 820 } });
    await page.goto(served.openUrl);
    await page
      .getByRole('complementary', { name: 'Classes' })
      .getByRole('button', { name: /^Unlabeled/ })
      .click();
    await page.locator('[data-index="0"] img').waitFor();
    await page.locator('[data-index="0"]').click();

    // Key to updated grid, measured inside the page from the keydown event: "shown" is
    // the frame in which the labelled cell shows its label (marked pending), "saved"
    // the frame in which the catalog's commit is acknowledged on screen. Playwright's
    // own round trips do not count. Two rhythms: presses back to back (a burst), and
    // paced like a fast person labelling (one every --interval ms).
    async function measurePresses(presses: number, intervalMs: number) {
      const shown: number[] = [];
      const saved: number[] = [];
      for (let i = 0; i < presses; i++) {
        // A string, not a function: tsx would wrap a named closure in a helper the page lacks.
        await page.evaluate(`window.__keyToUpdate = new Promise((resolve) => {
          window.addEventListener('keydown', () => {
            const started = performance.now();
            const imageId = document.querySelector('.thumb.focused')?.getAttribute('data-image-id');
            if (!imageId) return resolve({ error: 'no image has the keyboard focus' });
            let shownAt;
            (function check() {
              // Under the Unlabeled filter a labelled image leaves the list once the page
              // refreshes: gone counts as shown and saved (it left because it was saved).
              const el = document.querySelector('[data-image-id="' + imageId + '"]');
              const now = performance.now();
              if (shownAt === undefined && (!el || el.getAttribute('data-label'))) shownAt = now;
              if (shownAt !== undefined && (!el || !el.hasAttribute('data-pending'))) resolve({ shown: shownAt - started, saved: now - started });
              else if (now - started > 5000) resolve({ error: 'the grid did not show the label within 5 s' });
              else requestAnimationFrame(check);
            })();
          }, { once: true, capture: true });
        }); 0`); // the trailing 0: evaluate must not wait for the promise it stores
        await page.keyboard.press(String((i % 9) + 1));
        const result = (await page.evaluate('window.__keyToUpdate')) as {
          shown: number;
          saved: number;
          error?: string;
        };
        if (result.error) throw new Error(`press ${i + 1}: ${result.error}`);
        shown.push(result.shown);
        saved.push(result.saved);
        if (intervalMs > 0) await page.waitForTimeout(intervalMs);
      }
      const summary = (values: number[]) => ({
        p50: round(percentile(values, 50)),
        p95: round(percentile(values, 95)),
        max: round(Math.max(...values)),
      });
      return { presses, intervalMs, shownMs: summary(shown), savedMs: summary(saved) };
    }
    const burst = await measurePresses(PRESSES, 0);
    const paced = await measurePresses(PRESSES, INTERVAL_MS);

    // The same page standing still: the frame interval this headless browser gives at best.
    const idleFrames = (await page.evaluate(`(async () => {
      const times = [];
      let last = performance.now();
      for (let i = 0; i < 120; i++) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
        const now = performance.now();
        times.push(now - last);
        last = now;
      }
      return times;
    })()`)) as number[];

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
          keyToUpdate: { burst, paced },
          scrollFrameMs: {
            p50: round(percentile(frames.times, 50)),
            p95: round(percentile(frames.times, 95)),
            max: round(Math.max(...frames.times)),
            frames: frames.times.length,
          },
          idleFrameMs: { p50: round(percentile(idleFrames, 50)), p95: round(percentile(idleFrames, 95)) },
          scrollStepPx: 600,
          gridRows: frames.rows,
          domCellsInView: domCells,
          note: 'shown = label on screen marked pending; saved = catalog commit acknowledged on screen; frame-aligned (requestAnimationFrame); headless Chromium, software rendering, 2 cores shared with the server',
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
