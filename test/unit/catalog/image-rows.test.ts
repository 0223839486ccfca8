/**
 * Image rows for some images only: by id, and at or under paths (what classifying a
 * folder reads instead of the whole catalog).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/index.js';
import { imageRow } from '../../helpers/catalog-rows.js';

function catalogWithRoots() {
  const catalog = Catalog.open(':memory:');
  const walls = catalog.images.ensureRoot(path.resolve('/data/walls'));
  const nested = catalog.images.ensureRoot(path.resolve('/data/walls/wall-1/extra'));
  const other = catalog.images.ensureRoot(path.resolve('/data/walls-old'));
  const rows = [
    [walls.id, 'wall-1/a.png'],
    [walls.id, 'wall-1/sub/b.png'],
    [walls.id, 'wall-10/c.png'],
    [walls.id, 'wall-1.png'],
    [walls.id, 'wall-10.png'],
    [nested.id, 'd.png'],
    [other.id, 'e.png'],
  ] as const;
  catalog.images.insertBatch(
    rows.map(([rootId, relPath], i) => imageRow(rootId, relPath, i)),
    { operationId: null },
  );
  const idOf = (relPath: string) => catalog.imageRows().find((row) => row.relPath === relPath)!.id;
  return { catalog, idOf };
}

const pathsOf = (rows: Array<{ rootPath: string; relPath: string }>) =>
  rows.map((row) => path.join(row.rootPath, row.relPath)).sort();

test('rows at or under a path: inside a root, a whole root, a root inside, never a sibling sharing a prefix', () => {
  const { catalog } = catalogWithRoots();
  const at = (...paths: string[]) => pathsOf(catalog.imageRowsAt(paths.map((p) => path.resolve(p))));
  assert.deepEqual(at('/data/walls/wall-1'), [
    path.resolve('/data/walls/wall-1/a.png'),
    path.resolve('/data/walls/wall-1/extra/d.png'),
    path.resolve('/data/walls/wall-1/sub/b.png'),
  ]);
  assert.deepEqual(at('/data/walls/wall-1/'), at('/data/walls/wall-1'), 'a trailing separator changes nothing');
  assert.deepEqual(at('/data/walls/wall-1.png'), [path.resolve('/data/walls/wall-1.png')], 'a file is its own row');
  assert.deepEqual(at('/data/walls').length, 6, 'a root and the root inside it, not walls-old');
  assert.deepEqual(at('/data'), pathsOf(catalog.imageRows()));
  assert.deepEqual(at('/data/walls/wall-1', '/data/walls/wall-1/sub'), at('/data/walls/wall-1'), 'no row twice');
  assert.deepEqual(at('/elsewhere'), []);
});

test('rows by id and at a path leave out images that are not present, and come in id order', () => {
  const { catalog, idOf } = catalogWithRoots();
  const gone = idOf('wall-1/a.png');
  catalog.images.setStatus([gone], 'missing');
  const ids = [idOf('e.png'), gone, idOf('wall-10/c.png'), 999];
  assert.deepEqual(
    catalog.imageRowsByIds(ids).map((row) => row.id),
    [idOf('wall-10/c.png'), idOf('e.png')],
  );
  const rows = catalog.imageRowsAt([path.resolve('/data/walls/wall-1')]);
  assert.deepEqual(
    rows.map((row) => row.relPath),
    ['wall-1/sub/b.png', 'd.png'],
  );
  // Each row is the one imageRows gives.
  const whole = new Map(catalog.imageRows().map((row) => [row.id, row]));
  for (const row of rows) assert.deepEqual(row, whole.get(row.id));
});
