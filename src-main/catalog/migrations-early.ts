/**
 * Migrations 1–9: the schema as it grew up to the grid's copies (migrations-grid.ts
 * takes over from 10). Frozen like every shipped migration: never edit, only append.
 */
import path from 'node:path';
import type Database from 'better-sqlite3';
import { compareGardinerCodes } from '../../src-shared/gardiner/gardiner.js';
import { DEFAULT_HOTKEYS } from './classes.js';
import type { Migration } from './migrations.js';
import { folderName, toProjectRelative } from './project-paths.js';

export const EARLY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'images, classes, labels, splits, label history',
    up: `
      CREATE TABLE roots (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        label_source TEXT,
        added_at INTEGER NOT NULL,
        scanned_at INTEGER
      );
      CREATE TABLE classes (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        colour TEXT,
        hotkey TEXT,
        sort_order INTEGER NOT NULL DEFAULT 0,
        archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
        created_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX classes_hotkey ON classes(hotkey) WHERE hotkey IS NOT NULL AND archived = 0;

      CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        root_id INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,
        rel_path TEXT NOT NULL,
        hash TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        channels INTEGER NOT NULL,
        format TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        mtime_ms INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'present' CHECK (status IN ('present', 'missing')),
        imported_at INTEGER NOT NULL,
        UNIQUE (root_id, rel_path)
      );
      CREATE INDEX images_hash ON images(hash);
      -- Narrow (~8 bytes an entry): COUNT(*) of images reads this instead of the wide
      -- hash index, ~0.1 ms instead of ~60 ms at 1M images.
      CREATE INDEX images_root ON images(root_id);
      -- Missing files are few; a partial index finds them without scanning every image.
      CREATE INDEX images_missing ON images(root_id) WHERE status = 'missing';

      -- Current label, at most one per image. image_id is the rowid, so the class index
      -- lists image ids in import order and "class X, newest first" needs no sort.
      CREATE TABLE labels (
        image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
        class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
        source TEXT NOT NULL CHECK (source IN ('human', 'import', 'model')),
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX labels_class ON labels(class_id);
      CREATE INDEX labels_source ON labels(source, class_id);

      CREATE TABLE splits (
        image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
        split TEXT NOT NULL CHECK (split IN ('train', 'validation', 'test')),
        locked INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX splits_split ON splits(split);

      -- One row per user-visible action; label_history rows point at it so a bulk
      -- action undoes as one. state moves done -> undone -> done (redo), or to
      -- discarded when a new action is taken after an undo.
      CREATE TABLE operations (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        description TEXT NOT NULL,
        undoable INTEGER NOT NULL CHECK (undoable IN (0, 1)),
        state TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('done', 'undone', 'discarded')),
        payload TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX operations_state ON operations(state, undoable);

      -- Append-only audit of every label change. No foreign keys on image and class
      -- ids: the audit outlives deleted classes.
      CREATE TABLE label_history (
        id INTEGER PRIMARY KEY,
        op_id INTEGER NOT NULL REFERENCES operations(id),
        image_id INTEGER NOT NULL,
        old_class_id INTEGER,
        new_class_id INTEGER,
        old_source TEXT,
        new_source TEXT,
        action TEXT NOT NULL CHECK (action IN ('do', 'undo', 'redo')),
        at INTEGER NOT NULL
      );
      CREATE INDEX label_history_op ON label_history(op_id, action);
      CREATE INDEX label_history_image ON label_history(image_id);
    `,
  },
  {
    version: 2,
    name: 'training runs, epochs, predictions',
    up: `
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        preset TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        dataset_hash TEXT,
        status TEXT NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
        metrics TEXT,
        weights_path TEXT,
        created_at INTEGER NOT NULL,
        finished_at INTEGER
      );
      CREATE TABLE run_epochs (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        metrics TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (run_id, epoch)
      ) WITHOUT ROWID;
      CREATE TABLE predictions (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        class_id INTEGER REFERENCES classes(id) ON DELETE SET NULL,
        confidence REAL NOT NULL,
        top_k TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (run_id, image_id)
      ) WITHOUT ROWID;
      CREATE INDEX predictions_class ON predictions(run_id, class_id, confidence);
      CREATE INDEX predictions_confidence ON predictions(run_id, confidence);
    `,
  },
  {
    version: 3,
    name: 'import reports',
    up: `
      CREATE TABLE import_reports (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('import', 'rescan')),
        status TEXT NOT NULL
          CHECK (status IN ('running', 'done', 'cancelled', 'failed', 'interrupted')),
        roots TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        counts TEXT NOT NULL DEFAULT '{}',
        pid INTEGER,
        started_at INTEGER NOT NULL,
        finished_at INTEGER
      );
      CREATE TABLE import_report_items (
        id INTEGER PRIMARY KEY,
        report_id INTEGER NOT NULL REFERENCES import_reports(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        code TEXT,
        detail TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX import_report_items_report ON import_report_items(report_id, kind);
    `,
  },
  {
    version: 4,
    name: 'embeddings',
    // A frozen backbone's vector per image content: computed once, kept with the project.
    up: `
      CREATE TABLE embeddings (
        model TEXT NOT NULL,
        hash TEXT NOT NULL,
        vector BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (model, hash)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'project meta, interrupted runs, import undo, split groups',
    up: migrateToTrust,
  },
  {
    version: 6,
    name: 'wall photographs and their sign boxes',
    // A crop is an ordinary image; wall_signs says which photo and box it was cut from.
    // Deleting the image (undo import) deletes its box; deleting a wall deletes its boxes.
    up: `
      CREATE TABLE walls (
        id INTEGER PRIMARY KEY,
        photo_path TEXT NOT NULL UNIQUE,
        width INTEGER NOT NULL CHECK (width > 0),
        height INTEGER NOT NULL CHECK (height > 0),
        added_at INTEGER NOT NULL
      );
      CREATE TABLE wall_signs (
        image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
        wall_id INTEGER NOT NULL REFERENCES walls(id) ON DELETE CASCADE,
        x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
        sign_index INTEGER NOT NULL,
        CHECK (x2 > x1 AND y2 > y1)
      );
      CREATE INDEX wall_signs_by_wall ON wall_signs (wall_id, sign_index);
    `,
  },
  {
    version: 7,
    name: 'wall photos served by content, and the folder their crops live in',
    // The Wall view shows the photo only while it is the file that was imported (size and
    // hash, as for images); walls recorded before this have neither and are re-imported
    // to be shown. The crops folder is where a drawn or moved box is cut to.
    up: `
      ALTER TABLE walls ADD COLUMN photo_hash TEXT;
      ALTER TABLE walls ADD COLUMN photo_bytes INTEGER;
      ALTER TABLE walls ADD COLUMN crops_dir TEXT;
    `,
  },
  {
    version: 8,
    name: 'which way a wall is read',
    // A wall's signs face the way its training walls' do, or the other way (mirrored:
    // read right to left instead, say). A model's judgement fills it when the wall is
    // read; a person's choice is kept over the model's. NULL: not judged yet.
    up: `
      ALTER TABLE walls ADD COLUMN mirrored INTEGER CHECK (mirrored IN (0, 1));
      ALTER TABLE walls ADD COLUMN mirrored_by TEXT CHECK (mirrored_by IN ('model', 'person'));
    `,
  },
  {
    version: 9,
    name: 'hyper-parameter sweeps and their trials',
    // Each trial is an ordinary run (its epochs and model are the run's); the sweep keeps
    // what varied, each trial's parameters and where halving left it.
    up: `
      CREATE TABLE sweeps (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        preset TEXT NOT NULL,
        spec TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'running'
          CHECK (status IN ('running', 'done', 'cancelled', 'failed', 'interrupted')),
        measured_on TEXT NOT NULL DEFAULT 'validation',
        rungs TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL,
        finished_at INTEGER
      );
      CREATE TABLE sweep_trials (
        sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
        trial INTEGER NOT NULL,
        params TEXT NOT NULL,
        run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        status TEXT NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'running', 'paused', 'stopped', 'done', 'failed', 'cancelled')),
        PRIMARY KEY (sweep_id, trial)
      );
      CREATE INDEX sweep_trials_by_run ON sweep_trials (run_id) WHERE run_id IS NOT NULL;
    `,
  },
  // 10 and 11 (the grid's counts and path index) live beside the grid code that reads them.
];

/**
 * Version 5. `runs` gains the status `interrupted` (a run whose trainer died) and the
 * owner of a running run; its CHECK constraint can only change by rebuilding the table
 * (SQLite's documented procedure: new table, copy, drop, rename, with foreign keys off,
 * which `migrate` arranges). Model paths become relative to the project folder, so a
 * copied project uses its own models.
 */
function migrateToTrust(db: Database.Database): void {
  db.exec(`
    CREATE TABLE project_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    INSERT INTO project_meta (key, value) VALUES ('project.id', lower(hex(randomblob(16))));

    CREATE TABLE runs_v5 (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      preset TEXT NOT NULL,
      options TEXT NOT NULL DEFAULT '{}',
      dataset_hash TEXT,
      status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
      metrics TEXT,
      weights_path TEXT,
      created_at INTEGER NOT NULL,
      finished_at INTEGER,
      -- The process training it, and when it last said so: a run whose owner is gone is interrupted.
      owner_pid INTEGER,
      heartbeat_at INTEGER
    );
    INSERT INTO runs_v5 (id, name, preset, options, dataset_hash, status, metrics, weights_path, created_at, finished_at)
      SELECT id, name, preset, options, dataset_hash, status, metrics, weights_path, created_at, finished_at FROM runs;
    DROP TABLE runs;
    ALTER TABLE runs_v5 RENAME TO runs;

    -- What an import added, so that it can be undone as one step.
    ALTER TABLE images ADD COLUMN added_by_op INTEGER;
    ALTER TABLE classes ADD COLUMN added_by_op INTEGER;
    ALTER TABLE roots ADD COLUMN added_by_op INTEGER;
    ALTER TABLE splits ADD COLUMN set_by_op INTEGER;
    CREATE INDEX images_added_by_op ON images(added_by_op) WHERE added_by_op IS NOT NULL;
    ALTER TABLE import_reports ADD COLUMN operation_id INTEGER;
    ALTER TABLE import_reports ADD COLUMN undone_at INTEGER;

    -- A folder's own name: path search matches "<folder name>/<path inside it>", so a wall's folder finds its crops.
    ALTER TABLE roots ADD COLUMN name TEXT NOT NULL DEFAULT '';

    -- The split group (picture, folder) of each image under the project's split rule.
    ALTER TABLE images ADD COLUMN group_key TEXT;
    CREATE INDEX images_group ON images(group_key) WHERE group_key IS NOT NULL;
  `);
  const rootName = db.prepare('UPDATE roots SET name = ? WHERE id = ?');
  for (const root of db.prepare('SELECT id, path FROM roots').all() as Array<{ id: number; path: string }>) {
    rootName.run(folderName(root.path), root.id);
  }
  const projectDir = db.name && db.name !== ':memory:' ? path.dirname(path.resolve(db.name)) : null;
  if (projectDir) {
    const rows = db.prepare('SELECT id, weights_path FROM runs WHERE weights_path IS NOT NULL').all() as Array<{
      id: number;
      weights_path: string;
    }>;
    const update = db.prepare('UPDATE runs SET weights_path = ? WHERE id = ?');
    for (const row of rows) update.run(toProjectRelative(projectDir, row.weights_path), row.id);
  }
  storeImplicitHotkeys(db);
}

/**
 * Before version 5 a class without a hotkey got the next free digit from the
 * Library's class order at display time, so adding a class could move every key
 * after it. The keys people have been using are written down here, once; from now
 * on a new class is given the next free digit when it is created, and none moves.
 */
function storeImplicitHotkeys(db: Database.Database): void {
  const live = db.prepare('SELECT id, name, hotkey FROM classes WHERE archived = 0').all() as Array<{
    id: number;
    name: string;
    hotkey: string | null;
  }>;
  const used = new Set(
    live
      .map((cls) => cls.hotkey)
      .filter((key): key is string => key !== null)
      .map((key) => key.toLowerCase()),
  );
  const free = DEFAULT_HOTKEYS.filter((digit) => !used.has(digit));
  const update = db.prepare('UPDATE classes SET hotkey = ? WHERE id = ?');
  for (const cls of live.sort((a, b) => compareGardinerCodes(a.name, b.name))) {
    if (cls.hotkey !== null || free.length === 0) continue;
    update.run(free.shift()!, cls.id);
  }
}
