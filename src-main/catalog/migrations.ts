/**
 * The catalog schema as numbered, append-only migrations.
 *
 * Migration N brings a catalog from `PRAGMA user_version` N-1 to N. Each runs in its
 * own transaction together with the user_version bump, so a crash mid-upgrade leaves
 * the catalog at the previous version, never half-migrated. Never edit or reorder a
 * migration that has shipped: add a new one at the end.
 */
import type Database from 'better-sqlite3';
import { EARLY_MIGRATIONS } from './migrations-early.js';
import { LATE_MIGRATIONS } from './migrations-late.js';
import { GRID_MIGRATIONS } from './migrations-grid.js';

export interface Migration {
  version: number;
  name: string;
  up: string | ((db: Database.Database) => void);
  /**
   * The migration writes no key or reference (it adds an index, or fills a plain
   * column), so it cannot break a foreign key: the whole-catalog check after it is
   * skipped (0.8 s at a million images, at the first open after an update).
   */
  keysUntouched?: true;
}

/** Written into the file header so a Seshat catalog can be told from any other SQLite file ("SESH"). */
export const APPLICATION_ID = 0x53455348;

export const MIGRATIONS: readonly Migration[] = [...EARLY_MIGRATIONS, ...GRID_MIGRATIONS, ...LATE_MIGRATIONS];

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
  // A migration that rebuilds a table drops the old one: with foreign keys on, that
  // would cascade into every table that references it. The pragma is a no-op inside
  // a transaction, so it is switched here, around them, and checked before each commit.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    for (const migration of migrations) {
      if (migration.version <= schemaVersion(db)) continue;
      db.transaction(() => {
        if (typeof migration.up === 'string') db.exec(migration.up);
        else migration.up(db);
        const broken = migration.keysUntouched ? [] : (db.pragma('foreign_key_check') as unknown[]);
        if (broken.length > 0) throw new Error(`migration ${migration.version} broke ${broken.length} foreign keys`);
        // user_version lives in the file header and is written inside the transaction,
        // so the schema change and the version bump commit (or roll back) together.
        db.pragma(`user_version = ${Number(migration.version)}`);
        db.pragma(`application_id = ${APPLICATION_ID}`);
      }).immediate();
      applied.push(migration.version);
    }
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
  return applied;
}
