/**
 * A large catalog opens without its page check, which runs on a worker thread: a
 * healthy one reports nothing, a damaged one is reported in one line naming the file,
 * and from then on every call but the project's own fails with that CATALOG_DAMAGED
 * error (as opening it did before, only later).
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createDispatcher } from '../../../src-main/api/dispatcher.js';
import { createHandlers } from '../../../src-main/api/handlers/index.js';
import { AppServices } from '../../../src-main/app/app-services.js';
import { ProjectSession } from '../../../src-main/app/project-session.js';
import { quickCheckInBackground } from '../../../src-main/catalog/background-check.js';
import { Catalog } from '../../../src-main/catalog/catalog.js';
import { tempDir } from '../../helpers/images.js';

/** A project whose catalog ends in a run of garbage pages (class rows that opening does not read). */
function damagedProject(dir: string): string {
  const file = path.join(dir, 'seshat.sqlite');
  const catalog = Catalog.open(file);
  const classes = Array.from({ length: 3000 }, (_, i) => ({ name: `class-${i}-${'x'.repeat(40)}` }));
  catalog.transaction(() => classes.forEach((c) => catalog.classes.create(c)));
  catalog.close();
  const size = statSync(file).size;
  assert.ok(size > 16 * 4096, 'test needs a multi-page file');
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(4 * 4096, 0xa5), 0, 4 * 4096, size - 4 * 4096);
  closeSync(fd);
  return file;
}

test('the page check on a worker finds nothing wrong with a healthy catalog', async (t) => {
  const file = path.join(tempDir(t), 'seshat.sqlite');
  const catalog = Catalog.open(file);
  catalog.classes.create({ name: 'G17' });
  catalog.close();
  assert.equal(await quickCheckInBackground(file), null);
});

test('a large damaged catalog opens at once; the check reports it, and calls then fail naming the file', async (t) => {
  const dir = tempDir(t);
  const file = damagedProject(dir);
  // Opening checks first, as it always did for a catalog this small…
  assert.throws(() => ProjectSession.open(dir, { create: false }), /is damaged/);
  // …and not when the catalog counts as large: the check runs on a worker instead.
  const session = ProjectSession.open(dir, { create: false, checkInBackgroundAbove: 0 });
  const problem = await session.integrity;
  assert.ok(problem, 'the background check finds the damage');
  assert.match(problem, /is damaged \(quick_check: /);
  assert.ok(problem.includes(file), problem);
  assert.equal(problem.split('\n').length, 1);
  assert.equal(session.damage, problem);
  session.close();
});

test('with a problem reported, library calls fail as CATALOG_DAMAGED and the project calls still answer', async (t) => {
  const app = AppServices.open({
    userDataDir: tempDir(t),
    projectDir: path.join(tempDir(t), 'project'),
    platform: { transport: 'cli', electronVersion: null },
  });
  t.after(() => app.close());
  let problem: string | null = null;
  const dispatch = createDispatcher(createHandlers(app), {
    catalogFile: () => app.catalog.file,
    catalogProblem: () => problem,
  });
  assert.ok((await dispatch('getCatalogStats', {})).ok);
  problem = `Catalog ${app.catalog.file} is damaged (quick_check: page 7 is never used)`;
  const stats = await dispatch('getCatalogStats', {});
  assert.ok(!stats.ok);
  assert.equal(stats.error.code, 'CATALOG_DAMAGED');
  assert.equal(stats.error.message, problem);
  assert.ok((await dispatch('getProject', {})).ok);
  assert.ok((await dispatch('listRecentProjects', {})).ok);
});
