/**
 * Undoing an import as one step. Every import runs under one operation; the rows it
 * adds (images, classes, folders) remember that operation, labels it gives existing
 * images are in the label history under it, and splits it writes carry it. Undo
 * removes what the import added and puts back what it changed, in one transaction,
 * so the catalog is as it was before the import. The import's report and the label
 * history stay: they are the record that it happened.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors.js';
import type { ClassRepo } from './classes.js';
import type { LabelOrigin } from '../../src-shared/catalog-records.js';
import type { ImportUndoResult } from '../../src-shared/api/wire-import.js';
export type { ImportUndoResult } from '../../src-shared/api/wire-import.js';

export interface ImportRecord {
  reportId: number;
  operationId: number | null;
  undoneAt: number | null;
  status: string;
}

export class ImportHistory {
  constructor(
    private readonly db: Database.Database,
    private readonly classes: ClassRepo,
  ) {}

  /** Starts the operation an import runs under and ties it to the import's report. */
  begin(reportId: number, description: string): number {
    // Like any undoable action, a new import ends the redo stack.
    this.db.prepare("UPDATE operations SET state = 'discarded' WHERE state = 'undone'").run();
    const info = this.db
      .prepare(
        "INSERT INTO operations (kind, description, undoable, payload, created_at) VALUES ('import', ?, 1, ?, ?)",
      )
      .run(description, JSON.stringify({ reportId }), Date.now());
    const opId = Number(info.lastInsertRowid);
    this.db.prepare('UPDATE import_reports SET operation_id = ? WHERE id = ?').run(opId, reportId);
    return opId;
  }

  record(reportId: number): ImportRecord | undefined {
    const row = this.db
      .prepare("SELECT id, operation_id, undone_at, status FROM import_reports WHERE id = ? AND kind = 'import'")
      .get(reportId) as
      { id: number; operation_id: number | null; undone_at: number | null; status: string } | undefined;
    return row && { reportId: row.id, operationId: row.operation_id, undoneAt: row.undone_at, status: row.status };
  }

  /** The report an import operation belongs to (for Ctrl+Z on an import). */
  reportOfOperation(opId: number): number | undefined {
    return this.db.prepare('SELECT id FROM import_reports WHERE operation_id = ?').pluck().get(opId) as
      number | undefined;
  }

  /** Undoes the import of `reportId`; must not run while that import is still going. */
  undo(reportId: number): ImportUndoResult {
    return this.db.transaction(() => this.undoInTransaction(reportId)).immediate();
  }

  /** The body of undo, for a caller that holds the transaction already (Ctrl+Z on an import). */
  undoInTransaction(reportId: number): ImportUndoResult {
    const record = this.record(reportId);
    if (!record) throw new AppError('NOT_FOUND', `No import with report id ${reportId}`);
    if (record.undoneAt !== null) throw new AppError('CONFLICT', `Import ${reportId} was undone already`);
    if (record.status === 'running')
      throw new AppError('CONFLICT', `Import ${reportId} is still running: cancel it first`);
    if (record.operationId === null) {
      throw new AppError(
        'CONFLICT',
        `Import ${reportId} was made by an older Seshat that did not record what it added, so it cannot be undone`,
      );
    }
    const op = record.operationId;
    const { restored, conflicts } = this.restoreLabels(op);
    // Splits it gave images that were there before: those images had none.
    this.db
      .prepare(
        `DELETE FROM splits WHERE set_by_op = ? AND image_id IN (SELECT id FROM images WHERE added_by_op IS NOT ?)`,
      )
      .run(op, op);
    // Thumbnails stay: the cache is addressed by content, and a re-import of these files reuses them.
    const removedImages = this.db.prepare('DELETE FROM images WHERE added_by_op = ?').run(op).changes;
    const removedClasses = this.db
      .prepare(
        'DELETE FROM classes WHERE added_by_op = ? AND NOT EXISTS (SELECT 1 FROM labels WHERE labels.class_id = classes.id)',
      )
      .run(op).changes;
    const removedRoots = this.db
      .prepare(
        'DELETE FROM roots WHERE added_by_op = ? AND NOT EXISTS (SELECT 1 FROM images WHERE images.root_id = roots.id)',
      )
      .run(op).changes;
    // An undone import is not redone (the files may have changed since): import again instead.
    this.db.prepare("UPDATE operations SET state = 'discarded' WHERE id = ?").run(op);
    this.db.prepare('UPDATE import_reports SET undone_at = ? WHERE id = ?').run(Date.now(), reportId);
    return { reportId, removedImages, removedClasses, removedRoots, restoredLabels: restored, conflicts };
  }

  /** Puts back the labels the import gave images that it did not add, where nobody changed them since. */
  private restoreLabels(op: number): { restored: number; conflicts: number } {
    const rows = this.db
      .prepare(
        `SELECT h.image_id, h.old_class_id, h.new_class_id, h.old_source, h.new_source
         FROM label_history h JOIN images i ON i.id = h.image_id
         WHERE h.op_id = ? AND h.action = 'do' AND i.added_by_op IS NOT ? ORDER BY h.id`,
      )
      .all(op, op) as Array<{
      image_id: number;
      old_class_id: number | null;
      new_class_id: number | null;
      old_source: LabelOrigin | null;
      new_source: LabelOrigin | null;
    }>;
    const current = this.db.prepare('SELECT class_id, source FROM labels WHERE image_id = ?');
    const remove = this.db.prepare('DELETE FROM labels WHERE image_id = ?');
    const upsert = this.db.prepare(
      `INSERT INTO labels (image_id, class_id, source, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (image_id) DO UPDATE SET class_id = excluded.class_id, source = excluded.source, updated_at = excluded.updated_at`,
    );
    const history = this.db.prepare(
      `INSERT INTO label_history (op_id, image_id, old_class_id, new_class_id, old_source, new_source, action, at)
       VALUES (?, ?, ?, ?, ?, ?, 'undo', ?)`,
    );
    const at = Date.now();
    let restored = 0;
    let conflicts = 0;
    for (const row of rows) {
      const now = current.get(row.image_id) as { class_id: number; source: LabelOrigin } | undefined;
      const untouched =
        (now?.class_id ?? null) === row.new_class_id && (row.new_class_id === null || now?.source === row.new_source);
      const targetExists = row.old_class_id === null || this.classes.get(row.old_class_id) !== undefined;
      if (!untouched || !targetExists) {
        conflicts++;
        continue;
      }
      if (row.old_class_id === null) remove.run(row.image_id);
      else upsert.run(row.image_id, row.old_class_id, row.old_source ?? 'human', at);
      history.run(op, row.image_id, row.new_class_id, row.old_class_id, row.new_source, row.old_source, at);
      restored++;
    }
    return { restored, conflicts };
  }
}
