/**
 * Classes (the label vocabulary): create, rename/edit, archive, reorder, and the
 * lookups import uses. Merge and delete change labels, so they live in LabelRepo
 * beside the history they write.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import type { ClassRecord } from './types.js';

interface ClassRow {
  id: number;
  name: string;
  description: string;
  colour: string | null;
  hotkey: string | null;
  sort_order: number;
  archived: number;
  created_at: number;
}

export interface NewClass {
  name: string;
  description?: string;
  colour?: string | null;
  hotkey?: string | null;
  sortOrder?: number;
}

export type ClassPatch = Partial<NewClass> & { archived?: boolean };

const COLUMNS = 'id, name, description, colour, hotkey, sort_order, archived, created_at';

function toRecord(row: ClassRow): ClassRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    colour: row.colour,
    hotkey: row.hotkey,
    sortOrder: row.sort_order,
    archived: row.archived === 1,
    createdAt: row.created_at,
  };
}

/** Class names come from folder and file names: trimmed, non-empty, no control characters. */
export function validateClassName(name: string): string {
  const trimmed = name.trim();
  // eslint-disable-next-line no-control-regex
  if (trimmed.length === 0 || trimmed.length > 200 || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new AppError('INVALID_INPUT', `Invalid class name ${JSON.stringify(name)}`);
  }
  return trimmed;
}

export class ClassRepo {
  private readonly byId: Database.Statement<[number], ClassRow>;
  private readonly byName: Database.Statement<[string], ClassRow>;
  private readonly insertStmt: Database.Statement;
  private readonly maxOrder: Database.Statement<[], number>;

  constructor(private readonly db: Database.Database) {
    this.byId = db.prepare(`SELECT ${COLUMNS} FROM classes WHERE id = ?`);
    this.byName = db.prepare(`SELECT ${COLUMNS} FROM classes WHERE name = ?`);
    this.insertStmt = db.prepare(
      `INSERT INTO classes (name, description, colour, hotkey, sort_order, created_at)
       VALUES (@name, @description, @colour, @hotkey, @sortOrder, @createdAt)`,
    );
    this.maxOrder = db.prepare('SELECT COALESCE(MAX(sort_order), -1) FROM classes').pluck() as Database.Statement<
      [],
      number
    >;
  }

  list(options: { includeArchived?: boolean } = {}): ClassRecord[] {
    const where = options.includeArchived ? '' : 'WHERE archived = 0';
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM classes ${where} ORDER BY sort_order, name`).all() as ClassRow[];
    return rows.map(toRecord);
  }

  get(id: number): ClassRecord | undefined {
    const row = this.byId.get(id);
    return row ? toRecord(row) : undefined;
  }

  require(id: number): ClassRecord {
    const found = this.get(id);
    if (!found) throw new AppError('NOT_FOUND', `No class with id ${id}`);
    return found;
  }

  findByName(name: string): ClassRecord | undefined {
    const row = this.byName.get(name.trim());
    return row ? toRecord(row) : undefined;
  }

  /**
   * Creates a class. A name that belongs to an archived class (merged away) brings
   * that class back instead: names are unique across archived ones too, and a
   * hidden class must not make its own name unusable.
   */
  create(input: NewClass): ClassRecord {
    const name = validateClassName(input.name);
    const existing = this.byName.get(name);
    if (existing?.archived === 1) {
      const { name: _name, ...patch } = input;
      return this.update(existing.id, { ...patch, archived: false });
    }
    if (existing) throw new AppError('ALREADY_EXISTS', `A class named ${JSON.stringify(name)} already exists`);
    try {
      const info = this.insertStmt.run({
        name,
        description: input.description ?? '',
        colour: input.colour ?? null,
        hotkey: input.hotkey ?? null,
        sortOrder: input.sortOrder ?? this.maxOrder.get()! + 1,
        createdAt: Date.now(),
      });
      return this.require(Number(info.lastInsertRowid));
    } catch (error) {
      throw mapConstraint(error, input);
    }
  }

  /**
   * The id of the class with this name, creating it when absent (import's path). An
   * archived class of that name is brought back: labels put into a hidden class
   * would vanish from the Library.
   */
  ensure(name: string): number {
    const clean = validateClassName(name);
    const existing = this.byName.get(clean);
    if (existing?.archived === 1) this.setArchived(existing.id, false);
    if (existing) return existing.id;
    return this.create({ name: clean }).id;
  }

  update(id: number, patch: ClassPatch): ClassRecord {
    const current = this.require(id);
    const next = {
      id,
      name: patch.name === undefined ? current.name : validateClassName(patch.name),
      description: patch.description ?? current.description,
      colour: patch.colour === undefined ? current.colour : patch.colour,
      hotkey: patch.hotkey === undefined ? current.hotkey : patch.hotkey,
      sortOrder: patch.sortOrder ?? current.sortOrder,
      archived: (patch.archived ?? current.archived) ? 1 : 0,
    };
    if (next.name !== current.name && this.byName.get(next.name)) {
      throw new AppError('ALREADY_EXISTS', `A class named ${JSON.stringify(next.name)} already exists`);
    }
    try {
      this.db
        .prepare(
          `UPDATE classes SET name = @name, description = @description, colour = @colour, hotkey = @hotkey,
             sort_order = @sortOrder, archived = @archived WHERE id = @id`,
        )
        .run(next);
    } catch (error) {
      throw mapConstraint(error, patch);
    }
    return this.require(id);
  }

  /** Sets sort_order to the position of each id in `ids` (the sidebar's drag-and-drop order). */
  reorder(ids: number[]): void {
    const stmt = this.db.prepare('UPDATE classes SET sort_order = ? WHERE id = ?');
    this.db.transaction(() => {
      ids.forEach((id, index) => {
        if (stmt.run(index, id).changes === 0) throw new AppError('NOT_FOUND', `No class with id ${id}`);
      });
    })();
  }

  /** Used by LabelRepo's merge and its undo: archiving frees the hotkey for live classes. */
  setArchived(id: number, archived: boolean): void {
    try {
      this.db.prepare('UPDATE classes SET archived = ? WHERE id = ?').run(archived ? 1 : 0, id);
    } catch {
      // Un-archiving clashes with a hotkey taken meanwhile: keep the class, drop its hotkey.
      this.db.prepare('UPDATE classes SET archived = ?, hotkey = NULL WHERE id = ?').run(archived ? 1 : 0, id);
    }
  }

  /** Deletes the class row; labels cascade and predictions keep a null class. Call via LabelRepo.deleteClass. */
  deleteRow(id: number): void {
    this.db.prepare('DELETE FROM classes WHERE id = ?').run(id);
  }

  /**
   * Puts a deleted class back with its own id (undo of a delete). False when its id
   * or name has been taken since; a hotkey taken since is dropped, as on un-archive.
   */
  restoreRow(record: ClassRecord): boolean {
    if (this.get(record.id) || this.byName.get(record.name)) return false;
    const hotkeyFree = !record.hotkey || !this.list().some((c) => c.hotkey === record.hotkey);
    this.db
      .prepare(`INSERT INTO classes (${COLUMNS}) VALUES (@id, @name, @description, @colour, @hotkey, @sortOrder, @archived, @createdAt)`)
      .run({ ...record, hotkey: hotkeyFree ? record.hotkey : null, archived: record.archived ? 1 : 0 });
    return true;
  }
}

function mapConstraint(error: unknown, input: { hotkey?: string | null | undefined }): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' && input.hotkey) {
    return new AppError('CONFLICT', `Hotkey ${JSON.stringify(input.hotkey)} is already used by another class`);
  }
  return error;
}
