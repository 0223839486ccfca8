/**
 * "Keep each folder whole" with walls: every wall's crops sit at the top of their own
 * folder (one root per wall), and crops of one wall look alike, so a wall must not
 * straddle splits. Top-level images used to count as folders of their own.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { Catalog } from '../../../src-main/catalog/catalog.js';
import { MIGRATIONS, migrate } from '../../../src-main/catalog/index.js';
import { groupKeyFromPath } from '../../../src-main/splits/index.js';
import { applySplit, planSplit } from '../../../src-main/dataset/split-service.js';
import { importWalls } from '../../../src-main/walls/wall-import.js';
import { importFolders } from '../../../src-main/import/index.js';
import { generatedWall } from '../../helpers/generated-wall.js';
import { imageRow } from '../../helpers/catalog-rows.js';
import { writeImage } from '../../helpers/images.js';

test('keeping folders whole keeps each imported wall in one split, and names the walls', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-wall-groups-'));
  const { photo, boxes } = await generatedWall(dir);
  const photos = ['wall-a.png', 'wall-b.png', 'wall-c.png', 'wall-d.png'].map((name) => {
    copyFileSync(photo, join(dir, name));
    return join(dir, name);
  });
  const catalog = Catalog.open(':memory:');
  try {
    for (const one of photos)
      await importWalls(
        { catalog, projectDir: join(dir, 'project'), thumbnailsDir: null },
        { photos: [one], boxesFile: boxes },
      );
    const plan = applySplit(catalog, { group: { kind: 'folder' }, ratios: { train: 50, validation: 25, test: 25 } });
    assert.equal(plan.groups.length, 4, 'one group per wall');
    assert.deepEqual(plan.groups.map((group) => group.name).sort(), ['wall-a', 'wall-b', 'wall-c', 'wall-d']);
    const splitsOfWall = new Map<string, Set<string>>();
    for (const row of catalog.imageRows({ labelledOnly: true })) {
      const wall = row.rootPath.split('/').pop()!;
      splitsOfWall.set(wall, (splitsOfWall.get(wall) ?? new Set()).add(row.split!));
    }
    for (const [wall, splits] of splitsOfWall)
      assert.equal(splits.size, 1, `${wall} straddles ${[...splits].join(', ')}`);
    // The plan of the same rule agrees with what was applied.
    assert.deepEqual(planSplit(catalog, {}).groups, plan.groups);
  } finally {
    catalog.close();
  }
});

test('a version-13 catalog that keeps folders whole gets folder keys that name the root', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-wall-groups-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const build = (file: string, rule: object | string) => {
    const db = new Database(file);
    migrate(db, MIGRATIONS.slice(0, 13));
    db.prepare("INSERT INTO project_meta (key, value) VALUES ('split.rule', ?)").run(
      typeof rule === 'string' ? rule : JSON.stringify(rule),
    );
    db.exec(
      `INSERT INTO roots (id, path, name, added_at)
       VALUES (1, '/w/wall-3', 'wall-3', 1), (2, '/w/wall-5', 'wall-5', 1), (3, '/w/wall-7', 'wall-7', 1)`,
    );
    const insert = db.prepare(
      `INSERT INTO images (root_id, rel_path, hash, width, height, channels, format, bytes, mtime_ms, imported_at, group_key)
       VALUES (?, ?, ?, 1, 1, 3, 'png', 1, 1, 1, ?)`,
    );
    // Keys as the old rule computed them: the folder inside the root, none at the top.
    insert.run(1, '0001_X1.png', 'a', null);
    insert.run(2, '0001_X1.png', 'b', null);
    insert.run(2, 'more/0002_G17.png', 'c', 'more');
    insert.run(2, 'more/deeper/0003_D21.png', 'd', 'more/deeper');
    // wall-7's crops were split one by one (groups of one): one in train, one in test.
    const e = insert.run(3, '0001_N35.png', 'e', null).lastInsertRowid;
    const f = insert.run(3, '0002_N35.png', 'f', null).lastInsertRowid;
    const split = db.prepare('INSERT INTO splits (image_id, split, locked, updated_at) VALUES (?, ?, 0, 1)');
    split.run(e, 'train');
    split.run(f, 'test');
    db.close();
  };
  const keys = (file: string) => {
    const catalog = Catalog.open(file);
    try {
      return catalog
        .imageRows({})
        .map((row) => [row.relPath, row.rootId, groupKeyFromPath(row.relPath, { kind: 'folder' }, row.rootId)]);
    } finally {
      catalog.close();
    }
  };
  const stored = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare('SELECT group_key FROM images ORDER BY id').all() as { group_key: string | null }[]).map(
        (r) => r.group_key,
      );
    } finally {
      db.close();
    }
  };
  const folders = join(dir, 'folders.sqlite');
  build(folders, { group: { kind: 'folder' } });
  const computed = keys(folders).map(([, , key]) => key);
  // wall-7's top-level crops already sit in two splits: they stay groups of one, so that
  // the next split does not pull them all after one of them.
  assert.deepEqual(stored(folders), ['1:', '2:', '2:more', '2:more/deeper', null, null]);
  assert.deepEqual(stored(folders).slice(0, 4), computed.slice(0, 4), 'the migration writes what the code computes');
  const pictures = join(dir, 'pictures.sqlite');
  build(pictures, { group: { kind: 'regex', pattern: '^(\\d{2})' } });
  keys(pictures);
  const untouched = [null, null, 'more', 'more/deeper', null, null];
  assert.deepEqual(stored(pictures), untouched, 'another rule keeps its keys');
  // A rule that is not JSON reads as no rule (as the app reads it): the catalog opens.
  const damaged = join(dir, 'damaged.sqlite');
  build(damaged, '{"group": {"kind": "fol');
  keys(damaged);
  assert.deepEqual(stored(damaged), untouched);
});

test('a project of walls only keeps each wall whole when it is first split; other projects keep their rule', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-wall-groups-'));
  const { photo, boxes } = await generatedWall(dir);
  const second = join(dir, 'wall-b.png');
  copyFileSync(photo, second);
  const walls = Catalog.open(':memory:');
  const mixed = Catalog.open(':memory:');
  try {
    const workspace = (catalog: Catalog) => ({
      catalog,
      projectDir: join(dir, `project-${catalog === walls}`),
      thumbnailsDir: null,
    });
    await importWalls(workspace(walls), { photos: [photo], boxesFile: boxes });
    await importWalls(workspace(walls), { photos: [second], boxesFile: boxes });
    assert.deepEqual(walls.splits.rule().group, { kind: 'folder' });
    // Training splits a never-split project by its rule: the two walls land whole.
    const plan = applySplit(walls, {});
    assert.equal(plan.grouped, true);
    assert.deepEqual(plan.groups.map((group) => group.name).sort(), ['wall-b', 'wall99']);

    // Photos imported before the wall: the project's rule stays a plain split.
    const photos = join(dir, 'photos');
    for (let i = 0; i < 4; i++) await writeImage(photos, `cat/${i}.png`, { seed: i });
    await importFolders(mixed, { roots: [photos], labelSource: { kind: 'folders' }, thumbnailsDir: null });
    await importWalls(workspace(mixed), { photos: [photo], boxesFile: boxes });
    assert.equal(mixed.splits.rule().group, null);
  } finally {
    walls.close();
    mixed.close();
  }
});

test('a pattern group is named by its key, even one that looks like a folder key', () => {
  const catalog = Catalog.open(':memory:');
  try {
    const root = catalog.images.ensureRoot('/scans');
    const op = catalog.labels.beginOperation('import', 'fixture', { undoable: false });
    catalog.images.insertBatch(
      ['1:a-1.png', '1:a-2.png', '2:b-1.png', '3:c-1.png'].map((relPath, i) =>
        imageRow(root.id, relPath, i, { label: 'X1' }),
      ),
      { operationId: op },
    );
    const plan = planSplit(catalog, { group: { kind: 'regex', pattern: '^(\\d:\\w)' } });
    assert.deepEqual(plan.groups.map((group) => group.name).sort(), ['1:a', '2:b', '3:c']);
  } finally {
    catalog.close();
  }
});
