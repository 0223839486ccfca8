import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AppServices } from '../../../src-main/app/app-services.js';
import { AppError } from '../../../src-shared/errors.js';
import { prepareProjectFolder } from '../../../src-main/projects/project.js';
import { SettingsStore } from '../../../src-main/projects/settings.js';

const platform = { transport: 'cli' as const, electronVersion: null };

test('a new project folder gets its sub-folders', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'seshat-proj-')), 'My Glyphs');
  const paths = prepareProjectFolder(dir, { create: true });
  assert.equal(paths.name, 'My Glyphs');
  for (const folder of [paths.thumbnailsDir, paths.cacheDir, paths.modelsDir]) assert.ok(existsSync(folder));
});

test('opening a missing folder without create is PROJECT_INVALID naming it', () => {
  const dir = join(tmpdir(), 'seshat-missing-project-xyz');
  assert.throws(
    () => prepareProjectFolder(dir, { create: false }),
    (error: unknown) => error instanceof AppError && error.code === 'PROJECT_INVALID' && error.message.includes(dir),
  );
});

test('the app opens the last project, and falls back to the default one when it vanished', () => {
  const root = mkdtempSync(join(tmpdir(), 'seshat-last-'));
  const userDataDir = join(root, 'user');
  const first = AppServices.open({ userDataDir, projectDir: join(root, 'first'), platform });
  first.openProject(join(root, 'second'), true);
  first.close();
  const reopened = AppServices.open({ userDataDir, platform });
  assert.equal(reopened.project.dir, join(root, 'second'));
  reopened.close();

  const settings = new SettingsStore(userDataDir);
  settings.update({ lastProject: join(root, 'gone', 'file-not-folder') });
  writeFileSync(join(root, 'gone'), 'a file where a folder should be');
  const fallback = AppServices.open({ userDataDir, platform });
  assert.equal(fallback.project.dir, join(userDataDir, 'projects', 'Default'));
  fallback.close();
});

test('recent projects are most-recent first, without repeats', () => {
  const settings = new SettingsStore(mkdtempSync(join(tmpdir(), 'seshat-settings-')));
  settings.rememberProject('/a');
  settings.rememberProject('/b');
  settings.rememberProject('/a');
  assert.deepEqual(settings.get().recentProjects, ['/a', '/b']);
  assert.equal(JSON.parse(readFileSync(settings.file, 'utf8')).lastProject, '/a');
});

test('a damaged settings file does not stop the app from starting', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-settings-'));
  writeFileSync(join(dir, 'settings.json'), '{"lastProject": 12, ');
  assert.equal(new SettingsStore(dir).get().lastProject, null);
});

test('switching projects while a task runs is refused with CONFLICT', async () => {
  const root = mkdtempSync(join(tmpdir(), 'seshat-switch-'));
  const services = AppServices.open({ userDataDir: join(root, 'user'), projectDir: join(root, 'a'), platform });
  const id = services.tasks.start(
    'wait',
    'Wait',
    (job) => new Promise((resolve) => job.signal.addEventListener('abort', resolve)),
  );
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.throws(
    () => services.openProject(join(root, 'b'), true),
    (error: unknown) => error instanceof AppError && error.code === 'CONFLICT',
  );
  services.tasks.cancel(id);
  await services.tasks.waitFor(id);
  assert.equal(services.openProject(join(root, 'b'), true).name, 'b');
  // The status bar showed "Classify new-photos finished" in the other project: a
  // finished task belongs to the project it ran in.
  assert.deepEqual(services.tasks.list(), [], 'project b lists none of project a’s tasks');
  services.close();
});

test('opening a project removes thumbnail temp files a killed import left, and keeps those of a live writer', async () => {
  const root = mkdtempSync(join(tmpdir(), 'seshat-tmp-'));
  const project = join(root, 'project');
  const fanOut = join(project, 'thumbnails', 'ab');
  mkdirSync(fanOut, { recursive: true });
  // pid 2^22 + 1 is above Linux's pid_max default range in containers; pick one that is surely gone.
  let dead = 4_194_301;
  while (
    (() => {
      try {
        process.kill(dead, 0);
        return true;
      } catch {
        return false;
      }
    })()
  )
    dead--;
  const stale = join(fanOut, `cdef.webp.${dead}.0badc0de.tmp`);
  const live = join(fanOut, `cdef.webp.${process.pid}.0badc0de.tmp`);
  const thumbnail = join(fanOut, 'cdef.webp');
  for (const file of [stale, live, thumbnail]) writeFileSync(file, 'x');
  const services = AppServices.open({ userDataDir: join(root, 'user'), projectDir: project, platform });
  await services.maintenance();
  assert.equal(existsSync(stale), false, 'the dead writer’s temp file is gone');
  assert.equal(existsSync(live), true, 'a live writer’s temp file is left alone');
  assert.equal(existsSync(thumbnail), true);
  services.close();
});
