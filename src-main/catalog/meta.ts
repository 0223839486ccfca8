/**
 * Per-project settings kept inside the catalog (not in the user's settings file), so
 * they travel with the project and never leak into another one: the project's id,
 * the last import's settings, the split rule. Values are JSON.
 */
import type Database from 'better-sqlite3';

export type MetaKey = 'project.id' | 'import.settings' | 'split.rule';

export class MetaRepo {
  private readonly read: Database.Statement<[string], string>;
  private readonly write: Database.Statement;

  constructor(db: Database.Database) {
    this.read = db.prepare('SELECT value FROM project_meta WHERE key = ?').pluck() as Database.Statement<
      [string],
      string
    >;
    this.write = db.prepare(
      'INSERT INTO project_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
  }

  /** A random id given to the catalog when it was created (or upgraded): part of every image URL. */
  projectId(): string {
    return this.read.get('project.id') ?? 'unknown';
  }

  getText(key: MetaKey): string | undefined {
    return this.read.get(key);
  }

  getJson<T>(key: MetaKey): T | null {
    const text = this.read.get(key);
    if (text === undefined) return null;
    try {
      return JSON.parse(text) as T;
    } catch {
      return null; // a hand-edited or damaged value falls back to the defaults
    }
  }

  setJson(key: MetaKey, value: unknown): void {
    this.write.run(key, JSON.stringify(value));
  }
}
