// `npm test`: lint and format check, type-check, build, unit tests (Node), end-to-end tests in Chromium against
// web mode, and the Electron suite (which skips, saying why, where no Electron binary
// exists). Stops at the first failing stage. `npm test` runs scripts/ensure-deps.mjs
// first, so dependencies are installed by the time this runs.
//
// The browser is found before anything else runs (test/helpers/find-browser.ts:
// SESHAT_CHROMIUM, the system's Chromium/Chrome, Playwright's own). With none, it tries
// `npx playwright install chromium`, and failing that stops with one line saying how to
// install one.
import { spawnSync } from 'node:child_process';
import { tsImport } from 'tsx/esm/api';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const PLAYWRIGHT_INSTALL_TIMEOUT_MS = 10 * 60_000;
const { findBrowser } = await tsImport('../test/helpers/find-browser.ts', import.meta.url);

function browserStage() {
  let found = findBrowser();
  if (found.path === null && !process.env.SESHAT_CHROMIUM) {
    console.log('No Chromium or Chrome found; trying `npx playwright install chromium` …');
    const result = spawnSync(process.execPath, ['node_modules/@playwright/test/cli.js', 'install', 'chromium'], {
      stdio: 'inherit',
      timeout: PLAYWRIGHT_INSTALL_TIMEOUT_MS,
    });
    if (result.error?.code === 'ETIMEDOUT') console.log('`npx playwright install chromium` timed out.');
    found = findBrowser();
  }
  if (found.path === null) {
    console.error(found.reason);
    return false;
  }
  console.log(
    `Chromium for the end-to-end tests: ${found.path} (${found.source === 'system' ? 'the system’s' : found.source})`,
  );
  // The e2e config would find the same one; passing it on makes sure.
  process.env.SESHAT_CHROMIUM = found.path;
  return true;
}

const stages = [
  ['browser', browserStage],
  ['lint (ESLint with the import zones, Prettier)', [npm, 'run', 'lint']],
  ['typecheck', [npm, 'run', 'typecheck']],
  ['build', [npm, 'run', 'build']],
  ['unit', [process.execPath, 'scripts/run-unit-tests.mjs']],
  ['e2e (Chromium, web mode)', [npm, 'run', 'test:e2e']],
  ['e2e (Electron)', [npm, 'run', 'test:electron']],
];

for (const [name, stage] of stages) {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  let ok;
  if (typeof stage === 'function') ok = stage();
  else {
    const [command, ...args] = stage;
    // npm.cmd needs a shell on Windows (Node refuses to spawn .cmd files without one).
    const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
    ok = result.status === 0;
    if (!ok) process.exitCode = result.status ?? 1;
  }
  console.log(`=== ${name}: ${ok ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (!ok) process.exit(process.exitCode || 1);
}
