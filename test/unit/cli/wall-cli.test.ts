import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/catalog.js';
import { generatedWall } from '../../helpers/generated-wall.js';

const repoRoot = resolve(import.meta.dirname, '../../..');

function seshat(args: string[]) {
  const userData = mkdtempSync(join(tmpdir(), 'seshat-cli-user-'));
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src-main/cli/main.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, SESHAT_USER_DATA: userData },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('seshat wall import cuts labelled crops into the project; wall read reads them in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-wall-'));
  const project = join(dir, 'project');
  const { photo, boxes } = await generatedWall(dir);

  const imported = seshat(['wall', 'import', photo, '--boxes', boxes, '--project', project, '--json']);
  assert.equal(imported.code, 0, imported.stderr);
  const report = JSON.parse(imported.stdout) as {
    walls: { signs: number; dir: string }[];
    import: { imported: number };
  };
  assert.equal(report.walls[0]!.signs, 12);
  assert.equal(report.import.imported, 12);
  const crops = readdirSync(report.walls[0]!.dir).filter((name) => name.endsWith('.png'));
  assert.deepEqual(crops.slice(0, 2), ['0000_X1.png', '0001_O49.png']);
  assert.ok(existsSync(join(report.walls[0]!.dir, 'wall.json')));
  // The catalog keeps each crop's wall and box.
  const catalog = Catalog.open(join(project, 'seshat.sqlite'));
  try {
    const [wall] = catalog.walls.list();
    assert.deepEqual([wall?.photoPath, wall?.width, wall?.height], [photo, 200, 240]);
    const signs = catalog.walls.signs(wall!.id);
    assert.equal(signs.length, 12);
    assert.deepEqual(signs[7]!.box, [110, 43, 190, 77]);
    const image = catalog.imageRows().find((row) => row.id === signs[7]!.imageId)!;
    assert.equal(image.relPath, '0007_O49.png');
  } finally {
    catalog.close();
  }

  assert.equal(seshat(['split', '--project', project, '--ratios', '50,50,0', '--json']).code, 0);
  const trained = seshat(['train', '--project', project, '--preset', 'small-cnn', '--epochs', '2', '--json']);
  assert.equal(trained.code, 0, trained.stderr);
  // Each epoch is kept with the learning rate it ran at: the metrics export has it.
  const metrics = seshat(['runs', '--project', project, '--metrics', '1', '--format', 'csv']);
  assert.equal(metrics.code, 0, metrics.stderr);
  const [header, ...rows] = metrics.stdout.trim().split('\n');
  const rate = header!.split(',').indexOf('learning_rate');
  assert.ok(rate > 0, header);
  assert.equal(rows.length, 2);
  for (const row of rows) assert.ok(Number(row.split(',')[rate]) > 0, row);

  const read = seshat(['wall', 'read', photo, '--boxes', boxes, '--project', project, '--json']);
  assert.equal(read.code, 0, read.stderr);
  const wall = JSON.parse(read.stdout) as {
    width: number;
    signs: { box: number[]; label: string | null; confidence: number; order: number; column: number }[];
  };
  assert.equal(wall.width, 200);
  assert.deepEqual(
    wall.signs.map((sign) => sign.order),
    [...Array(12).keys()],
  );
  assert.deepEqual(wall.signs[0]!.box, [10, 5, 90, 39]);
  assert.deepEqual(wall.signs[6]!.box, [110, 5, 190, 39]);
  assert.equal(wall.signs[6]!.column, 1);
  for (const sign of wall.signs) {
    assert.ok(sign.label === 'X1' || sign.label === 'O49', `label ${sign.label}`);
    assert.ok(sign.confidence > 0 && sign.confidence <= 1);
  }

  // Bars and discs look the same mirrored: the model's judgement keeps the training walls' direction.
  const judged = JSON.parse(read.stdout) as { facing: { mirrored: boolean; by: string; compared: number } };
  assert.deepEqual([judged.facing.mirrored, judged.facing.by, judged.facing.compared], [false, 'model', 12]);
  // Told the signs face the other way, it reads the right column first, top to bottom.
  const other = seshat(['wall', 'read', photo, '--boxes', boxes, '--project', project, '--mirrored', 'yes', '--json']);
  assert.equal(other.code, 0, other.stderr);
  const mirrored = JSON.parse(other.stdout) as {
    direction: { columns: string };
    signs: { box: number[]; order: number; column: number }[];
  };
  assert.equal(mirrored.direction.columns, 'right-first');
  assert.deepEqual(mirrored.signs[0]!.box, [110, 5, 190, 39]);
  assert.deepEqual(mirrored.signs[6]!.box, [10, 5, 90, 39]);
  assert.equal(mirrored.signs[6]!.column, 1);
  const refused = seshat(['wall', 'read', photo, '--boxes', boxes, '--project', project, '--mirrored', 'maybe']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stdout + refused.stderr, /--mirrored takes auto, yes or no, not "maybe"/);

  const mdc = seshat(['wall', 'read', photo, '--boxes', boxes, '--project', project, '--mdc']);
  assert.equal(mdc.code, 0, mdc.stderr);
  assert.match(mdc.stdout, /^(X1|O49)(-(X1|O49)){5} !\n(X1|O49)(-(X1|O49)){5} !\n$/);
});

test('seshat wall refuses a photo it cannot read, naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-wall-'));
  const result = seshat(['wall', 'import', join(dir, 'photo.jpg'), '--project', join(dir, 'p'), '--json']);
  assert.notEqual(result.code, 0);
  assert.match(result.stdout, /photo\.jpg/);
});
