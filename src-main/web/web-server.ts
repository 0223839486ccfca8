/**
 * Web mode: the same API as the Electron window, over HTTP + WebSocket on loopback.
 *
 *   POST /api/call/<method>        JSON input → ApiResult envelope
 *   GET  /api/images/<project>/<id>/<hash>/<variant>   image bytes by catalog id
 *   GET  /api/events (WebSocket)    ApiEvent stream
 *   GET  /*                          the built renderer
 *
 * Every /api request must carry the token (401 without it).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { toErrorPayload } from '../../src-shared/errors.js';
import type { ApiDispatcher } from '../api/dispatcher.js';
import type { ApiEvent, ApiResult } from '../../src-shared/api/contract.js';
import type { AppServices } from '../app/app-services.js';
import { IMMUTABLE_CACHE, parseImagePath } from '../app/image-bytes.js';
import {
  CONTENT_SECURITY_POLICY,
  SECURITY_HEADERS,
  hostAllowed,
  newToken,
  originAllowed,
  requestToken,
  tokenMatches,
} from './security.js';
import { readStaticFile } from './static-files.js';

export interface WebServerOptions {
  services: AppServices;
  dispatch: ApiDispatcher;
  staticDir: string;
  port?: number;
  token?: string;
}

export interface RunningWebServer {
  url: string;
  /** The URL to open in a browser: carries the token. */
  openUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_JSON_BYTES = 4 * 1024 * 1024;
const LOOPBACK = '127.0.0.1';

function send(
  response: ServerResponse,
  status: number,
  body: Buffer | string,
  contentType: string,
  extra: Record<string, string> = {},
) {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': contentType,
    'Cache-Control': 'no-store',
    ...extra,
  });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown) {
  send(response, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

function sendError(response: ServerResponse, status: number, result: ApiResult<never>) {
  sendJson(response, status, result);
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) throw Object.assign(new Error('Request body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw Object.assign(new Error('Request body is not valid JSON'), { status: 400 });
  }
}

export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const token = options.token ?? newToken();
  let port = options.port ?? 0;

  async function handleApi(request: IncomingMessage, response: ServerResponse, url: URL) {
    if (!tokenMatches(token, requestToken(request, url))) {
      sendError(response, 401, { ok: false, error: { code: 'UNAUTHORIZED', message: 'Missing or wrong token' } });
      return;
    }
    const call = /^\/api\/call\/([A-Za-z0-9_]+)$/.exec(url.pathname);
    if (call) {
      if (request.method !== 'POST') {
        sendError(response, 405, { ok: false, error: { code: 'INVALID_INPUT', message: 'Use POST for API calls' } });
        return;
      }
      let input: unknown;
      try {
        input = await readJsonBody(request);
      } catch (error) {
        const status = (error as { status?: number }).status ?? 400;
        sendError(response, status, { ok: false, error: { code: 'INVALID_INPUT', message: (error as Error).message } });
        return;
      }
      const result = await options.dispatch(call[1]!, input);
      sendJson(response, 200, result);
      return;
    }
    const image = url.pathname.startsWith('/api/images/')
      ? parseImagePath(url.pathname.slice('/api/images'.length))
      : null;
    if (image && request.method === 'GET') {
      try {
        const bytes = await options.services.readImage(image);
        send(response, 200, bytes.body, bytes.contentType, { 'Cache-Control': IMMUTABLE_CACHE });
      } catch (error) {
        const payload = toErrorPayload(error);
        const status = payload.code === 'NOT_FOUND' ? 404 : payload.code === 'IMAGE_CHANGED' ? 409 : 500;
        sendError(response, status, { ok: false, error: payload });
      }
      return;
    }
    if (url.pathname === '/api/health') {
      sendJson(response, 200, { ok: true, value: 'ok' });
      return;
    }
    sendError(response, 404, { ok: false, error: { code: 'NOT_FOUND', message: `No API route ${url.pathname}` } });
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    if (!hostAllowed(request, port)) {
      send(response, 403, 'Forbidden host', 'text/plain; charset=utf-8');
      return;
    }
    const url = new URL(request.url ?? '/', `http://${LOOPBACK}:${port}`);
    if (url.pathname.startsWith('/api/')) {
      await handleApi(request, response, url);
      return;
    }
    const file = await readStaticFile(options.staticDir, url.pathname);
    if (!file) {
      send(response, 404, 'Not found', 'text/plain; charset=utf-8');
      return;
    }
    const isHtml = file.contentType.startsWith('text/html');
    send(
      response,
      200,
      file.body,
      file.contentType,
      isHtml ? { 'Content-Security-Policy': CONTENT_SECURITY_POLICY } : {},
    );
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, { ok: false, error: toErrorPayload(error) });
      else response.destroy();
    });
  });

  const sockets = new WebSocketServer({ noServer: true });
  const unsubscribe = options.services.onEvent((event: ApiEvent) => {
    const message = JSON.stringify(event);
    for (const client of sockets.clients) if (client.readyState === client.OPEN) client.send(message);
  });

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', `http://${LOOPBACK}:${port}`);
    const allowed =
      url.pathname === '/api/events' &&
      hostAllowed(request, port) &&
      originAllowed(request, port) &&
      tokenMatches(token, requestToken(request, url));
    if (!allowed) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(request, socket, head, (client: WebSocket) => sockets.emit('connection', client, request));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${LOOPBACK}:${port}/`;

  return {
    url,
    openUrl: `${url}?token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
