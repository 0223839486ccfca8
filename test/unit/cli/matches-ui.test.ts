/**
 * The CLI runs the app's own API calls, so a command does what the same action does
 * in the UI: `seshat import` into a split project places new labelled images by the
 * project's rule and remembers the project's import settings, as the Import dialog does.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/catalog.js';
import { runCli } from '../../../src-main/cli/main.js';
import { tempDir, writeImage } from '../../helpers/images.js';

function quietIo() {
  const out: string[] = [];
  return { io: { out: (text: string) => out.push(text), err: (text: string) => out.push(text) }, out };
}

test('seshat import into a split project places the new images and remembers its settings, like the dialog', async (t) => {
  const dir = tempDir(t);
  process.env.SESHAT_USER_DATA = join(dir, 'user');
  t.after(() => delete process.env.SESHAT_USER_DATA);
  for (let i = 0; i < 6; i++) await writeImage(join(dir, 'first'), `G17/owl_${i}.png`, { seed: i + 1 });
  for (let i = 0; i < 6; i++) await writeImage(join(dir, 'first'), `M17/reed_${i}.png`, { seed: 20 + i });
  for (let i = 0; i < 3; i++) await writeImage(join(dir, 'later'), `G17/owl_late_${i}.png`, { seed: 40 + i });
  const project = join(dir, 'project');
  const { io, out } = quietIo();
  assert.equal(await runCli(['import', join(dir, 'first'), '--project', project, '--json'], io), 0, out.join('\n'));
  assert.equal(await runCli(['split', '--project', project, '--seed', '3', '--json'], io), 0, out.join('\n'));
  assert.equal(
    await runCli(['import', join(dir, 'later'), '--project', project, '--labels', 'folders', '--json'], io),
    0,
    out.join('\n'),
  );

  const catalog = Catalog.open(join(project, 'seshat.sqlite'));
  t.after(() => catalog.close());
  const late = catalog.imageRows().filter((row) => row.relPath.includes('owl_late'));
  assert.equal(late.length, 3);
  for (const row of late)
    assert.ok(row.split === 'train' || row.split === 'validation', `${row.relPath} is in ${row.split}`);
  assert.deepEqual(catalog.meta.getJson('import.settings'), {
    roots: [join(dir, 'later')],
    labelSource: { kind: 'folders' },
    duplicates: 'skip',
  });
});

test('seshat train, eval and predict run the Train, Evaluate and Predict calls', { timeout: 180_000 }, async (t) => {
  const dir = tempDir(t);
  process.env.SESHAT_USER_DATA = join(dir, 'user');
  t.after(() => delete process.env.SESHAT_USER_DATA);
  for (let i = 0; i < 8; i++) await writeImage(join(dir, 'crops'), `G17/owl_${i}.png`, { seed: i + 1 });
  for (let i = 0; i < 8; i++) await writeImage(join(dir, 'crops'), `M17/reed_${i}.png`, { seed: 30 + i });
  for (let i = 0; i < 2; i++) await writeImage(join(dir, 'new'), `wall/n_${i}.png`, { seed: 60 + i });
  const project = join(dir, 'project');
  const { io, out } = quietIo();
  const json = () => JSON.parse(out.splice(0).join('\n')) as Record<string, unknown>;
  assert.equal(await runCli(['import', join(dir, 'crops'), '--project', project, '--json'], io), 0);
  assert.equal(await runCli(['split', '--project', project, '--json'], io), 0);
  out.length = 0;
  assert.equal(
    await runCli(
      ['train', '--project', project, '--preset', 'small-cnn', '--epochs', '1', '--backend', 'wasm', '--json'],
      io,
    ),
    0,
    out.join('\n'),
  );
  const trained = json();
  assert.equal(trained.status, 'completed');
  assert.equal(trained.epochs, 1);
  assert.equal(await runCli(['eval', '--project', project, '--split', 'validation', '--json'], io), 0, out.join('\n'));
  const evaluated = json();
  assert.equal(evaluated.runId, trained.runId);
  assert.deepEqual(evaluated.classes, ['G17', 'M17']);
  const csvFile = join(dir, 'out.csv');
  assert.equal(
    await runCli(['predict', join(dir, 'new'), '--project', project, '--out', csvFile, '--json'], io),
    0,
    out.join('\n'),
  );
  assert.equal(json().predicted, 2);
  const rows = readFileSync(csvFile, 'utf8').trim().split('\n');
  assert.equal(rows[0], 'path,label,predicted,confidence,top5');
  assert.equal(rows.length, 3, 'the classified folder only, as the Predict view exports it');
});
