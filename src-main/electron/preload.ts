/**
 * The preload bridge. Runs sandboxed with context isolation, so it is bundled into
 * one CommonJS file (scripts/build-preload.mjs). It exposes `window.seshat` with one
 * named function per API method, generated from the contract, plus `onEvent`.
 * `ipcRenderer` itself is never exposed.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  IPC_CHANNELS,
  apiMethodNames,
  type ApiEvent,
  type SeshatApiEnvelopes,
  type SeshatBridge,
} from '../../src-shared/api/contract.js';

function bridgeFunction(method: string) {
  return (input: unknown) => ipcRenderer.invoke(IPC_CHANNELS.call, method, input ?? {});
}

const api = Object.fromEntries(apiMethodNames.map((method) => [method, bridgeFunction(method)])) as SeshatApiEnvelopes;

const bridge: SeshatBridge = {
  api,
  onEvent(listener) {
    const wrapped = (_event: IpcRendererEvent, payload: ApiEvent) => listener(payload);
    ipcRenderer.on(IPC_CHANNELS.event, wrapped);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.event, wrapped);
    };
  },
  platform: process.platform,
};

contextBridge.exposeInMainWorld('seshat', bridge);
