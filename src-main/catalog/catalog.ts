/**
 * The project's catalog: one SQLite file (better-sqlite3, synchronous, in the main
 * process) holding image roots, images, classes, labels and their history, splits,
 * training runs, predictions and import reports. All SQL of the app lives in this
 * folder; other code calls the typed repositories hanging off `Catalog`.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors.js';
import { APPLICATION_ID, LATEST_VERSION, migrate, schemaVersion, type Migration, MIGRATIONS } from './migrations.js';
import { ClassRepo } from './classes.js';
import { EmbeddingRepo } from './embeddings.js';
import { SweepRepo } from './sweeps.js';
import { WallRepo } from './walls.js';
import { GridQueries } from './grid.js';
import { ImportHistory } from './import-undo.js';
import { ImageRepo } from './images.js';
import { LabelRepo } from './labels.js';
import { MetaRepo } from './meta.js';
import { ReportRepo } from './reports.js';
import { RunRepo } from './runs.js';
import { SplitRepo } from './splits.js';
import type { CatalogStats, LabelOrigin, Split } from '../../src-shared/catalog-records.js';
import { registerHandle } from './database-handle.js';
import { readImageRows, readImageRowsAt, readImageRowsByIds, type CatalogRow } from './image-rows.js';
import { eachPrediction, queryPredictions, type PredictionQuery, type PredictionRow } from './prediction-rows.js';

export interface OpenCatalogOptions {
  /**
   * Consistency check run on open: 'quick' (default; PRAGMA quick_check, O(pages)),
   * 'full' (integrity_check, also verifies every index entry) or 'none'.
   */
  check?: 'quick' | 'full' | 'none';
  /** Create the file when it does not exist (default true). */
  create?: boolean;
  /** For tests: the migrations this build knows. */
  migrations?: readonly Migration[];
}

/** SQLite error codes that mean "this file is not a healthy SQLite database". */
const DAMAGE_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_VTAB']);

export class Catalog {
  /** The SQLite handle: only this folder's code writes SQL (tests reach it through database-handle.ts). */
  readonly #db: Database.Database;
  readonly file: string;
  readonly classes: ClassRepo;
  readonly labels: LabelRepo;
  readonly images: ImageRepo;
  readonly grid: GridQueries;
  readonly runs: RunRepo;
  readonly reports: ReportRepo;
  readonly embeddings: EmbeddingRepo;
  readonly meta: MetaRepo;
  readonly splits: SplitRepo;
  readonly imports: ImportHistory;
  readonly walls: WallRepo;
  readonly sweeps: SweepRepo;

  private constructor(db: Database.Database, file: string) {
    this.#db = db;
    registerHandle(this, db);
    this.file = file;
    this.meta = new MetaRepo(db);
    this.splits = new SplitRepo(db, this.meta);
    this.classes = new ClassRepo(db);
    this.imports = new ImportHistory(db, this.classes);
    this.labels = new LabelRepo(db, this.classes, this.splits, this.imports);
    this.images = new ImageRepo(db, this.classes, this.labels, this.splits);
    this.grid = new GridQueries(db);
    this.runs = new RunRepo(db, file === ':memory:' ? null : dirname(resolve(file)));
    this.reports = new ReportRepo(db);
    this.embeddings = new EmbeddingRepo(db);
    this.walls = new WallRepo(db, this.images);
    this.sweeps = new SweepRepo(db);
  }

  /**
   * Opens (creating and migrating as needed) the catalog at `file`, or an in-memory
   * one for ':memory:'. Throws CATALOG_NEWER_SCHEMA for a catalog from a newer
   * Seshat and CATALOG_DAMAGED for a file that is not a healthy Seshat catalog.
   */
  static open(file: string, options: OpenCatalogOptions = {}): Catalog {
    const migrations = options.migrations ?? MIGRATIONS;
    const inMemory = file === ':memory:';
    if (!inMemory && options.create === false && !existsSync(file)) {
      throw new AppError('NOT_FOUND', `Catalog ${file} does not exist`);
    }
    // SQLite would take an empty file for a new database and silently start over:
    // a catalog truncated to nothing (a failed copy, a full disk) must be refused instead.
    if (!inMemory && existsSync(file) && statSync(file).isFile() && statSync(file).size === 0) {
      throw new AppError(
        'CATALOG_DAMAGED',
        `Catalog ${file} is empty (0 bytes): restore it from a backup, or move it away to start a new one`,
      );
    }
    let db: Database.Database;
    try {
      db = new Database(file);
    } catch (error) {
      throw mapOpenError(file, error);
    }
    try {
      db.pragma('busy_timeout = 5000'); // another process (CLI beside the app) may hold the write lock briefly
      const version = schemaVersion(db); // the first read: fails here for a file that is not SQLite
      const known = migrations.length;
      if (version > known) {
        throw new AppError(
          'CATALOG_NEWER_SCHEMA',
          `Catalog ${file} has schema version ${version}, but this Seshat knows versions up to ${known}; update Seshat to open it`,
        );
      }
      assertSeshatFile(db, file, version);
      if (options.check !== 'none')
        assertHealthy(db, file, options.check === 'full' ? 'integrity_check' : 'quick_check');
      if (!inMemory) db.pragma('journal_mode = WAL');
      // WAL + synchronous=NORMAL: a commit is durable once it is in the WAL, so an app
      // crash or kill -9 loses nothing committed; only a power loss or OS crash can
      // lose the last transaction(s), and the file stays consistent either way. FULL
      // would fsync on every commit for little gain in a desktop app.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      // Grid queries over ~1M rows read several indexes; a 64 MiB page cache keeps them hot.
      db.pragma('cache_size = -65536');
      db.pragma('temp_store = MEMORY');
      migrate(db, migrations);
      // Cheap on open: refreshes planner statistics only for tables that changed a lot.
      db.pragma('optimize = 0x10002');
    } catch (error) {
      db.close();
      throw mapOpenError(file, error);
    }
    return new Catalog(db, file);
  }

  /** False once closed: work still finishing after a shutdown checks this before it writes. */
  get isOpen(): boolean {
    return this.#db.open;
  }

  /** The schema version of this catalog (`PRAGMA user_version`). */
  schemaVersion(): number {
    return schemaVersion(this.#db);
  }

  /** Full `PRAGMA integrity_check`: ['ok'] for a healthy file, otherwise the problems found. */
  integrityCheck(): string[] {
    return (this.#db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((row) => row.integrity_check);
  }

  /**
   * Runs fn in one transaction (nested calls become savepoints). It begins IMMEDIATE,
   * taking the write lock up front: a deferred transaction that reads and then writes
   * cannot wait for another process's writer (SQLite fails it at once with "database is
   * locked", whatever the busy timeout), while an immediate one waits its turn.
   */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  /** Every present image with its label and split, in id order (what splitting, training and export read). */
  imageRows(options: { labelledOnly?: boolean } = {}): CatalogRow[] {
    return readImageRows(this.#db, options);
  }

  /** The present images among `ids`, as `imageRows` gives them. */
  imageRowsByIds(ids: readonly number[]): CatalogRow[] {
    return readImageRowsByIds(this.#db, ids);
  }

  /** The present images at or under each of `paths` (files or folders), as `imageRows` gives them. */
  imageRowsAt(paths: readonly string[]): CatalogRow[] {
    return readImageRowsAt(this.#db, paths);
  }

  /** A run's predictions with their images, filtered and ordered (Evaluate's galleries, Predict's review, CSV). */
  predictionRows(query: PredictionQuery): PredictionRow[] {
    return queryPredictions(this.#db, query);
  }

  /** Every row of a predictions query (limit and offset ignored), read as iterated: for exports. */
  eachPredictionRow(query: PredictionQuery): Generator<PredictionRow> {
    return eachPrediction(this.#db, query);
  }

  stats(): CatalogStats {
    const one = (sql: string): number => (this.#db.prepare(sql).pluck().get() as number | undefined) ?? 0;
    const images = one('SELECT COUNT(*) FROM images');
    const missing = one("SELECT COUNT(*) FROM images WHERE status = 'missing'");
    const labelled = one('SELECT COUNT(*) FROM labels');
    const bySplit: CatalogStats['bySplit'] = { train: 0, validation: 0, test: 0, none: 0 };
    for (const row of this.#db.prepare('SELECT split, COUNT(*) AS n FROM splits GROUP BY split').all() as Array<{
      split: Split;
      n: number;
    }>) {
      bySplit[row.split] = row.n;
    }
    bySplit.none = images - bySplit.train - bySplit.validation - bySplit.test;
    const byOrigin: CatalogStats['byOrigin'] = { human: 0, import: 0, model: 0 };
    for (const row of this.#db.prepare('SELECT source, COUNT(*) AS n FROM labels GROUP BY source').all() as Array<{
      source: LabelOrigin;
      n: number;
    }>) {
      byOrigin[row.source] = row.n;
    }
    return {
      images,
      present: images - missing,
      missing,
      classes: one('SELECT COUNT(*) FROM classes WHERE archived = 0'),
      archivedClasses: one('SELECT COUNT(*) FROM classes WHERE archived = 1'),
      labelled,
      unlabelled: images - labelled,
      bySplit,
      byOrigin,
      roots: one('SELECT COUNT(*) FROM roots'),
    };
  }

  close(): void {
    if (!this.#db.open) return;
    try {
      this.#db.pragma('optimize');
    } catch {
      // Best effort: statistics are an optimisation, closing must not fail for them.
    }
    this.#db.close();
  }
}

function assertSeshatFile(db: Database.Database, file: string, version: number): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  if (applicationId !== 0 && applicationId !== APPLICATION_ID) {
    throw new AppError('CATALOG_DAMAGED', `${file} is a SQLite database of another application, not a Seshat catalog`);
  }
  if (version === 0) {
    const tables = db.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'").pluck().get() as number;
    if (tables > 0) {
      throw new AppError('CATALOG_DAMAGED', `${file} is a SQLite database with other tables, not a Seshat catalog`);
    }
  }
}

function assertHealthy(db: Database.Database, file: string, pragma: 'quick_check' | 'integrity_check'): void {
  const rows = (db.pragma(pragma) as Array<Record<string, string>>).map((row) => Object.values(row)[0]);
  const problem = healthProblem(rows, file, pragma);
  if (problem) throw new AppError('CATALOG_DAMAGED', problem);
}

/** What a check's result rows say is wrong, in one line naming the file; null when they say 'ok'. */
export function healthProblem(rows: unknown[], file: string, pragma: 'quick_check' | 'integrity_check'): string | null {
  if (rows.length === 1 && rows[0] === 'ok') return null;
  // integrity_check lists every broken page; one line with the first problem is what a person can act on.
  const first = oneLine(String(rows[0] ?? 'no result'));
  const problems = `${first}${rows.length > 1 ? ` (and ${rows.length - 1} more problems)` : ''}`;
  return `Catalog ${file} is damaged (${pragma}: ${problems})`;
}

/** SQLite's reports can span many lines; an error the UI and CLI show must be one. */
function oneLine(text: string, max = 240): string {
  const flat = text
    .replace(/\s*\n\s*/g, ' · ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function mapOpenError(file: string, error: unknown): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown }).code;
  const message = oneLine(error instanceof Error ? error.message : String(error));
  if (typeof code === 'string' && DAMAGE_CODES.has(code)) {
    return new AppError('CATALOG_DAMAGED', `Catalog ${file} is damaged or not a SQLite database (${message})`, {
      cause: error,
    });
  }
  if (/directory does not exist/i.test(message) || code === 'SQLITE_CANTOPEN') {
    return new AppError('NOT_FOUND', `Cannot open catalog ${file}: ${message}`, { cause: error });
  }
  return new AppError('INTERNAL', `Cannot open catalog ${file}: ${message}`, { cause: error });
}

export { LATEST_VERSION };
