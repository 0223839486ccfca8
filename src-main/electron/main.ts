/**
 * Electron entry point: a thin layer over the plain-Node services. Owns the window,
 * the native folder picker, single-instance behaviour and the app scheme.
 */
import { app, dialog, type BrowserWindow } from 'electron';
import { createDispatcher } from '../api/dispatcher.js';
import { createHandlers } from '../api/handlers/index.js';
import { AppServices } from '../app/app-services.js';
import { rendererDistDir } from '../app/paths.js';
import { handleAppScheme, registerAppScheme } from './app-protocol.js';
import { connectIpc } from './ipc-bridge.js';
import { createMainWindow, lockDownSession } from './main-window.js';

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
    const services = AppServices.open({
      userDataDir: app.getPath('userData'),
      projectDir: process.env.SESHAT_PROJECT,
      platform: {
        transport: 'electron',
        electronVersion: process.versions.electron ?? null,
        pickFolder: async (title) => {
          const options = { title: title ?? 'Choose a folder', properties: ['openDirectory', 'createDirectory'] as Array<'openDirectory' | 'createDirectory'> };
          const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
          return result.canceled ? null : (result.filePaths[0] ?? null);
        },
      },
    });
    const dispatch = createDispatcher(createHandlers(services), {
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
  });

  app.on('window-all-closed', () => app.quit());
}
