/**
 * The trigram path index (FTS5) fed in bulk: an imported batch costs FTS5 one flush,
 * not one per image (the per-image trigger made imports slow down as the catalog grew,
 * and a 1M build stall), and catalogs indexed by that trigger carry on after migrating.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { Catalog, MIGRATIONS, migrate, type NewImage } from '../../../src-main/catalog/index.js';
import { importFolders } from '../../../src-main/import/index.js';
import { tempDir, writeImage } from '../../helpers/images.js';

const images = (rootId: number, count: number, folder: string): NewImage[] =>
  Array.from({ length: count }, (_, i) => ({
    rootId,
    relPath: `${folder}/img-${i}.jpg`,
    hash: `${folder}-${i}`,
    width: 1,
    height: 1,
    channels: 3,
    format: 'jpeg',
    bytes: 1,
    mtimeMs: 1,
  }));

/**
 * How many segments FTS5 has ever written for the index: the write counter of its
 * structure record (4-byte cookie, the 4-byte version-2 marker, then varints for the
 * levels, the segments and this counter).
 */
function segmentsWritten(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    const row = db.prepare('SELECT block FROM image_paths_data WHERE id = 10').get() as { block: Buffer };
    let at = row.block[4] === 0xff ? 8 : 4;
    const varint = (): number => {
      let value = 0;
      for (let shift = 1; ; shift *= 128) {
        const byte = row.block[at++]!;
        value += (byte & 0x7f) * shift;
        if (!(byte & 0x80)) return value;
      }
    };
    varint(); // levels
    varint(); // segments
    return varint();
  } finally {
    db.close();
  }
}

test('an imported batch is indexed for path search in one flush, not one segment per image', (t) => {
  const file = path.join(tempDir(t), 'seshat.sqlite');
  const catalog = Catalog.open(file);
  const root = catalog.images.ensureRoot('/photos/Wall-3');
  catalog.images.insertBatch(images(root.id, 300, 'row-a'), { operationId: null });
  assert.equal(catalog.grid.page({ pathContains: 'img-299' }, { limit: 10 }).total, 1);
  assert.equal(catalog.grid.page({ pathContains: 'wall-3/row-a' }, { limit: 500 }).total, 300);
  catalog.close();
  const written = segmentsWritten(file);
  assert.ok(written >= 1 && written < 10, `FTS5 wrote ${written} segments for one batch of 300 images`);
});

test('importing a folder indexes its paths a batch at a time, not one segment per image', async (t) => {
  // Each image indexed on its own wrote one FTS5 segment per image, and the merges of
  // those segments slowed a 1M import from 400 to 40 images/s past 470k images.
  const dir = tempDir(t);
  const root = path.join(dir, 'photos');
  for (let i = 0; i < 120; i++) await writeImage(root, `cat-${i % 3}/img-${i}.png`, { seed: i, width: 4, height: 4 });
  const file = path.join(dir, 'seshat.sqlite');
  const catalog = Catalog.open(file);
  await importFolders(catalog, { roots: [root], labelSource: { kind: 'folders' }, thumbnailsDir: null, batchSize: 50 });
  assert.equal(catalog.grid.page({ pathContains: 'photos/cat-1/' }, { limit: 100 }).total, 40);
  assert.equal(catalog.grid.page({ pathContains: 'img-119.' }, { limit: 10 }).total, 1);
  catalog.close();
  const written = segmentsWritten(file);
  assert.ok(written >= 1 && written <= 10, `FTS5 wrote ${written} segments for 120 images in batches of 50`);
});

test('a version-11 catalog, indexed image by image, carries on indexing by batch once migrated', (t) => {
  const file = path.join(tempDir(t), 'seshat.sqlite');
  const db = new Database(file);
  migrate(db, MIGRATIONS.slice(0, 11));
  db.exec("INSERT INTO roots (id, path, name, added_at) VALUES (1, '/photos/Wall-7', 'Wall-7', 1)");
  const insert = db.prepare(
    `INSERT INTO images (root_id, rel_path, hash, width, height, channels, format, bytes, mtime_ms, imported_at)
     VALUES (1, ?, ?, 1, 1, 3, 'png', 1, 1, 1)`,
  );
  for (let i = 0; i < 5; i++) insert.run(`old/sign_${i}.png`, `h${i}`);
  db.close();

  const catalog = Catalog.open(file);
  t.after(() => catalog.close());
  assert.equal(catalog.schemaVersion(), MIGRATIONS.length);
  assert.equal(catalog.grid.page({ pathContains: 'wall-7/old/' }, { limit: 10 }).total, 5);
  catalog.images.insertBatch(images(1, 7, 'new'), { operationId: null });
  assert.equal(catalog.grid.page({ pathContains: 'wall-7/new/' }, { limit: 10 }).total, 7);
  // Each image is listed once: the old trigger is gone, so nothing indexes a path twice.
  assert.equal(catalog.grid.page({ pathContains: 'img-6' }, { limit: 10 }).total, 1);
});
