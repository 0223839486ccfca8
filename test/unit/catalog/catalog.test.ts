import assert from 'node:assert/strict';
import { closeSync, cpSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { Catalog, LATEST_VERSION, MIGRATIONS, migrate, type Migration } from '../../../src-main/catalog/index.js';
import { AppError } from '../../../src-shared/errors.js';
import { tempDir } from '../../helpers/images.js';
import { databaseOf } from '../../../src-main/catalog/database-handle.js';

function code(error: unknown): string | undefined {
  return error instanceof AppError ? error.code : undefined;
}

test('migrations are numbered 1..N without gaps', () => {
  assert.deepEqual(
    MIGRATIONS.map((m) => m.version),
    MIGRATIONS.map((_, i) => i + 1),
  );
  assert.equal(LATEST_VERSION, MIGRATIONS.length);
});

test('an in-memory catalog is migrated to the latest version with every table', () => {
  const catalog = Catalog.open(':memory:');
  try {
    assert.equal(catalog.schemaVersion(), LATEST_VERSION);
    const tables = databaseOf(catalog)
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
      .pluck()
      .all() as string[];
    for (const table of [
      'roots',
      'images',
      'classes',
      'labels',
      'label_history',
      'operations',
      'splits',
      'runs',
      'run_epochs',
      'predictions',
      'import_reports',
      'import_report_items',
      'embeddings',
    ]) {
      assert.ok(tables.includes(table), `missing table ${table}`);
    }
    assert.equal(databaseOf(catalog).pragma('foreign_keys', { simple: true }), 1);
    assert.deepEqual(catalog.integrityCheck(), ['ok']);
  } finally {
    catalog.close();
  }
});

test('an older catalog is upgraded in place and keeps its data', () => {
  const db = new Database(':memory:');
  migrate(db, MIGRATIONS.slice(0, 1));
  assert.equal(db.pragma('user_version', { simple: true }), 1);
  db.prepare("INSERT INTO classes (name, created_at) VALUES ('D58', 1)").run();
  const applied = migrate(db);
  assert.deepEqual(
    applied,
    MIGRATIONS.slice(1).map((m) => m.version),
  );
  assert.equal(db.prepare('SELECT name FROM classes').pluck().get(), 'D58');
  assert.equal(db.pragma('user_version', { simple: true }), LATEST_VERSION);
  db.close();
});

test('a failing migration rolls back entirely and leaves the version unchanged', () => {
  const db = new Database(':memory:');
  const broken: Migration[] = [
    ...MIGRATIONS,
    { version: MIGRATIONS.length + 1, name: 'broken', up: 'CREATE TABLE half_done (x); SELECT * FROM no_such_table;' },
  ];
  assert.throws(() => migrate(db, broken));
  assert.equal(db.pragma('user_version', { simple: true }), LATEST_VERSION);
  assert.equal(db.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'half_done'").pluck().get(), 0);
  db.close();
});

test('a migration that breaks a foreign key is refused; one that writes no key skips the whole-catalog check', () => {
  const base = MIGRATIONS.slice(0, 5);
  const dangling = "INSERT INTO labels (image_id, class_id, source, updated_at) VALUES (999, 999, 'human', 1);";
  const breaking: Migration = { version: 6, name: 'dangling label', up: dangling };
  const db = new Database(':memory:');
  migrate(db, base);
  assert.throws(() => migrate(db, [...base, breaking]), /migration 6 broke 2 foreign keys/);
  assert.equal(db.pragma('user_version', { simple: true }), 5);
  // The same write marked keysUntouched is not checked: the flag is for migrations
  // that only add an index or fill a plain column, where the check costs 0.8 s at 1M.
  migrate(db, [...base, { ...breaking, keysUntouched: true }]);
  assert.equal(db.pragma('user_version', { simple: true }), 6);
  // Migrations 14 and 15 write no key, and say so.
  assert.deepEqual(
    MIGRATIONS.filter((migration) => migration.keysUntouched).map((migration) => migration.version),
    [14, 15],
  );
  db.close();
});

test('a file catalog uses WAL, synchronous=NORMAL and a busy timeout', (t) => {
  const file = path.join(tempDir(t), 'seshat.sqlite');
  const catalog = Catalog.open(file);
  try {
    assert.equal(databaseOf(catalog).pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(databaseOf(catalog).pragma('synchronous', { simple: true }), 1); // NORMAL
    assert.ok((databaseOf(catalog).pragma('busy_timeout', { simple: true }) as number) > 0);
  } finally {
    catalog.close();
  }
  const again = Catalog.open(file, { check: 'full' });
  assert.equal(again.schemaVersion(), LATEST_VERSION);
  again.close();
});

test('a catalog from a newer Seshat is refused, naming the file and both versions', (t) => {
  const file = path.join(tempDir(t), 'newer.sqlite');
  Catalog.open(file).close();
  const db = new Database(file);
  db.pragma(`user_version = ${LATEST_VERSION + 5}`);
  db.close();
  assert.throws(
    () => Catalog.open(file),
    (error: unknown) =>
      code(error) === 'CATALOG_NEWER_SCHEMA' &&
      (error as Error).message.includes(file) &&
      (error as Error).message.includes(String(LATEST_VERSION + 5)) &&
      (error as Error).message.includes(String(LATEST_VERSION)),
  );
  // Refusing must not have touched it.
  const check = new Database(file);
  assert.equal(check.pragma('user_version', { simple: true }), LATEST_VERSION + 5);
  check.close();
});

test('a file that is not SQLite at all is CATALOG_DAMAGED', (t) => {
  const file = path.join(tempDir(t), 'notes.sqlite');
  writeFileSync(file, 'These are my notes, not a database.\n'.repeat(200));
  assert.throws(
    () => Catalog.open(file),
    (error: unknown) => code(error) === 'CATALOG_DAMAGED' && (error as Error).message.includes(file),
  );
  assert.match(readFileSync(file, 'utf8'), /^These are my notes/); // left as it was
});

test('a catalog with corrupted pages is CATALOG_DAMAGED on open', (t) => {
  const file = path.join(tempDir(t), 'damaged.sqlite');
  const catalog = Catalog.open(file);
  const classes = Array.from({ length: 3000 }, (_, i) => ({ name: `class-${i}-${'x'.repeat(40)}` }));
  catalog.transaction(() => classes.forEach((c) => catalog.classes.create(c)));
  catalog.close(); // checkpoints the WAL into the main file
  const size = statSync(file).size;
  assert.ok(size > 16 * 4096, 'test needs a multi-page file');
  // Overwrite a run of pages in the middle (not the header page) with garbage.
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(8 * 4096, 0xa5), 0, 8 * 4096, 4 * 4096);
  closeSync(fd);
  assert.throws(
    () => Catalog.open(file),
    (error: unknown) => code(error) === 'CATALOG_DAMAGED' && (error as Error).message.includes(file),
  );
});

test("another application's SQLite database is refused, not migrated", (t) => {
  const file = path.join(tempDir(t), 'other.sqlite');
  const db = new Database(file);
  db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)');
  db.close();
  assert.throws(
    () => Catalog.open(file),
    (error: unknown) => code(error) === 'CATALOG_DAMAGED',
  );
  const check = new Database(file);
  assert.equal(check.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'images'").pluck().get(), 0);
  check.close();
});

test('opening a missing catalog with create: false is NOT_FOUND', (t) => {
  const file = path.join(tempDir(t), 'absent.sqlite');
  assert.throws(
    () => Catalog.open(file, { create: false }),
    (error: unknown) => code(error) === 'NOT_FOUND',
  );
});

test('stats count images, labels and splits', () => {
  const catalog = Catalog.open(':memory:');
  try {
    const root = catalog.images.ensureRoot('/data/photos');
    const op = catalog.labels.beginOperation('import', 'test', { undoable: false });
    const base = { rootId: root.id, width: 4, height: 4, channels: 3, format: 'png', bytes: 10, mtimeMs: 1 };
    catalog.images.insertBatch(
      [
        { ...base, relPath: 'a.png', hash: 'h1', label: 'cat', split: 'train' },
        { ...base, relPath: 'b.png', hash: 'h2', label: 'dog', split: 'test' },
        { ...base, relPath: 'c.png', hash: 'h3' },
      ],
      { operationId: op },
    );
    catalog.images.setStatus([3], 'missing');
    const stats = catalog.stats();
    assert.deepEqual(
      {
        images: stats.images,
        present: stats.present,
        missing: stats.missing,
        classes: stats.classes,
        labelled: stats.labelled,
        unlabelled: stats.unlabelled,
        roots: stats.roots,
      },
      { images: 3, present: 2, missing: 1, classes: 2, labelled: 2, unlabelled: 1, roots: 1 },
    );
    assert.deepEqual(stats.bySplit, { train: 1, validation: 0, test: 1, none: 1 });
    assert.equal(stats.byOrigin.import, 2);
    assert.equal(catalog.images.findByHash('h2')[0]?.relPath, 'b.png');
    assert.equal(
      catalog.images.absolutePath({ rootId: root.id, relPath: 'sub/a.png' }),
      path.join('/data/photos', 'sub', 'a.png'),
    );
  } finally {
    catalog.close();
  }
});

test('runs, epochs and predictions round-trip', () => {
  const catalog = Catalog.open(':memory:');
  try {
    const root = catalog.images.ensureRoot('/data');
    const op = catalog.labels.beginOperation('import', 'test', { undoable: false });
    const [imageId] = catalog.images.insertBatch(
      [
        {
          rootId: root.id,
          relPath: 'a.png',
          hash: 'h',
          width: 1,
          height: 1,
          channels: 1,
          format: 'png',
          bytes: 1,
          mtimeMs: 1,
          label: 'A1',
        },
      ],
      { operationId: op },
    );
    const classId = catalog.classes.findByName('A1')!.id;
    const run = catalog.runs.create({
      name: 'first',
      preset: 'mobilenet',
      options: { preset: 'mobilenet', epochs: 2 },
    });
    assert.equal(run.status, 'pending');
    catalog.runs.addEpoch(run.id, 1, { loss: 0.9, accuracy: 0.5 });
    catalog.runs.addEpoch(run.id, 2, { loss: 0.4, accuracy: 0.8 });
    assert.deepEqual(
      catalog.runs.epochs(run.id).map((e) => e.metrics.loss),
      [0.9, 0.4],
    );
    catalog.runs.savePredictions(run.id, [
      { imageId: imageId!, classId, confidence: 0.75, topK: [{ classId, p: 0.75 }] },
    ]);
    assert.equal(catalog.runs.prediction(run.id, imageId!)?.confidence, 0.75);
    const done = catalog.runs.update(run.id, { status: 'done', metrics: { bestEpoch: 2 }, weightsPath: 'models/1' });
    assert.equal(done.status, 'done');
    assert.ok(done.finishedAt !== null);
    assert.deepEqual(done.metrics, { bestEpoch: 2 });
  } finally {
    catalog.close();
  }
});

test('import reports keep every error, page the other items, and mark dead runs interrupted', () => {
  const catalog = Catalog.open(':memory:');
  try {
    const id = catalog.reports.create('import', ['/data'], { labelSource: { kind: 'none' } });
    catalog.reports.addItems(id, [
      ...Array.from({ length: 3 }, (_, i) => ({
        kind: 'duplicate' as const,
        path: `/data/d${i}.png`,
        code: null,
        detail: 'same as x',
      })),
      ...Array.from({ length: 5 }, (_, i) => ({
        kind: 'error' as const,
        path: `/data/e${i}.png`,
        code: 'IMAGE_UNREADABLE',
        detail: `e${i}.png is empty`,
      })),
    ]);
    const report = catalog.reports.require(id, 1);
    assert.equal(report.itemsTotal, 8);
    assert.deepEqual(
      report.items.map((i) => i.kind),
      ['error', 'error', 'error', 'error', 'error', 'duplicate'],
    );
    assert.equal(catalog.reports.items(id, { kind: 'duplicate', offset: 1 }).length, 2);
    // A report left 'running' by a process that is gone becomes 'interrupted'.
    const stale = catalog.reports.create('import', ['/data'], {});
    assert.equal(
      catalog.reports.markInterrupted(() => false),
      0,
      'this process is alive: its reports are running',
    );
    databaseOf(catalog)
      .prepare('UPDATE import_reports SET pid = ? WHERE id = ?')
      .run(2 ** 22 + 12345, stale);
    assert.equal(
      catalog.reports.markInterrupted(() => false),
      1,
    );
    assert.equal(catalog.reports.require(stale).status, 'interrupted');
  } finally {
    catalog.close();
  }
});

test('a version-4 catalog with runs upgrades to 5: epochs and predictions kept, model paths made project-relative', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'seshat.sqlite');
  const db = new Database(file);
  migrate(db, MIGRATIONS.slice(0, 4));
  db.prepare("INSERT INTO roots (id, path, added_at) VALUES (1, '/photos', 1)").run();
  db.prepare(
    "INSERT INTO images (id, root_id, rel_path, hash, width, height, channels, format, bytes, mtime_ms, imported_at) VALUES (1, 1, 'a.png', 'ab', 1, 1, 3, 'png', 1, 1, 1)",
  ).run();
  db.prepare("INSERT INTO classes (id, name, created_at) VALUES (1, 'G17', 1)").run();
  const modelDir = path.join(dir, 'models', 'run-1', 'model');
  db.prepare(
    "INSERT INTO runs (id, name, preset, status, weights_path, created_at) VALUES (1, 'r', 'small-cnn', 'running', ?, 1)",
  ).run(modelDir);
  db.prepare('INSERT INTO run_epochs (run_id, epoch, metrics, at) VALUES (1, 1, \'{"loss":1}\', 1)').run();
  db.prepare(
    "INSERT INTO predictions (run_id, image_id, class_id, confidence, top_k, at) VALUES (1, 1, 1, 0.9, '[]', 1)",
  ).run();
  db.close();

  const catalog = Catalog.open(file);
  assert.equal(catalog.schemaVersion(), LATEST_VERSION);
  assert.equal(catalog.runs.epochs(1).length, 1, 'rebuilding runs kept its epochs');
  assert.equal(catalog.runs.prediction(1, 1)?.confidence, 0.9, 'and its predictions');
  assert.equal(catalog.runs.get(1)?.weightsPath, modelDir);
  assert.equal(
    databaseOf(catalog).prepare('SELECT weights_path FROM runs WHERE id = 1').pluck().get(),
    'models/run-1/model',
  );
  assert.match(catalog.meta.projectId(), /^[0-9a-f]{32}$/);
  catalog.runs.update(1, { status: 'interrupted' });
  assert.equal(catalog.runs.get(1)?.status, 'interrupted', 'the new status passes the rebuilt CHECK');
  catalog.close();

  // A copy of the project folder uses its own models, not the original's.
  const copy = path.join(tempDir(t), 'copy');
  cpSync(dir, copy, { recursive: true });
  const copied = Catalog.open(path.join(copy, 'seshat.sqlite'));
  assert.equal(copied.runs.get(1)?.weightsPath, path.join(copy, 'models', 'run-1', 'model'));
  copied.close();
});

test('a zero-byte catalog file is refused, not replaced by an empty catalog', (t) => {
  const file = path.join(tempDir(t), 'seshat.sqlite');
  writeFileSync(file, '');
  assert.throws(
    () => Catalog.open(file),
    (error: unknown) =>
      code(error) === 'CATALOG_DAMAGED' &&
      /empty \(0 bytes\)/.test((error as Error).message) &&
      (error as Error).message.includes(file),
  );
  assert.equal(statSync(file).size, 0, 'the file is left as it was');
});

test('the damaged-catalog error is one line that names the file', (t) => {
  const file = path.join(tempDir(t), 'damaged.sqlite');
  const catalog = Catalog.open(file);
  const classes = Array.from({ length: 3000 }, (_, i) => ({ name: `class-${i}-${'x'.repeat(40)}` }));
  catalog.transaction(() => classes.forEach((c) => catalog.classes.create(c)));
  catalog.close();
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(8 * 4096, 0xa5), 0, 8 * 4096, 4 * 4096);
  closeSync(fd);
  let message = '';
  try {
    Catalog.open(file);
  } catch (error) {
    message = (error as Error).message;
  }
  assert.ok(message.includes(file), message);
  assert.equal(message.split('\n').length, 1, `one line, not:\n${message}`);
  assert.ok(message.length < 400, `short enough to read: ${message.length} characters`);
});
