/**
 * Classes (the label vocabulary): create, rename/edit, archive, reorder, and the
 * lookups import uses. Merge and delete change labels, so they live in LabelRepo
 * beside the history they write.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors.js';
import type { ClassRecord } from '../../src-shared/catalog-records.js';

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

/** The form a class name is stored and compared in: NFC, trimmed. */
export function normaliseClassName(name: string): string {
  return name.normalize('NFC').trim();
}

/** The keys a new class gets by default, in this order, while one is free. */
export const DEFAULT_HOTKEYS: readonly string[] = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];

/** In UTF-16 units, as the API's schema counts them. */
export const MAX_CLASS_NAME_LENGTH = 200;

/**
 * Why a name (already NFC-normalised and trimmed) cannot name a class, as a phrase
 * that follows its subject ("has a control character (U+000A)"), or null when it can.
 * C1 controls (U+0080–U+009F) are refused too: they come from Windows-1252 text
 * decoded as Latin-1, and none of them is ever meant as part of a name.
 */
export function classNameProblem(clean: string): string | null {
  if (clean.length === 0) return 'is blank';
  if (clean.length > MAX_CLASS_NAME_LENGTH)
    return `is ${clean.length} characters long (at most ${MAX_CLASS_NAME_LENGTH})`;
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f-\u009f]/.exec(clean);
  if (control)
    return `has a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  return null;
}

/**
 * Class names come from folder and file names, CSV files, the UI and the API: NFC-
 * normalised (macOS writes file names in NFD, most other sources NFC, and "Café" must
 * be one class whichever way it was spelled), trimmed, non-empty, no control characters.
 */
export function validateClassName(name: string): string {
  const clean = normaliseClassName(name);
  const problem = classNameProblem(clean);
  if (problem) throw new AppError('INVALID_INPUT', `Class name ${JSON.stringify(name)} ${problem}`);
  return clean;
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
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM classes ${where} ORDER BY sort_order, name`)
      .all() as ClassRow[];
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
    const row = this.byName.get(normaliseClassName(name));
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
        // Left out (not null): the next free digit, stored, so it never moves when classes are added.
        hotkey: input.hotkey === undefined ? this.nextFreeDigit() : input.hotkey,
        sortOrder: input.sortOrder ?? this.maxOrder.get()! + 1,
        createdAt: Date.now(),
      });
      return this.require(Number(info.lastInsertRowid));
    } catch (error) {
      throw mapConstraint(error, input);
    }
  }

  /** The first of 1…9, 0 no live class uses, or null when all ten are taken. */
  private nextFreeDigit(): string | null {
    const used = new Set(
      this.db.prepare('SELECT hotkey FROM classes WHERE archived = 0 AND hotkey IS NOT NULL').pluck().all() as string[],
    );
    return DEFAULT_HOTKEYS.find((digit) => !used.has(digit)) ?? null;
  }

  /**
   * The id of the class with this name, creating it when absent (import's path). An
   * archived class of that name is brought back: labels put into a hidden class
   * would vanish from the Library.
   */
  ensure(name: string, opId: number | null = null): number {
    const clean = validateClassName(name);
    const existing = this.byName.get(clean);
    if (existing?.archived === 1) this.setArchived(existing.id, false);
    if (existing) return existing.id;
    const created = this.create({ name: clean }).id;
    // Remembered so that undoing the import that needed this class removes it again.
    if (opId !== null) this.db.prepare('UPDATE classes SET added_by_op = ? WHERE id = ?').run(opId, created);
    return created;
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
    this.db
      .transaction(() => {
        ids.forEach((id, index) => {
          if (stmt.run(index, id).changes === 0) throw new AppError('NOT_FOUND', `No class with id ${id}`);
        });
      })
      .immediate();
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
      .prepare(
        `INSERT INTO classes (${COLUMNS}) VALUES (@id, @name, @description, @colour, @hotkey, @sortOrder, @archived, @createdAt)`,
      )
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
