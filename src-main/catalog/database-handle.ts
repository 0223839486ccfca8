/**
 * The SQLite handle behind a Catalog, for code inside src-main/catalog/ that needs it
 * beside the repositories, and for tests that check what is stored. Everything else
 * calls the repositories: the lint zones refuse an import of this file from outside
 * the catalog folder.
 */
import type Database from 'better-sqlite3';
import type { Catalog } from './catalog.js';

const handles = new WeakMap<Catalog, Database.Database>();

export function registerHandle(catalog: Catalog, db: Database.Database): void {
  handles.set(catalog, db);
}

export function databaseOf(catalog: Catalog): Database.Database {
  const db = handles.get(catalog);
  if (!db) throw new Error('not a Catalog opened by Catalog.open');
  return db;
}
