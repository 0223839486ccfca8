/**
 * Current labels, their append-only history, and undo/redo.
 *
 * Every label change belongs to an operation (one user action: "label 240 images
 * as D58", "merge A1 into A2", an import). The history row keeps old and new class
 * and origin, so an operation undoes as one by putting the old values back, and the
 * undo/redo stacks are derived from `operations.state` — they survive a restart.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors.js';
import type { ClassRepo } from './classes.js';
import type { ImportHistory } from './import-undo.js';
import type { SplitRepo } from './splits.js';
import type {
  ClassRecord,
  LabelOrigin,
  LabelRecord,
  OperationKind,
  OperationRecord,
  UndoResult,
} from '../../src-shared/catalog-records.js';
import type { LabelChangeResult } from '../../src-shared/api/wire-library.js';
export type { LabelChangeResult } from '../../src-shared/api/wire-library.js';

interface LabelRow {
  image_id: number;
  class_id: number;
  source: LabelOrigin;
  updated_at: number;
}

interface HistoryRow {
  image_id: number;
  old_class_id: number | null;
  new_class_id: number | null;
  old_source: LabelOrigin | null;
  new_source: LabelOrigin | null;
}

interface OperationRow {
  id: number;
  kind: OperationKind;
  description: string;
  undoable: number;
  state: OperationRecord['state'];
  payload: string | null;
  created_at: number;
}

export interface LabelAssignment {
  imageId: number;
  /** null removes the label. */
  classId: number | null;
}

function toOperation(row: OperationRow): OperationRecord {
  return {
    id: row.id,
    kind: row.kind,
    description: row.description,
    undoable: row.undoable === 1,
    state: row.state,
    createdAt: row.created_at,
  };
}

export class LabelRepo {
  private readonly current: Database.Statement<[number], LabelRow>;
  private readonly imageExists: Database.Statement<[number], { one: number }>;
  private readonly upsert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly record: Database.Statement;
  private readonly insertOp: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly classes: ClassRepo,
    private readonly splits: SplitRepo,
    private readonly imports: ImportHistory,
  ) {
    // Prepared once: a re-scan asks it of every unchanged file (a million times at 1M images).
    this.current = db.prepare('SELECT image_id, class_id, source, updated_at FROM labels WHERE image_id = ?');
    this.imageExists = db.prepare('SELECT 1 AS one FROM images WHERE id = ?');
    this.upsert = db.prepare(
      `INSERT INTO labels (image_id, class_id, source, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (image_id) DO UPDATE SET class_id = excluded.class_id, source = excluded.source,
         updated_at = excluded.updated_at`,
    );
    this.remove = db.prepare('DELETE FROM labels WHERE image_id = ?');
    this.record = db.prepare(
      `INSERT INTO label_history (op_id, image_id, old_class_id, new_class_id, old_source, new_source, action, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertOp = db.prepare(
      'INSERT INTO operations (kind, description, undoable, payload, created_at) VALUES (?, ?, ?, ?, ?)',
    );
  }

  get(imageId: number): LabelRecord | undefined {
    const row = this.current.get(imageId);
    return row && { imageId: row.image_id, classId: row.class_id, source: row.source, updatedAt: row.updated_at };
  }

  /**
   * Starts an operation. An undoable one clears the redo stack, as in any editor:
   * after undo + a new action, the undone actions cannot come back.
   */
  beginOperation(kind: OperationKind, description: string, options: { undoable: boolean; payload?: unknown }): number {
    if (options.undoable) this.db.prepare("UPDATE operations SET state = 'discarded' WHERE state = 'undone'").run();
    const payload = options.payload === undefined ? null : JSON.stringify(options.payload);
    const info = this.insertOp.run(kind, description, options.undoable ? 1 : 0, payload, Date.now());
    return Number(info.lastInsertRowid);
  }

  /**
   * Writes one image's label inside the caller's transaction and appends its history
   * row. Returns false when the label already had this value (nothing recorded).
   */
  change(opId: number, imageId: number, classId: number | null, source: LabelOrigin, at: number): boolean {
    const old = this.current.get(imageId);
    if ((old?.class_id ?? null) === classId && (classId === null || old?.source === source)) return false;
    if (classId === null) this.remove.run(imageId);
    else this.upsert.run(imageId, classId, source, at);
    this.record.run(
      opId,
      imageId,
      old?.class_id ?? null,
      classId,
      old?.source ?? null,
      classId === null ? null : source,
      'do',
      at,
    );
    return true;
  }

  /** Sets (or, with classId null, removes) the label of many images as one undoable operation. */
  setLabels(
    assignments: LabelAssignment[],
    options: { source?: LabelOrigin; description?: string } = {},
  ): LabelChangeResult {
    const source = options.source ?? 'human';
    return this.db
      .transaction(() => {
        const classIds = new Set(assignments.map((a) => a.classId).filter((id): id is number => id !== null));
        for (const id of classIds) this.classes.require(id);
        const description = options.description ?? describeAssignments(assignments, this.classes);
        const opId = this.beginOperation('label', description, { undoable: true });
        const at = Date.now();
        let changed = 0;
        const labelled: number[] = [];
        for (const { imageId, classId } of assignments) {
          try {
            if (this.change(opId, imageId, classId, source, at)) {
              changed++;
              if (classId !== null) labelled.push(imageId);
            }
          } catch (error) {
            if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
              throw new AppError('NOT_FOUND', `No image with id ${imageId}`);
            }
            throw error;
          }
        }
        // An image that gains a label after a split joins its group's split at once.
        this.splits.placeLabelled(labelled, { opId });
        return { operationId: opId, changed };
      })
      .immediate();
  }

  /** Relabels every image of `sourceId` as `targetId` (one undoable operation) and archives the source class. */
  mergeClasses(sourceId: number, targetId: number): LabelChangeResult {
    if (sourceId === targetId) throw new AppError('INVALID_INPUT', `Cannot merge class ${sourceId} into itself`);
    return this.db
      .transaction(() => {
        const from = this.classes.require(sourceId);
        const to = this.classes.require(targetId);
        const opId = this.beginOperation('merge', `Merge ${from.name} into ${to.name}`, {
          undoable: true,
          payload: { archivedClassId: sourceId },
        });
        const rows = this.db.prepare('SELECT image_id, source FROM labels WHERE class_id = ?').all(sourceId) as Array<{
          image_id: number;
          source: LabelOrigin;
        }>;
        const at = Date.now();
        // The label's origin is kept: a merge renames, it does not make a label human-checked.
        for (const row of rows) this.change(opId, row.image_id, targetId, row.source, at);
        this.classes.setArchived(sourceId, true);
        this.splits.placeLabelled(
          rows.map((row) => row.image_id),
          { opId },
        );
        return { operationId: opId, changed: rows.length };
      })
      .immediate();
  }

  /**
   * Deletes a class; its images lose their label. Undoable: the operation keeps the
   * class row, and undo puts it back (same id) before the labels. Predictions that
   * named the class keep a null class. Returns how many images lost a label.
   */
  deleteClass(classId: number): { operationId: number; unlabelled: number } {
    return this.db
      .transaction(() => {
        const cls = this.classes.require(classId);
        const opId = this.beginOperation('delete-class', `Delete class ${cls.name}`, {
          undoable: true,
          payload: { deletedClass: cls },
        });
        const imageIds = this.db
          .prepare('SELECT image_id FROM labels WHERE class_id = ?')
          .pluck()
          .all(classId) as number[];
        const at = Date.now();
        for (const imageId of imageIds) this.change(opId, imageId, null, 'human', at);
        this.classes.deleteRow(classId);
        return { operationId: opId, unlabelled: imageIds.length };
      })
      .immediate();
  }

  /** The operation undo would revert, if any. */
  peekUndo(): OperationRecord | undefined {
    const row = this.db
      .prepare("SELECT * FROM operations WHERE state = 'done' AND undoable = 1 ORDER BY id DESC LIMIT 1")
      .get() as OperationRow | undefined;
    return row && toOperation(row);
  }

  /** The operation redo would re-apply: the one undone most recently, i.e. the lowest undone id. */
  peekRedo(): OperationRecord | undefined {
    const row = this.db.prepare("SELECT * FROM operations WHERE state = 'undone' ORDER BY id ASC LIMIT 1").get() as
      OperationRow | undefined;
    return row && toOperation(row);
  }

  undo(): UndoResult | null {
    return this.db
      .transaction(() => {
        const op = this.peekUndo();
        if (!op) return null;
        if (op.kind === 'import') return this.undoImport(op);
        return this.replay(op, 'undo');
      })
      .immediate();
  }

  /** Ctrl+Z right after an import takes the whole import back (it cannot be redone). */
  private undoImport(op: OperationRecord): UndoResult {
    const reportId = this.imports.reportOfOperation(op.id);
    if (reportId === undefined) throw new AppError('CONFLICT', `Operation ${op.id} has no import report`);
    const result = this.imports.undoInTransaction(reportId);
    return {
      operation: { ...op, state: 'discarded' },
      changed: result.removedImages + result.restoredLabels,
      conflicts: result.conflicts,
    };
  }

  redo(): UndoResult | null {
    return this.db
      .transaction(() => {
        const op = this.peekRedo();
        return op ? this.replay(op, 'redo') : null;
      })
      .immediate();
  }

  /** Recent operations, newest first (for an Edit ▸ History view). */
  operations(limit = 50): OperationRecord[] {
    const rows = this.db.prepare('SELECT * FROM operations ORDER BY id DESC LIMIT ?').all(limit) as OperationRow[];
    return rows.map(toOperation);
  }

  /** Audit trail of one image, oldest first. */
  historyOf(imageId: number): Array<HistoryRow & { op_id: number; action: string; at: number }> {
    return this.db
      .prepare(
        `SELECT op_id, image_id, old_class_id, new_class_id, old_source, new_source, action, at
         FROM label_history WHERE image_id = ? ORDER BY id`,
      )
      .all(imageId) as Array<HistoryRow & { op_id: number; action: string; at: number }>;
  }

  private replay(op: OperationRecord, action: 'undo' | 'redo'): UndoResult {
    const payloadText = this.db.prepare('SELECT payload FROM operations WHERE id = ?').pluck().get(op.id) as
      string | null;
    const payload = payloadText
      ? (JSON.parse(payloadText) as { archivedClassId?: number; deletedClass?: ClassRecord })
      : {};
    // Undoing a delete needs the class back before its labels can return (see below for redo).
    if (payload.deletedClass && action === 'undo') this.classes.restoreRow(payload.deletedClass);
    const rows = this.db
      .prepare(
        `SELECT image_id, old_class_id, new_class_id, old_source, new_source
         FROM label_history WHERE op_id = ? AND action = 'do' ORDER BY id`,
      )
      .all(op.id) as HistoryRow[];
    const at = Date.now();
    let changed = 0;
    let conflicts = 0;
    for (const row of rows) {
      const [expectClass, expectSource, toClass, toSource] =
        action === 'undo'
          ? [row.new_class_id, row.new_source, row.old_class_id, row.old_source]
          : [row.old_class_id, row.old_source, row.new_class_id, row.new_source];
      const now = this.current.get(row.image_id);
      // Only put a label back where it still holds what this operation left (or found);
      // anything changed since by another action is that action's to keep.
      const untouched =
        (now?.class_id ?? null) === expectClass && (expectClass === null || now?.source === expectSource);
      const targetExists = toClass === null || this.classes.get(toClass) !== undefined;
      // An undone import may have taken the image away since: nothing to label there.
      const imageExists = this.imageExists.get(row.image_id) !== undefined;
      if (!untouched || !targetExists || !imageExists) {
        conflicts++;
        continue;
      }
      if (toClass === null) this.remove.run(row.image_id);
      else this.upsert.run(row.image_id, toClass, toSource ?? 'human', at);
      this.record.run(op.id, row.image_id, expectClass, toClass, expectSource, toSource, action, at);
      changed++;
    }
    const archivedClassId = payload.archivedClassId;
    if (archivedClassId !== undefined && this.classes.get(archivedClassId)) {
      this.classes.setArchived(archivedClassId, action === 'redo');
    }
    // Redoing a delete removes the class again, unless labels given since still use it.
    const deleted = payload.deletedClass;
    if (deleted && action === 'redo' && this.classes.get(deleted.id)) {
      const inUse = this.db.prepare('SELECT 1 FROM labels WHERE class_id = ? LIMIT 1').get(deleted.id) !== undefined;
      if (!inUse) this.classes.deleteRow(deleted.id);
    }
    // Splits follow labels: an undo that unlabels images takes back the automatic
    // placement the operation gave them; a redo places them again.
    if (action === 'undo') {
      this.db
        .prepare(
          'DELETE FROM splits WHERE set_by_op = ? AND locked = 0 AND image_id NOT IN (SELECT image_id FROM labels)',
        )
        .run(op.id);
    } else {
      this.splits.placeLabelled(
        rows.filter((row) => row.new_class_id !== null).map((row) => row.image_id),
        { opId: op.id },
      );
    }
    const state = action === 'undo' ? 'undone' : 'done';
    this.db.prepare('UPDATE operations SET state = ? WHERE id = ?').run(state, op.id);
    return { operation: { ...op, state }, changed, conflicts };
  }
}

function describeAssignments(assignments: LabelAssignment[], classes: ClassRepo): string {
  const targets = new Set(assignments.map((a) => a.classId));
  const n = assignments.length;
  const images = `${n} image${n === 1 ? '' : 's'}`;
  if (targets.size !== 1) return `Label ${images}`;
  const [only] = [...targets];
  if (only === null || only === undefined) return `Remove label from ${images}`;
  return `Label ${images} as ${classes.get(only)?.name ?? `class ${only}`}`;
}
