/**
 * The window's security settings, kept apart from Electron imports so a plain-Node
 * test can hold them to account.
 */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
} as const;

/** Only the app's own scheme (and in-memory URLs) may load in the window. */
export function isAllowedRequestUrl(url: string): boolean {
  return /^(seshat|devtools|blob|data):/.test(url);
}
