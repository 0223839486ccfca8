/**
 * Where Seshat keeps per-user state when Electron's app.getPath is not available
 * (web mode, CLI, tests). Mirrors Electron's userData locations.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function defaultUserDataDir(): string {
  if (process.env.SESHAT_USER_DATA) return resolve(process.env.SESHAT_USER_DATA);
  const home = homedir();
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Seshat');
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Seshat');
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Seshat');
}

export function defaultProjectDir(userDataDir: string): string {
  return join(userDataDir, 'projects', 'Default');
}

/**
 * The repository (or packaged app) root, the folder that holds `resources/`: two
 * levels above `src-main/app` under tsx, three above `out/src-main/app` once compiled.
 */
export function appRootDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const compiled = /[\\/]out[\\/]src-main[\\/]/.test(here);
  const levels = compiled ? '../../..' : '../..';
  return resolve(here, levels);
}

export function resourcesDir(): string {
  if (process.env.SESHAT_RESOURCES) return resolve(process.env.SESHAT_RESOURCES);
  return join(appRootDir(), 'resources');
}

/** Gardiner signs with their Unicode, JSesh codes and descriptions (from Unikemet). */
export function signTableFile(): string {
  return join(resourcesDir(), 'gardiner', 'signs.json');
}

/** The bundled sign detector, trained on the six Unas walls. */
export function signDetectorDir(): string {
  return join(resourcesDir(), 'models', 'sign-detector');
}

export function rendererDistDir(): string {
  return join(appRootDir(), 'out', 'renderer');
}
