/**
 * Finds the Chromium the end-to-end tests (and scripts/screenshots.ts) drive, in this
 * order:
 *   1. SESHAT_CHROMIUM, when set (a set but unusable path is an error, not skipped);
 *   2. the system's Chromium or Chrome: the usual install paths, then PATH;
 *   3. Playwright's own browser (`npx playwright install chromium`), when installed.
 * Everything it touches (environment, platform, file checks, Playwright's path) can be
 * injected, so the order is unit-tested with fake paths.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as PlaywrightTest from '@playwright/test';

export type BrowserSource = 'SESHAT_CHROMIUM' | 'system' | 'playwright';

export type BrowserLookup =
  { path: string; source: BrowserSource; reason?: undefined } | { path: null; source?: undefined; reason: string };

export interface FindBrowserOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Whether `path` is an executable file. */
  isExecutable?: (path: string) => boolean;
  /** Playwright's own Chromium path (installed or not), or null where it has none. */
  playwrightPath?: () => string | null;
}

/** Chromium flags for tests and screenshots: no sandbox (containers), no GPU, no network chatter. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** One line saying how to get a browser, for when none is found. */
export const INSTALL_HINT =
  'No Chromium or Chrome found for the end-to-end tests. Install one: `sudo apt-get install chromium` ' +
  '(Debian/Ubuntu), or `npx playwright install --with-deps chromium`; or point SESHAT_CHROMIUM at a Chrome/Chromium binary.';

/** Executable names looked up on PATH, in order. */
const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

/** The usual install locations, per platform, in order. */
export function systemBrowserPaths(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  if (platform === 'darwin') {
    const apps = [
      'Chromium.app/Contents/MacOS/Chromium',
      'Google Chrome.app/Contents/MacOS/Google Chrome',
      'Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
    ];
    const roots = ['/Applications', ...(env.HOME ? [join(env.HOME, 'Applications')] : [])];
    return roots.flatMap((root) => apps.map((app) => `${root}/${app}`));
  }
  if (platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter((r): r is string => !!r);
    return roots.flatMap((root) => [
      `${root}\\Google\\Chrome\\Application\\chrome.exe`,
      `${root}\\Chromium\\Application\\chrome.exe`,
    ]);
  }
  return [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/snap/bin/chromium',
  ];
}

/** PATH candidates for the usual browser names (with PATHEXT on Windows). */
export function pathCandidates(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE').split(';').filter(Boolean) : [''];
  const slash = platform === 'win32' ? '\\' : '/';
  return PATH_NAMES.flatMap((name) =>
    dirs.flatMap((dir) => exts.map((ext) => `${dir.replace(/[\\/]$/, '')}${slash}${name}${ext}`)),
  );
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function playwrightChromiumPath(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const { chromium } = require('@playwright/test') as typeof PlaywrightTest;
    return chromium.executablePath() || null;
  } catch {
    return null;
  }
}

export function findBrowser(options: FindBrowserOptions = {}): BrowserLookup {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const isExecutable = options.isExecutable ?? isExecutableFile;

  const chosen = env.SESHAT_CHROMIUM;
  if (chosen) {
    return isExecutable(chosen)
      ? { path: chosen, source: 'SESHAT_CHROMIUM' }
      : { path: null, reason: `SESHAT_CHROMIUM=${chosen} is not an executable file.` };
  }
  for (const candidate of [...systemBrowserPaths(platform, env), ...pathCandidates(platform, env)]) {
    if (isExecutable(candidate)) return { path: candidate, source: 'system' };
  }
  const own = (options.playwrightPath ?? playwrightChromiumPath)();
  if (own && isExecutable(own)) return { path: own, source: 'playwright' };
  return { path: null, reason: INSTALL_HINT };
}

/** The browser's path, or an Error that says in one line how to get one. */
export function requireBrowser(options: FindBrowserOptions = {}): string {
  const found = findBrowser(options);
  if (found.path === null) throw new Error(found.reason);
  return found.path;
}
