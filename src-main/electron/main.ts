/**
 * Electron entry point: a thin layer over the plain-Node services. Owns the window,
 * the native folder picker, single-instance behaviour and the app scheme.
 */
import { app, dialog, type BrowserWindow } from 'electron';
import { AppServices } from '../app/app-services.js';
import { toErrorPayload } from '../../src-shared/errors.js';
import { rendererDistDir } from '../app/paths.js';
import { handleAppScheme, registerAppScheme } from './app-protocol.js';
import { connectIpc } from './ipc-bridge.js';
import { createMainWindow, lockDownSession } from './main-window.js';
import { createAppDispatcher } from '../api/app-dispatcher.js';

let mainWindow: BrowserWindow | null = null;

registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.whenReady().then(() => {
    lockDownSession();
    let services: AppServices;
    try {
      services = openServices();
    } catch (error) {
      // A damaged or newer catalog: one line a person can act on, not a stack trace.
      dialog.showErrorBox('Seshat cannot open the project', toErrorPayload(error).message);
      app.quit();
      return;
    }
    start(services);
  });

  app.on('window-all-closed', () => app.quit());
}

function openServices(): AppServices {
  return AppServices.open({
    userDataDir: app.getPath('userData'),
    projectDir: process.env.SESHAT_PROJECT,
    platform: {
      transport: 'electron',
      electronVersion: process.versions.electron ?? null,
      pickFolder: async (title) => {
        const options = {
          title: title ?? 'Choose a folder',
          properties: ['openDirectory', 'createDirectory'] as Array<'openDirectory' | 'createDirectory'>,
        };
        const result = mainWindow
          ? await dialog.showOpenDialog(mainWindow, options)
          : await dialog.showOpenDialog(options);
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
    },
  });
}

function start(services: AppServices): void {
  const dispatch = createAppDispatcher(services, {
    onInternalError: (method, error) => console.error(`Internal error in ${method}:`, error),
  });
  handleAppScheme(rendererDistDir(), services);
  const disconnect = connectIpc(dispatch, services, () => mainWindow);
  mainWindow = createMainWindow();
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  void services.probeBackend().catch((error: unknown) => console.error('No ML backend:', error));
  app.on('before-quit', () => {
    disconnect();
    services.close();
  });
}
