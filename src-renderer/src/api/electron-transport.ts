import type { SeshatBridge } from '../../../src-shared/api/contract';
import { imageUrlPath } from '../../../src-shared/image-url';
import type { ConnectionState, Transport } from './api-client';

declare global {
  interface Window {
    seshat?: SeshatBridge;
  }
}

export function createElectronTransport(bridge: SeshatBridge): Transport {
  return {
    kind: 'electron',
    call: (method, input) => {
      const fn = (bridge.api as unknown as Record<string, ((input: unknown) => Promise<never>) | undefined>)[method];
      if (!fn)
        return Promise.resolve({
          ok: false,
          error: { code: 'UNKNOWN_METHOD', message: `Unknown API method "${method}"` },
        });
      return fn(input);
    },
    onEvent: (listener) => bridge.onEvent(listener),
    // IPC is always connected while the window exists.
    onConnection: (listener: (state: ConnectionState) => void) => {
      listener('open');
      return () => {};
    },
    imageUrl: (projectId, image, variant) => `seshat://images${imageUrlPath(projectId, image, variant)}`,
  };
}
