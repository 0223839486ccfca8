/**
 * Whether an Electron binary can run here. `require('electron')` returns the
 * binary's path when its install step downloaded it, and throws when the download
 * was skipped (as it is on machines without internet).
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);

export function electronBinary(): { path: string | null; reason: string } {
  let path: string;
  try {
    path = require('electron') as unknown as string;
  } catch (error) {
    return { path: null, reason: `no Electron binary installed (${(error as Error).message.split('\n')[0]})` };
  }
  if (typeof path !== 'string' || !existsSync(path)) return { path: null, reason: 'no Electron binary installed' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { path: null, reason: 'no display to open a window on (run the suite under xvfb-run)' };
  }
  return { path, reason: '' };
}
