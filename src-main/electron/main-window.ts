/**
 * The one application window, with the security defaults on: context isolation,
 * sandbox, no node integration, no navigation, no new windows, no permissions.
 */
import { BrowserWindow, nativeTheme, session, shell } from 'electron';
import { fileURLToPath } from 'node:url';
import { APP_SCHEME } from '../../src-shared/api/contract.js';
import { SECURE_WEB_PREFERENCES, isAllowedRequestUrl } from './secure-defaults.js';

export const APP_URL = `${APP_SCHEME}://app/index.html`;

export function lockDownSession(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // No remote content: only our scheme, devtools and blob/data URLs load.
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedRequestUrl(details.url) });
  });
}

export function createMainWindow(): BrowserWindow {
  nativeTheme.themeSource = 'system';
  const window = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Seshat',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#17181b' : '#f6f5f2',
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: fileURLToPath(new URL('./preload.cjs', import.meta.url)) },
  });
  window.once('ready-to-show', () => window.show());
  window.webContents.on('will-navigate', (event, url) => {
    if (url !== APP_URL) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    // Links to the outside world open in the user's browser, never in the app.
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void window.loadURL(APP_URL);
  return window;
}
