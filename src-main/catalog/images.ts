/**
 * Image roots and image rows: the batched insert import uses (image + label +
 * split in one transaction), lookups by path and by content hash, and the updates
 * rescan makes (changed content, moved file, missing file).
 */
import path from 'node:path';
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors.js';
import type { ClassRepo } from './classes.js';
import type { LabelRepo } from './labels.js';
import { folderName } from './project-paths.js';
import type { SplitRepo } from './splits.js';
import type { ImageRecord, ImageStatus, NewImage, RootRecord } from '../../src-shared/catalog-records.js';

interface ImageRow {
  id: number;
  root_id: number;
  rel_path: string;
  hash: string;
  width: number;
  height: number;
  channels: number;
  format: string;
  bytes: number;
  mtime_ms: number;
  status: ImageStatus;
  imported_at: number;
}

interface RootRow {
  id: number;
  path: string;
  label_source: string | null;
  added_at: number;
  scanned_at: number | null;
}

/** What rescan needs of every image of a root, read in one pass. */
export interface ImageFileState {
  id: number;
  relPath: string;
  hash: string;
  bytes: number;
  mtimeMs: number;
  status: ImageStatus;
}

/** New file content for an existing row (rescan found the same path with other bytes). */
export type ImageContent = Pick<ImageRecord, 'hash' | 'width' | 'height' | 'channels' | 'format' | 'bytes' | 'mtimeMs'>;

const IMAGE_COLUMNS =
  'id, root_id, rel_path, hash, width, height, channels, format, bytes, mtime_ms, status, imported_at';

export function toImageRecord(row: ImageRow): ImageRecord {
  return {
    id: row.id,
    rootId: row.root_id,
    relPath: row.rel_path,
    hash: row.hash,
    width: row.width,
    height: row.height,
    channels: row.channels,
    format: row.format,
    bytes: row.bytes,
    mtimeMs: row.mtime_ms,
    status: row.status,
    importedAt: row.imported_at,
  };
}

function toRoot(row: RootRow): RootRecord {
  return {
    id: row.id,
    path: row.path,
    labelSource: row.label_source,
    addedAt: row.added_at,
    scannedAt: row.scanned_at,
  };
}

export class ImageRepo {
  private readonly byId: Database.Statement<[number], ImageRow>;
  private readonly byPath: Database.Statement<[number, string], ImageRow>;
  private readonly byHash: Database.Statement<[string], ImageRow>;
  private readonly insertStmt: Database.Statement;
  private readonly indexPathsStmt: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly classes: ClassRepo,
    private readonly labels: LabelRepo,
    private readonly splits: SplitRepo,
  ) {
    this.byId = db.prepare(`SELECT ${IMAGE_COLUMNS} FROM images WHERE id = ?`);
    this.byPath = db.prepare(`SELECT ${IMAGE_COLUMNS} FROM images WHERE root_id = ? AND rel_path = ?`);
    this.byHash = db.prepare(`SELECT ${IMAGE_COLUMNS} FROM images WHERE hash = ? ORDER BY id`);
    this.insertStmt = db.prepare(
      `INSERT INTO images (root_id, rel_path, hash, width, height, channels, format, bytes, mtime_ms, status, imported_at,
         group_key, added_by_op)
       VALUES (@rootId, @relPath, @hash, @width, @height, @channels, @format, @bytes, @mtimeMs, 'present', @importedAt,
         @groupKey, @addedByOp)`,
    );
    // One statement per batch: FTS5 flushes a segment per statement (migration 12 says why).
    this.indexPathsStmt = db.prepare(
      `INSERT INTO image_paths (rowid, path)
       SELECT i.id, r.name || '/' || i.rel_path FROM images i JOIN roots r ON r.id = i.root_id
       WHERE i.id IN (SELECT value FROM json_each(?))`,
    );
  }

  // --- roots ------------------------------------------------------------------

  /** The root for this absolute folder, created on first use (by operation `opId`, when given). */
  ensureRoot(folder: string, opId: number | null = null): RootRecord {
    const absolute = path.resolve(folder);
    const existing = this.db.prepare('SELECT * FROM roots WHERE path = ?').get(absolute) as RootRow | undefined;
    if (existing) return toRoot(existing);
    const info = this.db
      .prepare('INSERT INTO roots (path, name, added_at, added_by_op) VALUES (?, ?, ?, ?)')
      .run(absolute, folderName(absolute), Date.now(), opId);
    return this.requireRoot(Number(info.lastInsertRowid));
  }

  getRoot(id: number): RootRecord | undefined {
    const row = this.db.prepare('SELECT * FROM roots WHERE id = ?').get(id) as RootRow | undefined;
    return row && toRoot(row);
  }

  requireRoot(id: number): RootRecord {
    const root = this.getRoot(id);
    if (!root) throw new AppError('NOT_FOUND', `No image folder with id ${id}`);
    return root;
  }

  listRoots(): RootRecord[] {
    return (this.db.prepare('SELECT * FROM roots ORDER BY id').all() as RootRow[]).map(toRoot);
  }

  /** Remembers how a root was labelled, and when it was last scanned to the end. */
  updateRoot(id: number, patch: { labelSource?: string | null; scannedAt?: number }): void {
    if (patch.labelSource !== undefined) {
      this.db.prepare('UPDATE roots SET label_source = ? WHERE id = ?').run(patch.labelSource, id);
    }
    if (patch.scannedAt !== undefined)
      this.db.prepare('UPDATE roots SET scanned_at = ? WHERE id = ?').run(patch.scannedAt, id);
  }

  // --- images -----------------------------------------------------------------

  get(id: number): ImageRecord | undefined {
    const row = this.byId.get(id);
    return row && toImageRecord(row);
  }

  require(id: number): ImageRecord {
    const image = this.get(id);
    if (!image) throw new AppError('NOT_FOUND', `No image with id ${id}`);
    return image;
  }

  findByPath(rootId: number, relPath: string): ImageRecord | undefined {
    const row = this.byPath.get(rootId, relPath);
    return row && toImageRecord(row);
  }

  /** Every image with this content (duplicates share a hash). */
  findByHash(hash: string): ImageRecord[] {
    return this.byHash.all(hash).map(toImageRecord);
  }

  /** Absolute path of an image on this machine. */
  absolutePath(image: Pick<ImageRecord, 'rootId' | 'relPath'>): string {
    const root = this.requireRoot(image.rootId);
    return path.join(root.path, ...image.relPath.split('/'));
  }

  count(): number {
    return this.db.prepare('SELECT COUNT(*) FROM images').pluck().get() as number;
  }

  /**
   * Inserts images with their labels (origin 'import', recorded in history under
   * `operationId`) and splits, all in one transaction. Classes named by `label`
   * are created as needed. Returns the new ids in input order.
   */
  insertBatch(items: NewImage[], options: { operationId: number | null; importedAt?: number }): number[] {
    return this.db.transaction(() => this.insertBatchInTransaction(items, options)).immediate();
  }

  /**
   * The body of insertBatch, for callers that already hold a transaction (import).
   * Rows remember the operation that added them, so that an import can be undone.
   * `indexPaths: false` leaves the rows out of path search until the caller passes their
   * ids to `indexPaths` in the same transaction: a caller inserting image by image
   * (import keeps scan order) would otherwise write one FTS5 segment per image.
   */
  insertBatchInTransaction(
    items: NewImage[],
    options: { operationId: number | null; importedAt?: number; indexPaths?: boolean },
  ): number[] {
    const at = options.importedAt ?? Date.now();
    const opId = options.operationId;
    const classIds = new Map<string, number>();
    const ids: number[] = [];
    for (const item of items) {
      const info = this.insertStmt.run({
        ...item,
        importedAt: at,
        groupKey: this.splits.groupKeyOf(item.relPath, item.rootId),
        addedByOp: opId,
      });
      const id = Number(info.lastInsertRowid);
      ids.push(id);
      if (item.label !== undefined) {
        let classId = classIds.get(item.label);
        if (classId === undefined) {
          classId = this.classes.ensure(item.label, opId);
          classIds.set(item.label, classId);
        }
        if (opId === null) throw new AppError('INVALID_INPUT', 'Labelled images need an operation id');
        this.labels.change(opId, id, classId, 'import', at);
      }
      if (item.split !== undefined)
        this.splits.write([{ id, split: item.split }], { lock: item.splitLocked === true, opId });
    }
    if (options.indexPaths !== false) this.indexPaths(ids);
    return ids;
  }

  /** Adds these images' paths to path search, in one statement (FTS5 writes a segment per statement). */
  indexPaths(ids: readonly number[]): void {
    if (ids.length > 0) this.indexPathsStmt.run(JSON.stringify(ids));
  }

  /** Same path, new bytes: store the new content; labels stay (the user decides if they still hold). */
  updateContent(id: number, content: ImageContent): void {
    this.db
      .prepare(
        `UPDATE images SET hash = @hash, width = @width, height = @height, channels = @channels, format = @format,
           bytes = @bytes, mtime_ms = @mtimeMs, status = 'present' WHERE id = @id`,
      )
      .run({ ...content, id });
  }

  /** Same bytes, new place: keeps the row, so labels, splits and predictions follow the file. */
  move(id: number, rootId: number, relPath: string, mtimeMs: number): void {
    this.db
      .prepare(
        "UPDATE images SET root_id = ?, rel_path = ?, mtime_ms = ?, status = 'present', group_key = ? WHERE id = ?",
      )
      .run(rootId, relPath, mtimeMs, this.splits.groupKeyOf(relPath, rootId), id);
  }

  /** Unchanged bytes with a new mtime (touched, or copied back): remember the mtime so the next scan skips it. */
  touch(id: number, mtimeMs: number): void {
    this.db.prepare("UPDATE images SET mtime_ms = ?, status = 'present' WHERE id = ?").run(mtimeMs, id);
  }

  setStatus(ids: number[], status: ImageStatus): number {
    const stmt = this.db.prepare('UPDATE images SET status = ? WHERE id = ? AND status <> ?');
    return this.db.transaction(() => ids.reduce((n, id) => n + stmt.run(status, id, status).changes, 0)).immediate();
  }

  /** Streams the file state of every image of a root (rescan compares it with the disk). */
  *iterateRoot(rootId: number): Generator<ImageFileState> {
    const stmt = this.db.prepare(
      'SELECT id, rel_path, hash, bytes, mtime_ms, status FROM images WHERE root_id = ? ORDER BY id',
    );
    for (const row of stmt.iterate(rootId) as Iterable<{
      id: number;
      rel_path: string;
      hash: string;
      bytes: number;
      mtime_ms: number;
      status: ImageStatus;
    }>) {
      yield {
        id: row.id,
        relPath: row.rel_path,
        hash: row.hash,
        bytes: row.bytes,
        mtimeMs: row.mtime_ms,
        status: row.status,
      };
    }
  }
}
