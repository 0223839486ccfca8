/**
 * Images reach the renderer only by a URL that names the project, the image and its
 * content, and only while the file on disk is still the one that was imported.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { imageUrlPath } from '../../../src-shared/image-url.js';
import type { GridPage, ProjectSummary, WallSummary } from '../../../src-shared/api/contract.js';
import { AppServices } from '../../../src-main/app/app-services.js';
import { importFolders } from '../../../src-main/import/index.js';
import { startWebServer } from '../../../src-main/web/web-server.js';
import { generatedWall } from '../../helpers/generated-wall.js';
import { tempDir, writeImage } from '../../helpers/images.js';
import { createAppDispatcher } from '../../../src-main/api/app-dispatcher.js';

async function serve(t: { after: (fn: () => void | Promise<void>) => void }) {
  const dir = tempDir(t, 'seshat-images-');
  const staticDir = join(dir, 'dist');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Seshat</title>');
  const services = AppServices.open({
    userDataDir: join(dir, 'user'),
    projectDir: join(dir, 'a'),
    platform: { transport: 'web', electronVersion: null },
  });
  const dispatch = createAppDispatcher(services);
  const server = await startWebServer({ services, dispatch, staticDir });
  t.after(async () => {
    await server.close();
    services.close();
  });
  const call = async <T>(method: string, input: unknown): Promise<T> => {
    const result = await dispatch(method, input);
    if (!result.ok) throw new Error(result.error.message);
    return result.value as T;
  };
  const get = (path: string) => fetch(`${server.url}api/images${path}?token=${server.token}`);
  return { dir, services, call, get };
}

/** One image imported (unlabelled) into the served project: its file, the project and the image's grid item. */
async function oneImportedImage(served: Awaited<ReturnType<typeof serve>>, seed: number) {
  const { dir, services, call } = served;
  const file = await writeImage(join(dir, 'photos'), 'a.png', { seed });
  await importFolders(services.catalog, {
    roots: [join(dir, 'photos')],
    labelSource: { kind: 'none' },
    thumbnailsDir: null,
  });
  const project = await call<ProjectSummary>('getProject', {});
  const image = (await call<GridPage>('getImagePage', {})).items[0]!;
  return { file, project, image };
}

test("after another project is opened, its image 1 has another URL and the first project's URL is refused", async (t) => {
  const { dir, services, call, get } = await serve(t);
  await writeImage(join(dir, 'photos-a'), 'x/a.png', { seed: 10 });
  await importFolders(services.catalog, { roots: [join(dir, 'photos-a')], labelSource: { kind: 'none' } });
  const projectA = await call<ProjectSummary>('getProject', {});
  const imageA = (await call<GridPage>('getImagePage', {})).items[0]!;
  const urlA = imageUrlPath(projectA.id, imageA, 'full');
  const fromA = await get(urlA);
  assert.equal(fromA.status, 200);
  assert.match(fromA.headers.get('cache-control') ?? '', /immutable/);
  const bytesA = Buffer.from(await fromA.arrayBuffer());

  const projectB = await call<ProjectSummary>('openProject', { dir: join(dir, 'b'), create: true });
  await writeImage(join(dir, 'photos-b'), 'y/b.png', { seed: 99 });
  await importFolders(services.catalog, { roots: [join(dir, 'photos-b')], labelSource: { kind: 'none' } });
  const imageB = (await call<GridPage>('getImagePage', {})).items[0]!;
  assert.equal(imageB.id, imageA.id, 'both projects number their first image 1');
  assert.notEqual(projectB.id, projectA.id);
  const urlB = imageUrlPath(projectB.id, imageB, 'full');
  assert.notEqual(urlB, urlA, 'the same id in another project is another URL');
  const fromB = await get(urlB);
  assert.equal(fromB.status, 200);
  assert.notDeepEqual(Buffer.from(await fromB.arrayBuffer()), bytesA);
  assert.equal((await get(urlA)).status, 404, "project A's URL is not answered with project B's picture");
});

test('a URL whose content hash no longer matches the image is refused, not served stale', async (t) => {
  const { dir, services, call, get } = await serve(t);
  await writeImage(join(dir, 'photos'), 'a.png', { seed: 3 });
  await importFolders(services.catalog, { roots: [join(dir, 'photos')], labelSource: { kind: 'none' } });
  const project = await call<ProjectSummary>('getProject', {});
  const image = (await call<GridPage>('getImagePage', {})).items[0]!;
  const stale = imageUrlPath(project.id, { id: image.id, hash: '0'.repeat(64) }, 'thumb');
  assert.equal((await get(stale)).status, 404);
  assert.equal((await get(imageUrlPath(project.id, image, 'thumb'))).status, 200);
});

test('an imported image swapped for a symbolic link to a file outside the catalog is not served', async (t) => {
  const served = await serve(t);
  const { dir, get } = served;
  const { file, project, image } = await oneImportedImage(served, 5);
  const secret = join(dir, 'secret.txt');
  writeFileSync(secret, 'root:$6$secret-hash:19000:0:99999:7:::\n');
  rmSync(file);
  symlinkSync(secret, file);
  for (const variant of ['full', 'thumb'] as const) {
    const response = await get(imageUrlPath(project.id, image, variant));
    const body = await response.text();
    assert.equal(response.status, 409, `${variant}: ${body}`);
    assert.doesNotMatch(body, /secret-hash/);
    assert.match(body, /IMAGE_CHANGED/);
    assert.match(body, /symbolic link/);
  }
});

test('a file whose content changed since import is refused with IMAGE_CHANGED, naming it', async (t) => {
  const served = await serve(t);
  const { get } = served;
  const { file, project, image } = await oneImportedImage(served, 6);
  writeFileSync(file, 'not the same bytes at all');
  const response = await get(imageUrlPath(project.id, image, 'full'));
  assert.equal(response.status, 409);
  const body = (await response.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'IMAGE_CHANGED');
  assert.match(body.error.message, /a\.png/);
});

test("a wall's photo is served by wall id and content, and refused once the file changes", async (t) => {
  const served = await serve(t);
  const { dir, call, get } = served;
  const { photo } = await generatedWall(join(dir, 'walls-in'));
  const { taskId } = await call<{ taskId: string }>('startWallImport', { photos: [photo] });
  await served.services.tasks.waitFor(taskId);
  const project = await call<ProjectSummary>('getProject', {});
  const [wall] = await call<WallSummary[]>('listWalls', {});
  const url = imageUrlPath(project.id, { id: wall!.id, hash: wall!.photoHash! }, 'wall-photo');
  const ok = await get(url);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await ok.arrayBuffer()), readFileSync(photo));
  // Another hash, another wall's id, or an image's id in its place: refused.
  assert.equal((await get(imageUrlPath(project.id, { id: wall!.id, hash: 'ab'.repeat(8) }, 'wall-photo'))).status, 404);
  assert.equal((await get(imageUrlPath(project.id, { id: 99, hash: wall!.photoHash! }, 'wall-photo'))).status, 404);
  writeFileSync(photo, Buffer.concat([readFileSync(photo), Buffer.from([0])]));
  assert.equal((await get(url)).status, 409);
});
