/**
 * Two processes writing one catalog (a CLI import while web mode labels, two CLI
 * imports at once) both finish: write transactions take the write lock up front and
 * wait for it, instead of failing with "database is locked".
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/index.js';
import { importFolders } from '../../../src-main/import/index.js';
import { repoRoot, tempDir, writeImage } from '../../helpers/images.js';

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('two CLI imports and a labelling process on one project all finish', { timeout: 180_000 }, async (t) => {
  const dir = tempDir(t);
  const project = path.join(dir, 'project');
  const seed = path.join(dir, 'seed');
  for (let i = 0; i < 60; i++) await writeImage(seed, `class-${i % 3}/${i}.png`, { seed: 100 + i });
  const folders = [path.join(dir, 'wall-a'), path.join(dir, 'wall-b')];
  for (const [f, folder] of folders.entries()) {
    for (let i = 0; i < 150; i++) await writeImage(folder, `sign-${i % 5}/${i}.png`, { seed: 10_000 * (f + 1) + i });
  }
  mkdirSync(project, { recursive: true });
  const setup = Catalog.open(path.join(project, 'seshat.sqlite'));
  await importFolders(setup, { roots: [seed], labelSource: { kind: 'folders' }, thumbnailsDir: null });
  setup.close();

  const cli = path.join(repoRoot, 'src-main/cli/main.ts');
  const results = await Promise.all([
    ...folders.map((folder) => run([cli, 'import', folder, '--project', project, '--labels', 'folders', '--json'])),
    run([path.join(repoRoot, 'test/helpers/label-child.ts'), path.join(project, 'seshat.sqlite'), '6']),
  ]);
  for (const result of results) assert.equal(result.code, 0, `a writer failed:\n${result.stderr.slice(-2000)}`);
  assert.match(results[2]!.stdout, /labelled \d{3,}/);

  const catalog = Catalog.open(path.join(project, 'seshat.sqlite'), { check: 'full' });
  t.after(() => catalog.close());
  assert.equal(catalog.images.count(), 360);
  assert.equal(catalog.stats().labelled, 360);
  assert.deepEqual(catalog.integrityCheck(), ['ok']);
});
