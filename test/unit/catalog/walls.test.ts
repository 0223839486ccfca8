import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/catalog.js';
import { wallDetails } from '../../../src-main/walls/wall-view.js';

function catalogWithCrops(count: number) {
  const catalog = Catalog.open(':memory:');
  const root = catalog.images.ensureRoot('/project/walls/w1');
  const reportId = catalog.reports.create('import', ['/project/walls/w1'], {});
  const op = catalog.imports.begin(reportId, 'Import of w1');
  const ids = catalog.images.insertBatch(
    Array.from({ length: count }, (_, i) => ({
      rootId: root.id,
      relPath: `${String(i).padStart(4, '0')}_G17.png`,
      hash: `h${i}`,
      width: 50,
      height: 75,
      channels: 1,
      format: 'png' as const,
      bytes: 1,
      mtimeMs: 1,
      label: 'G17',
    })),
    { operationId: op },
  );
  return { catalog, ids, reportId };
}

test('a wall keeps its crops’ boxes; recording it again moves a box instead of adding one', () => {
  const { catalog, ids } = catalogWithCrops(2);
  try {
    const wall = catalog.walls.record({ photoPath: '/photos/w1.jpg', width: 1150, height: 1600 }, [
      { imageId: ids[1]!, box: [10, 20, 30, 40], index: 1 },
      { imageId: ids[0]!, box: [1, 2, 3, 4], index: 0 },
    ]);
    assert.deepEqual(
      catalog.walls.signs(wall.id).map((sign) => [sign.imageId, sign.box]),
      [
        [ids[0], [1, 2, 3, 4]],
        [ids[1], [10, 20, 30, 40]],
      ],
    );
    const again = catalog.walls.record({ photoPath: '/photos/w1.jpg', width: 1150, height: 1600 }, [
      { imageId: ids[0]!, box: [5, 6, 7, 8], index: 0 },
    ]);
    assert.equal(again.id, wall.id);
    assert.equal(catalog.walls.list().length, 1);
    assert.deepEqual(catalog.walls.signOfImage(ids[0]!)?.box, [5, 6, 7, 8]);
    assert.equal(catalog.walls.signs(wall.id).length, 2);
    assert.throws(() =>
      catalog.walls.record({ photoPath: '/photos/w2.jpg', width: 10, height: 10 }, [
        { imageId: ids[1]!, box: [5, 5, 5, 9], index: 0 },
      ]),
    );
    assert.equal(catalog.walls.list().length, 1, 'a refused box records nothing of its wall');
  } finally {
    catalog.close();
  }
});

test('undoing the import of a wall’s crops removes their boxes and keeps the wall', () => {
  const { catalog, ids, reportId } = catalogWithCrops(3);
  try {
    const wall = catalog.walls.record(
      { photoPath: '/photos/w1.jpg', width: 100, height: 100 },
      ids.map((imageId, index) => ({ imageId, box: [index, 0, index + 1, 1] as const, index })),
    );
    catalog.reports.finish(reportId, 'done', { imported: 3 });
    catalog.imports.undo(reportId);
    assert.equal(catalog.imageRows().length, 0);
    assert.deepEqual(catalog.walls.signs(wall.id), []);
    assert.equal(catalog.walls.list().length, 1);
  } finally {
    catalog.close();
  }
});

test('which way a wall is read: not judged at first, the model’s judgement, and a person’s word kept over it', () => {
  const { catalog, ids } = catalogWithCrops(4);
  try {
    // Two columns of two signs: left column at x 0–40, right one at x 100–140.
    const wall = catalog.walls.record({ photoPath: '/photos/w1.jpg', width: 200, height: 200 }, [
      { imageId: ids[0]!, box: [0, 0, 40, 40], index: 0 },
      { imageId: ids[1]!, box: [0, 50, 40, 90], index: 1 },
      { imageId: ids[2]!, box: [100, 0, 140, 40], index: 2 },
      { imageId: ids[3]!, box: [100, 50, 140, 90], index: 3 },
    ]);
    assert.equal(wall.facing, null);
    const order = () => wallDetails(catalog, wall.id).signs.map((sign) => sign.imageId);
    assert.deepEqual(order(), [ids[0], ids[1], ids[2], ids[3]], 'as the training walls: left column first');

    assert.equal(catalog.walls.setFacing(wall.id, { mirrored: true, by: 'model' }), true);
    assert.deepEqual(catalog.walls.require(wall.id).facing, { mirrored: true, by: 'model' });
    const details = wallDetails(catalog, wall.id);
    assert.deepEqual(details.direction, { columns: 'right-first', withinRow: 'left-first' });
    assert.deepEqual(order(), [ids[2], ids[3], ids[0], ids[1]], 'mirrored: the right column first');

    assert.equal(catalog.walls.setFacing(wall.id, { mirrored: false, by: 'person' }), true);
    assert.equal(catalog.walls.setFacing(wall.id, { mirrored: true, by: 'model' }), false, 'the model yields');
    assert.deepEqual(catalog.walls.require(wall.id).facing, { mirrored: false, by: 'person' });
    assert.deepEqual(order(), [ids[0], ids[1], ids[2], ids[3]]);
    assert.equal(catalog.walls.setFacing(wall.id, { mirrored: true, by: 'person' }), true, 'a person may change it');
    assert.throws(() => catalog.walls.setFacing(999, { mirrored: true, by: 'person' }), /No wall with id 999/);
  } finally {
    catalog.close();
  }
});
