/**
 * The `seshat://` scheme: `seshat://app/…` serves the built renderer (a real origin,
 * so the CSP's 'self' means something) and `seshat://images/<project>/<id>/<hash>/<variant>` serves
 * catalog images by id. Nothing else on disk is reachable from the renderer.
 */
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { join, normalize, sep } from 'node:path';
import { APP_SCHEME } from '../../src-shared/api/contract.js';
import type { AppServices } from '../app/app-services.js';
import { IMMUTABLE_CACHE, parseImagePath } from '../app/image-bytes.js';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '../web/security.js';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

const ELECTRON_CSP = CONTENT_SECURITY_POLICY.replace("img-src 'self'", `img-src 'self' ${APP_SCHEME}:`);

export function handleAppScheme(rendererDir: string, services: AppServices): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host === 'images') {
      const request = parseImagePath(url.pathname);
      if (!request) return new Response('Not found', { status: 404 });
      try {
        const image = await services.readImage(request);
        return new Response(new Uint8Array(image.body), {
          headers: { 'Content-Type': image.contentType, 'Cache-Control': IMMUTABLE_CACHE },
        });
      } catch {
        return new Response('Not found', { status: 404, headers: { 'Cache-Control': 'no-store' } });
      }
    }
    if (url.host !== 'app') return new Response('Not found', { status: 404 });
    const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = normalize(join(rendererDir, relative));
    if (!file.startsWith(normalize(rendererDir) + sep)) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    if (!file.endsWith('.html')) return response;
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', ELECTRON_CSP);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
    return new Response(response.body, { status: response.status, headers });
  });
}
