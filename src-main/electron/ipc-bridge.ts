/**
 * Connects the dispatcher to Electron IPC: one `invoke` channel for calls, one
 * channel for events. Calls from frames other than our own app origin are refused.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { IPC_CHANNELS, APP_SCHEME, type ApiEvent } from '../../src-shared/api/contract.js';
import type { ApiDispatcher } from '../api/dispatcher.js';
import type { AppServices } from '../app/app-services.js';

function fromOurApp(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  return url.startsWith(`${APP_SCHEME}://app/`);
}

export function connectIpc(
  dispatch: ApiDispatcher,
  services: AppServices,
  getWindow: () => BrowserWindow | null,
): () => void {
  ipcMain.handle(IPC_CHANNELS.call, async (event, method: unknown, input: unknown) => {
    if (!fromOurApp(event))
      return { ok: false, error: { code: 'UNAUTHORIZED', message: 'Calls are accepted from the Seshat window only' } };
    return dispatch(typeof method === 'string' ? method : '', input);
  });
  const unsubscribe = services.onEvent((event: ApiEvent) => {
    const window = getWindow();
    if (window && !window.isDestroyed()) window.webContents.send(IPC_CHANNELS.event, event);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_CHANNELS.call);
  };
}
