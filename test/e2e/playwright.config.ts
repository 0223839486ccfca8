import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, requireBrowser } from '../helpers/find-browser.js';

// The browser: SESHAT_CHROMIUM, else the system's Chromium/Chrome, else Playwright's own
// (see test/helpers/find-browser.ts); with none, loading this config fails with one line
// saying how to install one.
export { CHROMIUM_ARGS };

export default defineConfig({
  testDir: '.',
  testMatch: /.*\.spec\.ts$/,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  outputDir: '../../test-results/e2e',
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: requireBrowser(), args: CHROMIUM_ARGS },
    viewport: { width: 1360, height: 820 },
    trace: 'retain-on-failure',
  },
});
