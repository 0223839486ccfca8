/**
 * A kill -9 in the middle of an import must leave a catalog that opens, passes
 * integrity_check, and that a re-run completes without duplicate rows.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/index.js';
import { thumbnailPath } from '../../../src-main/images/index.js';
import { importFolders } from '../../../src-main/import/index.js';
import { repoRoot, tempDir, writeImage } from '../../helpers/images.js';
import { databaseOf } from '../../../src-main/catalog/database-handle.js';

const TOTAL = 400;
const KILL_AFTER = 30;

test('SIGKILL mid-import leaves a healthy catalog and a re-run finishes the job', { timeout: 120_000 }, async (t) => {
  if (process.platform === 'win32') return t.skip('SIGKILL semantics are POSIX');
  const dir = tempDir(t);
  const folder = path.join(dir, 'images');
  for (let i = 0; i < TOTAL; i++) await writeImage(folder, `class-${i % 4}/${i}.png`, { seed: 5000 + i });
  const catalogFile = path.join(dir, 'seshat.sqlite');
  const thumbnailsDir = path.join(dir, 'thumbnails');

  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'test/helpers/import-child.ts'), catalogFile, folder, thumbnailsDir],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let finished = false;
  let committed = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === 'finished') finished = true;
    const match = /^imported (\d+)$/.exec(line);
    if (match && Number(match[1]) >= KILL_AFTER) {
      committed = Number(match[1]);
      child.kill('SIGKILL');
      break;
    }
  }
  const exit = await exited;
  assert.equal(finished, false, 'the child must be killed before it finishes');
  assert.equal(exit.signal, 'SIGKILL', `child exit: ${JSON.stringify(exit)} ${stderr}`);

  const catalog = Catalog.open(catalogFile, { check: 'full' });
  try {
    assert.deepEqual(catalog.integrityCheck(), ['ok']);
    const partial = catalog.images.count();
    assert.ok(partial >= committed && partial < TOTAL, `partial import: ${partial} rows after seeing ${committed}`);
    assert.equal(catalog.stats().labelled, partial, 'committed images have their labels (same transaction)');
    assert.equal(catalog.reports.list()[0]?.status, 'running', 'the killed import never finished its report');
    // Path search lists exactly the committed images: a batch's paths are indexed in its transaction.
    const indexed = () =>
      databaseOf(catalog)
        .prepare('SELECT COUNT(*) FROM image_paths WHERE image_paths MATCH \'"images/class-"\'')
        .pluck()
        .get();
    assert.equal(indexed(), partial);

    const rerun = await importFolders(catalog, { roots: [folder], labelSource: { kind: 'folders' }, thumbnailsDir });
    assert.equal(rerun.status, 'done');
    assert.equal(rerun.counts.imported, TOTAL - partial);
    assert.equal(rerun.counts.unchanged, partial);
    assert.equal(catalog.images.count(), TOTAL);
    const distinct = databaseOf(catalog)
      .prepare('SELECT COUNT(DISTINCT root_id || char(0) || rel_path) FROM images')
      .pluck()
      .get();
    assert.equal(distinct, TOTAL);
    assert.equal(catalog.stats().labelled, TOTAL);
    assert.equal(catalog.reports.list()[1]?.status, 'interrupted');
    assert.equal(indexed(), TOTAL);
    for (const item of catalog.grid.page({}, { limit: 1000 }).items) {
      assert.ok(existsSync(thumbnailPath(thumbnailsDir, item.hash)), `thumbnail of ${item.relPath}`);
    }
    assert.deepEqual(catalog.integrityCheck(), ['ok']);
  } finally {
    catalog.close();
  }
});
