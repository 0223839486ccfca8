/**
 * The Library grid's queries: a filtered, sorted page of images with its total, and
 * per-class counts under the same filter.
 *
 * Keeping this fast at ~1M images:
 * - Totals and class counts are COUNT(*)s that read only the tables the filter
 *   touches (see grid-sql.ts), and are cached per filter until the catalog changes,
 *   so paging and scrolling recount nothing. "Changed" is total_changes() of this
 *   connection plus PRAGMA data_version (commits by other connections, e.g. the CLI).
 *   "Unlabeled" and "no split" are counted as a difference (all − labelled), never
 *   by probing every image.
 * - The page query's shape (seek the filter's index and sort, or scan the sort's
 *   index and probe) is chosen from that total; see grid-sql.ts.
 * - Keyset cursors (`after`) keep deep pages as cheap as the first; offsets work
 *   too but cost O(offset).
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors.js';
import { classCountsSql, countSql, labelledCountSql, pageSql, sortKeys, type GridSort } from './grid-sql.js';
import type { ImageStatus, LabelOrigin, Split } from '../../src-shared/catalog-records.js';
import type { ImageFilter, GridItem, GridPage, ClassCounts } from '../../src-shared/api/wire-library.js';
export type { ImageFilter, GridItem, GridPage, ClassCounts } from '../../src-shared/api/wire-library.js';

export type { GridSort } from './grid-sql.js';

export interface PageRequest {
  /** 'imported' is import order; 'confidence' lists only images the run predicted. */
  sort?: GridSort;
  descending?: boolean;
  /** 1..1000, default 200. */
  limit?: number;
  offset?: number;
  /** `nextCursor` of the previous page: keyset paging, O(limit) at any depth. */
  after?: string | null;
}

const MAX_CACHE = 128;

export class GridQueries {
  private readonly cache = new Map<string, unknown>();
  private cacheVersion = '';

  private readonly changes: Database.Statement<[], number>;

  constructor(private readonly db: Database.Database) {
    this.changes = db.prepare('SELECT total_changes()').pluck() as Database.Statement<[], number>;
  }

  /** The ids of every image matching `filter`, in path order, at most `cap` ("Select all"). */
  ids(filter: ImageFilter, cap: number): number[] {
    const ids: number[] = [];
    let after: string | null = null;
    do {
      const page = this.page(filter, { limit: 1000, after });
      for (const item of page.items) ids.push(item.id);
      after = page.nextCursor;
    } while (after && ids.length < cap);
    return ids.slice(0, cap);
  }

  page(filter: ImageFilter = {}, request: PageRequest = {}): GridPage {
    validate(filter, request);
    const runId = this.resolveRun(filter);
    const sort = request.sort ?? 'path';
    const limit = request.limit ?? 200;
    const predictedOnly = sort === 'confidence';
    const total = this.cached(`total:${predictedOnly}:${JSON.stringify(filter)}:${runId}`, () =>
      this.countMatching(filter, runId, predictedOnly),
    );
    const all = this.cached(`total:false:{}:${runId}`, () => this.countMatching({}, runId, false));
    const { sql, params } = pageSql(filter, {
      runId,
      sort,
      descending: request.descending === true,
      scan: total > Math.sqrt(limit * Math.max(all, 1)),
      cursor: request.after ? decodeCursor(request.after, sortKeys(sort).length) : null,
      limit,
      offset: request.offset ?? 0,
    });
    const rows = this.db.prepare(sql).all(...params) as PageRow[];
    const last = rows.at(-1);
    const nextCursor =
      rows.length === limit && last
        ? encodeCursor(
            sort === 'path'
              ? [last.root_id, last.rel_path]
              : sort === 'confidence'
                ? [last.confidence, last.id]
                : [last.id],
          )
        : null;
    return { items: rows.map(toItem), total, nextCursor, runId };
  }

  /** Images matching the filter. */
  count(filter: ImageFilter = {}): number {
    validate(filter, {});
    const runId = this.resolveRun(filter);
    return this.cached(`total:false:${JSON.stringify(filter)}:${runId}`, () =>
      this.countMatching(filter, runId, false),
    );
  }

  /** Per-class counts for the sidebar: the filter applies except its class/unlabeled part. */
  classCounts(filter: ImageFilter = {}): ClassCounts {
    const rest: ImageFilter = { ...filter };
    delete rest.classId;
    delete rest.unlabeled;
    validate(rest, {});
    const runId = this.resolveRun(rest);
    return this.cached(`classes:${JSON.stringify(rest)}:${runId}`, () => {
      const { sql, params } = classCountsSql(rest, runId);
      const byClass: Record<number, number> = {};
      for (const row of this.db.prepare(sql).all(...params) as Array<{ classId: number; n: number }>)
        byClass[row.classId] = row.n;
      const unlabeled =
        rest.labelSource === undefined ? this.countMatching({ ...rest, unlabeled: true }, runId, false) : 0;
      return { byClass, unlabeled };
    });
  }

  /** The run whose predictions the grid shows: the filter's, else the newest with predictions. */
  private resolveRun(filter: ImageFilter): number | null {
    if (filter.runId !== undefined) return filter.runId;
    return (
      (this.db.prepare('SELECT run_id FROM predictions ORDER BY run_id DESC LIMIT 1').pluck().get() as number) ?? null
    );
  }

  /**
   * COUNT(*) under the filter. "Without a label" and "without a split" are counted
   * as (matching) − (matching and labelled), because an anti-join would probe every
   * image while both terms read only indexes.
   */
  private countMatching(filter: ImageFilter, runId: number | null, predictedOnly: boolean): number {
    const run = (f: ImageFilter) => {
      const { sql, params } = countSql(f, runId, predictedOnly);
      return this.db
        .prepare(sql)
        .pluck()
        .get(...params) as number;
    };
    if (filter.unlabeled) {
      const rest: ImageFilter = { ...filter };
      delete rest.unlabeled;
      return this.countMatching(rest, runId, predictedOnly) - this.countLabelled(rest, runId, predictedOnly);
    }
    if (filter.split === 'none') {
      const rest: ImageFilter = { ...filter };
      delete rest.split;
      const withSplit = (['train', 'validation', 'test'] as const).reduce(
        (n, split) => n + this.countMatching({ ...rest, split }, runId, predictedOnly),
        0,
      );
      return this.countMatching(rest, runId, predictedOnly) - withSplit;
    }
    return run(filter);
  }

  /** Matching images that have a label (of any class). */
  private countLabelled(filter: ImageFilter, runId: number | null, predictedOnly: boolean): number {
    const { sql, params } = labelledCountSql(filter, runId, predictedOnly);
    return this.db
      .prepare(sql)
      .pluck()
      .get(...params) as number;
  }

  private cached<T>(key: string, compute: () => T): T {
    const version = `${this.changes.get()!}:${this.db.pragma('data_version', { simple: true }) as number}`;
    if (version !== this.cacheVersion) {
      this.cache.clear();
      this.cacheVersion = version;
    }
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const value = compute();
    if (this.cache.size >= MAX_CACHE) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, value);
    return value;
  }
}

interface PageRow {
  id: number;
  root_id: number;
  rel_path: string;
  hash: string;
  width: number;
  height: number;
  format: string;
  status: ImageStatus;
  class_id: number | null;
  source: LabelOrigin | null;
  split: Split | null;
  predicted_class_id: number | null;
  confidence: number | null;
}

function toItem(row: PageRow): GridItem {
  return {
    id: row.id,
    rootId: row.root_id,
    relPath: row.rel_path,
    hash: row.hash,
    width: row.width,
    height: row.height,
    format: row.format,
    status: row.status,
    classId: row.class_id,
    labelSource: row.source,
    split: row.split,
    predictedClassId: row.predicted_class_id,
    confidence: row.confidence,
  };
}

function validate(filter: ImageFilter, request: PageRequest): void {
  if (filter.unlabeled && (filter.classId !== undefined || filter.labelSource !== undefined)) {
    throw new AppError('INVALID_INPUT', 'The unlabeled filter cannot be combined with a class or label-source filter');
  }
  const limit = request.limit ?? 200;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new AppError('INVALID_INPUT', `Page limit ${limit} is not in 1..1000`);
  const offset = request.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0)
    throw new AppError('INVALID_INPUT', `Page offset ${offset} is not a whole number ≥ 0`);
}

function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

function decodeCursor(cursor: string, length: number): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(values) &&
      values.length === length &&
      values.every((v) => typeof v === 'number' || typeof v === 'string')
    ) {
      return values;
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError('INVALID_INPUT', `Invalid page cursor ${JSON.stringify(cursor.slice(0, 40))}`);
}
