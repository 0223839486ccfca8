/**
 * Web mode transport: HTTP POST for calls, one WebSocket for events (reconnecting
 * with back-off). The token arrives once in the URL, is kept for this tab in
 * sessionStorage and removed from the address bar.
 */
import type { ApiEvent, ApiResult } from '../../../src-shared/api/contract';
import { imageUrlPath } from '../../../src-shared/image-url';
import type { ConnectionState, Transport } from './api-client';

const TOKEN_KEY = 'seshat.token';

export function takeToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function createWebTransport(token: string): Transport {
  const eventListeners = new Set<(event: ApiEvent) => void>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let retryMs = 250;

  function setState(next: ConnectionState) {
    state = next;
    for (const listener of connectionListeners) listener(next);
  }

  function connect() {
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${window.location.host}/api/events?token=${encodeURIComponent(token)}`);
    socket.onopen = () => {
      retryMs = 250;
      setState('open');
    };
    socket.onmessage = (message) => {
      const event = JSON.parse(String(message.data)) as ApiEvent;
      for (const listener of eventListeners) listener(event);
    };
    socket.onclose = () => {
      setState('closed');
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  }
  connect();

  return {
    kind: 'web',
    async call(method, input) {
      let response: Response;
      try {
        response = await fetch(`/api/call/${encodeURIComponent(method)}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify(input ?? {}),
        });
      } catch {
        return {
          ok: false,
          error: { code: 'INTERNAL', message: 'Seshat is not reachable: is the server still running?' },
        };
      }
      return (await response.json()) as ApiResult<unknown>;
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(state);
      return () => connectionListeners.delete(listener);
    },
    imageUrl: (projectId, image, variant) =>
      `/api/images${imageUrlPath(projectId, image, variant)}?token=${encodeURIComponent(token)}`,
  };
}
