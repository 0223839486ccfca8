/**
 * Every write to the `splits` table, with one lock rule: a locked row (a person's
 * pin, a folder layout's split, a locked test set) is only ever moved by another
 * locking write. Also the project's split rule (ratios, seed, what keeps images
 * together, whether the test set is locked) and the placement of images that gain a
 * label after a split, so that they join their group's split instead of leaking.
 */
import type Database from 'better-sqlite3';
import { compileGroupKey, type GroupKeyMode } from '../splits/group-keys.js';
import { assignNewItems } from '../splits/new-items.js';
import { DEFAULT_RATIOS, emptyCounts, type SplitCounts, type SplitItem } from '../splits/types.js';
import type { MetaRepo } from './meta.js';
import type { Split } from '../../src-shared/catalog-records.js';
import type { SplitRule } from '../../src-shared/api/wire-dataset.js';
export type { SplitRule } from '../../src-shared/api/wire-dataset.js';

export const DEFAULT_SPLIT_SEED = 42;

export function defaultSplitRule(): SplitRule {
  return { ratios: { ...DEFAULT_RATIOS }, seed: DEFAULT_SPLIT_SEED, group: null, testLocked: false, appliedAt: null };
}

/** SQLite's bound-parameter limit is 32766; stay well below it. */
const ID_CHUNK = 900;

interface CandidateRow {
  id: number;
  group_key: string | null;
  class_name: string;
}

export class SplitRepo {
  private readonly put: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly one: Database.Statement<[number], { split: Split; locked: number }>;
  private readonly groupSplit: Database.Statement<[string], { split: Split; locked: number }>;
  private groupKeyFn: { mode: string; fn: ((relPath: string, rootId: number) => string | null) | null } | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly meta: MetaRepo,
  ) {
    this.put = db.prepare(
      `INSERT INTO splits (image_id, split, locked, updated_at, set_by_op) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (image_id) DO UPDATE SET split = excluded.split, locked = MAX(splits.locked, excluded.locked),
         updated_at = excluded.updated_at, set_by_op = excluded.set_by_op
       WHERE splits.locked = 0 OR excluded.locked = 1`,
    );
    this.remove = db.prepare('DELETE FROM splits WHERE image_id = ?');
    this.one = db.prepare('SELECT split, locked FROM splits WHERE image_id = ?');
    this.groupSplit = db.prepare(
      `SELECT s.split, s.locked FROM images i JOIN splits s ON s.image_id = i.id
       WHERE i.group_key = ? ORDER BY s.locked DESC, s.image_id LIMIT 1`,
    );
  }

  // --- the rule ---------------------------------------------------------------------

  rule(): SplitRule {
    return { ...defaultSplitRule(), ...(this.meta.getJson<Partial<SplitRule>>('split.rule') ?? {}) };
  }

  /** Stores the rule; when what keeps images together changes, every image's group key is recomputed. */
  setRule(change: Partial<SplitRule>): SplitRule {
    return this.db
      .transaction(() => {
        const before = this.rule();
        const next = { ...before, ...change };
        this.meta.setJson('split.rule', next);
        if (JSON.stringify(before.group) !== JSON.stringify(next.group) || change.group !== undefined) {
          this.recomputeGroupKeys(next.group);
        }
        return next;
      })
      .immediate();
  }

  /** The group key of a path under the current rule (null: the image is its own group). */
  groupKeyOf(relPath: string, rootId: number): string | null {
    // Imports call this per file: the rule is compiled once per rule text, not per call.
    const text = this.meta.getText('split.rule') ?? '';
    if (this.groupKeyFn?.mode !== text) {
      const group = this.rule().group;
      this.groupKeyFn = { mode: text, fn: group ? compileGroupKey(group) : null };
    }
    return this.groupKeyFn.fn?.(relPath, rootId) ?? null;
  }

  private recomputeGroupKeys(group: GroupKeyMode | null): void {
    this.groupKeyFn = null;
    if (!group) {
      this.db.prepare('UPDATE images SET group_key = NULL WHERE group_key IS NOT NULL').run();
      return;
    }
    const keyOf = compileGroupKey(group);
    const update = this.db.prepare('UPDATE images SET group_key = ? WHERE id = ?');
    const rows = this.db.prepare('SELECT id, root_id, rel_path, group_key FROM images').all() as Array<{
      id: number;
      root_id: number;
      rel_path: string;
      group_key: string | null;
    }>;
    for (const row of rows) {
      const key = keyOf(row.rel_path, row.root_id);
      if (key !== row.group_key) update.run(key, row.id);
    }
  }

  // --- rows -------------------------------------------------------------------------

  get(imageId: number): { split: Split; locked: boolean } | undefined {
    const row = this.one.get(imageId);
    return row && { split: row.split, locked: row.locked === 1 };
  }

  /**
   * Writes assignments; locked rows move only under another locking write. `lock`
   * marks the written rows locked; `opId` records the operation that wrote them.
   */
  write(
    assignments: ReadonlyArray<{ id: number; split: Split }>,
    options: { lock?: boolean; opId?: number | null } = {},
  ): number {
    return this.db
      .transaction(() => {
        const at = Date.now();
        let changed = 0;
        for (const { id, split } of assignments) {
          changed += this.put.run(id, split, options.lock ? 1 : 0, at, options.opId ?? null).changes;
        }
        return changed;
      })
      .immediate();
  }

  /** Removes the split of these images (locked or not): a person's "back to automatic". */
  clear(imageIds: readonly number[]): number {
    return this.db.transaction(() => imageIds.reduce((n, id) => n + this.remove.run(id).changes, 0)).immediate();
  }

  /** Locks (or unlocks) every image now in `split`. */
  setLocked(split: Split, locked: boolean): number {
    return this.db
      .prepare('UPDATE splits SET locked = ?, updated_at = ? WHERE split = ?')
      .run(locked ? 1 : 0, Date.now(), split).changes;
  }

  hasAny(): boolean {
    return this.db.prepare('SELECT 1 FROM splits LIMIT 1').get() !== undefined;
  }

  /**
   * Places labelled images that have no split yet (all of them, or those among
   * `imageIds`) by the project's rule: an image whose group (picture, folder) already
   * has a split joins it, even the locked test set, since anything else would leak the
   * group into two splits; the rest go to train or validation keeping each class near
   * the ratios (new images never join the test set on their own: it would make old and
   * new test scores incomparable). Nothing happens in a project that was never split.
   * Returns how many images were placed.
   */
  placeLabelled(imageIds?: readonly number[], options: { opId?: number | null } = {}): number {
    const rule = this.rule();
    if (rule.appliedAt === null && !this.hasAny()) return 0;
    return this.db
      .transaction(() => {
        const candidates = this.unsplitLabelled(imageIds);
        if (candidates.length === 0) return 0;
        const followers: Array<{ id: number; split: Split; locked: boolean }> = [];
        const existingGroups = new Map<string, Split>();
        const fresh: SplitItem[] = [];
        for (const row of candidates) {
          const placed = row.group_key === null ? undefined : this.groupSplit.get(row.group_key);
          if (placed) {
            followers.push({ id: row.id, split: placed.split, locked: placed.locked === 1 });
            existingGroups.set(row.group_key!, placed.split);
          } else {
            fresh.push({ id: row.id, classKey: row.class_name, groupKey: row.group_key, locked: null, current: null });
          }
        }
        let placed = 0;
        for (const locked of [false, true]) {
          const rows = followers.filter((f) => f.locked === locked);
          if (rows.length > 0) placed += this.write(rows, { lock: locked, opId: options.opId ?? null });
        }
        if (fresh.length > 0) {
          const result = assignNewItems(fresh, this.countsOf(new Set(fresh.map((item) => item.classKey!))), {
            ratios: rule.ratios,
            seed: rule.seed,
            allowTest: false,
            existingGroups,
          });
          placed += this.write(result.assignments, { opId: options.opId ?? null });
        }
        return placed;
      })
      .immediate();
  }

  private unsplitLabelled(imageIds: readonly number[] | undefined): CandidateRow[] {
    const base = `SELECT i.id, i.group_key, c.name AS class_name
      FROM labels l JOIN images i ON i.id = l.image_id JOIN classes c ON c.id = l.class_id
      WHERE i.status = 'present' AND NOT EXISTS (SELECT 1 FROM splits s WHERE s.image_id = l.image_id)`;
    if (imageIds === undefined) return this.db.prepare(`${base} ORDER BY i.id`).all() as CandidateRow[];
    const rows: CandidateRow[] = [];
    for (let start = 0; start < imageIds.length; start += ID_CHUNK) {
      const chunk = imageIds.slice(start, start + ID_CHUNK);
      const sql = `${base} AND l.image_id IN (${chunk.map(() => '?').join(',')}) ORDER BY i.id`;
      rows.push(...(this.db.prepare(sql).all(...chunk) as CandidateRow[]));
    }
    return rows;
  }

  /** Images already in each split, per class name, for the classes given. */
  private countsOf(classNames: ReadonlySet<string>): Map<string, SplitCounts> {
    const counts = new Map<string, SplitCounts>();
    const stmt = this.db.prepare(
      `SELECT s.split, COUNT(*) AS n FROM labels l JOIN classes c ON c.id = l.class_id JOIN splits s ON s.image_id = l.image_id
       WHERE c.name = ? GROUP BY s.split`,
    );
    for (const name of classNames) {
      const row = emptyCounts();
      for (const { split, n } of stmt.all(name) as Array<{ split: Split; n: number }>) row[split] = n;
      counts.set(name, row);
    }
    return counts;
  }
}
