/**
 * The catalog schema as numbered, append-only migrations.
 *
 * Migration N brings a catalog from `PRAGMA user_version` N-1 to N. Each runs in its
 * own transaction together with the user_version bump, so a crash mid-upgrade leaves
 * the catalog at the previous version, never half-migrated. Never edit or reorder a
 * migration that has shipped: add a new one at the end.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up: string | ((db: Database.Database) => void);
}

/** Written into the file header so a Seshat catalog can be told from any other SQLite file ("SESH"). */
export const APPLICATION_ID = 0x53455348;

export const MIGRATIONS: readonly Migration[] = [
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
];

export const LATEST_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies every migration above the catalog's version, each in one transaction.
 * Returns the versions applied. The caller has already refused newer catalogs.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= schemaVersion(db)) continue;
    db.transaction(() => {
      if (typeof migration.up === 'string') db.exec(migration.up);
      else migration.up(db);
      // user_version lives in the file header and is written inside the transaction,
      // so the schema change and the version bump commit (or roll back) together.
      db.pragma(`user_version = ${Number(migration.version)}`);
      db.pragma(`application_id = ${APPLICATION_ID}`);
    })();
    applied.push(migration.version);
  }
  return applied;
}
