// Takes screenshots of the app in web mode, light and dark, for people to look at:
//   node --import tsx scripts/screenshots.ts [outDir] [view ...]
import { chromium } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ARGS, findBrowser } from '../test/helpers/find-browser.js';
import { serveTestProject } from '../test/helpers/web-server-process.js';

const outDir = process.argv[2] ?? 'test-results/screenshots';
const views = process.argv.slice(3);
mkdirSync(outDir, { recursive: true });
const found = findBrowser();
if (found.path === null) {
  console.error(found.reason);
  process.exit(1);
}
const served = await serveTestProject({ projectDir: process.env.SESHAT_SCREENSHOT_PROJECT });
const browser = await chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS });
try {
  for (const colorScheme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ colorScheme, viewport: { width: 1360, height: 820 } });
    await page.goto(served.openUrl);
    await page
      .getByTestId('backend')
      .getByText(/wasm|cpu|tensorflow/)
      .waitFor();
    for (const view of views.length ? views : ['library', 'settings']) {
      await page.evaluate((id) => (window.location.hash = `/${id}`), view);
      await page.waitForTimeout(400);
      const file = join(outDir, `${view}-${colorScheme}.png`);
      await page.screenshot({ path: file });
      console.log(file);
    }
    await page.close();
  }
} finally {
  await browser.close();
  await served.stop();
}
