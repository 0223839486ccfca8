import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findBrowser, INSTALL_HINT, requireBrowser, type FindBrowserOptions } from '../../helpers/find-browser.js';

const PLAYWRIGHT = '/home/u/.cache/ms-playwright/chromium-1/chrome-linux64/chrome';

/** A fake machine: only `present` paths exist; Playwright's path is fixed. */
function machine(
  present: string[],
  env: NodeJS.ProcessEnv = {},
  platform: NodeJS.Platform = 'linux',
): FindBrowserOptions {
  const files = new Set(present);
  return {
    env: { PATH: '/usr/local/bin:/opt/bin', ...env },
    platform,
    isExecutable: (p) => files.has(p),
    playwrightPath: () => PLAYWRIGHT,
  };
}

test('SESHAT_CHROMIUM comes first', () => {
  const found = findBrowser(machine(['/x/chrome', '/usr/bin/chromium', PLAYWRIGHT], { SESHAT_CHROMIUM: '/x/chrome' }));
  assert.deepEqual(found, { path: '/x/chrome', source: 'SESHAT_CHROMIUM' });
});

test('a SESHAT_CHROMIUM that is not there is an error, not silently replaced', () => {
  const found = findBrowser(machine(['/usr/bin/chromium'], { SESHAT_CHROMIUM: '/missing/chrome' }));
  assert.equal(found.path, null);
  assert.match(found.reason ?? '', /SESHAT_CHROMIUM=\/missing\/chrome/);
});

test('the system Chromium comes before Chrome, PATH and Playwright', () => {
  const all = ['/usr/bin/chromium', '/usr/bin/google-chrome', '/usr/local/bin/chromium', PLAYWRIGHT];
  assert.deepEqual(findBrowser(machine(all)), { path: '/usr/bin/chromium', source: 'system' });
  assert.deepEqual(findBrowser(machine(all.slice(1))), { path: '/usr/bin/google-chrome', source: 'system' });
  assert.deepEqual(findBrowser(machine(all.slice(2))), { path: '/usr/local/bin/chromium', source: 'system' });
});

test('PATH is searched by name, Chromium names first', () => {
  const found = findBrowser(machine(['/opt/bin/chromium-browser', '/usr/local/bin/google-chrome']));
  assert.deepEqual(found, { path: '/opt/bin/chromium-browser', source: 'system' });
});

test("Playwright's own browser is used only when it is installed", () => {
  assert.deepEqual(findBrowser(machine([PLAYWRIGHT])), { path: PLAYWRIGHT, source: 'playwright' });
  const none = findBrowser(machine([]));
  assert.deepEqual(none, { path: null, reason: INSTALL_HINT });
  assert.throws(() => requireBrowser(machine([])), { message: INSTALL_HINT });
  assert.deepEqual(findBrowser({ ...machine([]), playwrightPath: () => null }), { path: null, reason: INSTALL_HINT });
});

test('the install hint is one line naming both ways to install', () => {
  assert.doesNotMatch(INSTALL_HINT, /\n/);
  assert.match(INSTALL_HINT, /apt-get install chromium/);
  assert.match(INSTALL_HINT, /npx playwright install/);
});

test('macOS and Windows look in their application folders', () => {
  const mac = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
  assert.deepEqual(findBrowser(machine([mac, '/usr/bin/chromium'], { HOME: '/Users/u' }, 'darwin')), {
    path: mac,
    source: 'system',
  });
  const win = 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe';
  const found = findBrowser(machine([win], { PROGRAMFILES: 'C:\\Program Files', PATH: 'C:\\bin' }, 'win32'));
  assert.deepEqual(found, { path: win, source: 'system' });
  const onPath = findBrowser(machine(['C:\\bin\\chrome.EXE'], { PATH: 'C:\\bin', PATHEXT: '.COM;.EXE' }, 'win32'));
  assert.deepEqual(onPath, { path: 'C:\\bin\\chrome.EXE', source: 'system' });
});
