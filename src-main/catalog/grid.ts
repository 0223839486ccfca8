/**
 * The Library grid's queries: a filtered, sorted page of images with its total, and
 * per-class counts under the same filter.
 *
 * Keeping this fast at ~1M images:
 * - Totals and class counts under class, split and label-source filters are read from
 *   counts kept exact by triggers, overall and per run for the confidence sort
 *   (grid-counts.ts); other totals are COUNT(*)s that read only the tables the filter
 *   touches (see grid-sql.ts), and path search reads a trigram index (grid-search.ts).
 *   All are cached per filter until the catalog changes, so paging and scrolling
 *   recount nothing. "Changed" is total_changes() of this connection plus PRAGMA
 *   data_version (commits by other connections, e.g. the CLI).
 * - The page query's shape (seek the filter's index and sort, or scan the sort's
 *   index and probe) is chosen from that total; see grid-sql.ts.
 * - Pages are keyset pages (`after`, `before`, `from` a cursor), as cheap deep in the
 *   list as at its top. A jump to a position (`at`) steps over sort keys from the
 *   nearest key kept from earlier jumps (keyAt).
 */
import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { AppError } from '../../src-shared/errors.js';
import { GridCounts } from './grid-counts.js';
import { pathIndexListSql } from './grid-search.js';
import { decodeCursor, encodeCursor, keyOf, toItem, type PageRow } from './grid-rows.js';
import {
  classCountsSql,
  countSql,
  keyAtSql,
  pageSql,
  searchesPathIndex,
  sortKeys,
  unindexed,
  type Cursor,
  type GridSort,
} from './grid-sql.js';
import type { ImageFilter, GridPage, ClassCounts } from '../../src-shared/api/wire-library.js';
export type { ImageFilter, GridItem, GridPage, ClassCounts } from '../../src-shared/api/wire-library.js';

export type { GridSort } from './grid-sql.js';

/** Where a page starts: at most one of after, before, from and at; none is the top of the list. */
export interface PageRequest {
  /** 'imported' is import order; 'confidence' lists only images the run predicted. */
  sort?: GridSort;
  descending?: boolean;
  /** 1..1000, default 200. */
  limit?: number;
  /** A page's `nextCursor`: the page after it. */
  after?: string | null;
  /** A page's `firstCursor`: the `limit` rows before it (fewer at the top of the list). */
  before?: string | null;
  /** A page's `firstCursor`: the page again from its first row on (reloading it in place). */
  from?: string | null;
  /** A position in the list (a jump, e.g. the scrollbar dragged): steps over `at` sort keys. */
  at?: number;
}

const MAX_CACHE = 128;

export class GridQueries {
  private readonly cache = new Map<string, unknown>();
  private cacheVersion = '';

  private readonly changes: Database.Statement<[], number>;
  /** Images per class, split and label source, kept by triggers (see migrations-grid.ts). */
  readonly counts: GridCounts;

  constructor(private readonly db: Database.Database) {
    this.changes = db.prepare('SELECT total_changes()').pluck() as Database.Statement<[], number>;
    this.counts = new GridCounts(db);
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
    const descending = request.descending === true;
    const predictedOnly = sort === 'confidence';
    const total = this.cached(`total:${predictedOnly}:${JSON.stringify(filter)}:${runId}`, () =>
      this.countMatching(filter, runId, predictedOnly),
    );
    const listed = this.cached(`total:${predictedOnly}:{}:${runId}`, () =>
      this.countMatching({}, runId, predictedOnly),
    );
    if (total === 0) return { items: [], total, firstCursor: null, nextCursor: null, runId };
    // Scan visits about limit·listed/total rows; seek about the filter's index range:
    // its images (for the confidence sort, predicted or not: they are read before their
    // predictions), all the path index lists for a search, or every row when no index
    // finds the filter's images.
    const scanRows = (limit * listed) / total;
    const pathIndex = this.worthPathIndex(filter);
    // Counted only when it decides: for a search the path index's list is the seek's size,
    // and counting a 10k-image folder's matches again cost a third of its confidence page.
    const seekRows = pathIndex
      ? this.pathIndexList(filter)!
      : unindexed(filter, false)
        ? listed
        : predictedOnly
          ? this.count(filter)
          : total;
    const shape = { runId, sort, descending, scan: scanRows < seekRows, pathIndex };
    const keys = sortKeys(sort).length;
    let cursor: Cursor | null = null;
    if (request.after) cursor = { values: decodeCursor(request.after, keys), inclusive: false };
    else if (request.before) cursor = { values: decodeCursor(request.before, keys), inclusive: false };
    else if (request.from) cursor = { values: decodeCursor(request.from, keys), inclusive: true };
    else if (request.at) {
      const start = this.keyAt(filter, shape, request.at);
      if (!start) return { items: [], total, firstCursor: null, nextCursor: null, runId };
      cursor = { values: start, inclusive: true };
    }
    // The page before a cursor is the first rows walking the list backwards, turned round.
    const backwards = Boolean(request.before);
    const { sql, params } = pageSql(filter, {
      ...shape,
      descending: descending !== backwards,
      cursor,
      limit,
    });
    const rows = this.db.prepare(sql).all(...params) as PageRow[];
    if (backwards) rows.reverse();
    const first = rows.at(0);
    const last = rows.at(-1);
    return {
      items: rows.map(toItem),
      total,
      firstCursor: first ? encodeCursor(keyOf(sort, first)) : null,
      // Rows follow a full page, and always follow a page read backwards (the cursor's own row).
      nextCursor: last && (rows.length === limit || backwards) ? encodeCursor(keyOf(sort, last)) : null,
      runId,
    };
  }

  /**
   * The sort key of the row at `position`, or undefined past the end.
   *
   * Stepping over a million keys took 24–76 ms at 1M images, on every jump of a dragged
   * scrollbar. So the keys every `anchorStep` positions are kept as they are walked
   * (until the catalog changes, like the totals): a jump steps from the nearest anchor
   * before it, and only a jump past the last anchor walks further.
   */
  private keyAt(
    filter: ImageFilter,
    shape: { runId: number | null; sort: GridSort; descending: boolean; scan: boolean; pathIndex: boolean },
    position: number,
  ): unknown[] | undefined {
    const step = GridQueries.anchorStep;
    const list = `${JSON.stringify(filter)}:${shape.runId}:${shape.sort}:${shape.descending}`;
    const anchors = this.cached(`anchors:${list}`, () => [] as unknown[][]);
    // One statement for every step (only its bound values change): compiling it per step cost more than the step.
    const statements = new Map<boolean, Statement>();
    const keyFrom = (from: unknown[] | null, offset: number) => {
      const { sql, params } = keyAtSql(filter, shape, offset, from && { values: from, inclusive: true });
      let statement = statements.get(from !== null);
      if (!statement) statements.set(from !== null, (statement = this.db.prepare(sql).raw()));
      return statement.get(...params) as unknown[] | undefined;
    };
    if (anchors.length === 0) {
      const first = keyFrom(null, 0);
      if (!first) return undefined;
      anchors.push(first);
    }
    const nearest = Math.floor(position / step);
    while (anchors.length <= nearest) {
      const next = keyFrom(anchors.at(-1)!, step);
      if (!next) return undefined;
      anchors.push(next);
    }
    return keyFrom(anchors[nearest]!, position - nearest * step);
  }

  /** Positions between two kept keys of a list (see keyAt); tests set it small. */
  static anchorStep = 16384;

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
      if (GridCounts.covers(rest)) return this.counts.classCounts(rest);
      const { sql, params } = classCountsSql(rest, runId, this.worthPathIndex(rest));
      const byClass: Record<number, number> = {};
      let unlabeled = 0;
      for (const row of this.db.prepare(sql).all(...params) as Array<{ classId: number; n: number }>) {
        if (row.classId === 0) unlabeled = row.n;
        else byClass[row.classId] = row.n;
      }
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

  /** Images under the filter (with `predictedOnly`, those the run predicted): maintained counts, else COUNT(*). */
  private countMatching(filter: ImageFilter, runId: number | null, predictedOnly: boolean): number {
    if (GridCounts.covers(filter)) return this.counts.count(filter, predictedOnly ? runId : undefined);
    const { sql, params } = countSql(filter, runId, predictedOnly, this.worthPathIndex(filter));
    return this.db
      .prepare(sql)
      .pluck()
      .get(...params) as number;
  }

  /** How many images the path index lists for the filter's search (cached), or undefined without one. */
  private pathIndexList(filter: ImageFilter): number | undefined {
    if (!searchesPathIndex(filter)) return undefined;
    const text = filter.pathContains!;
    return this.cached(`paths:${text}`, () => {
      const { sql, params } = pathIndexListSql(text);
      return this.db
        .prepare(sql)
        .pluck()
        .get(...params) as number;
    });
  }

  /**
   * Whether a count should start from the path index's list: each listed image is then
   * read and checked (~1 µs), where reading every path costs ~0.2 µs an image; so the
   * list pays while it is under a fifth of the catalog.
   */
  private worthPathIndex(filter: ImageFilter): boolean {
    const listed = this.pathIndexList(filter);
    return listed !== undefined && listed * 5 < this.counts.count({});
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

function validate(filter: ImageFilter, request: PageRequest): void {
  if (filter.unlabeled && (filter.classId !== undefined || filter.labelSource !== undefined)) {
    throw new AppError('INVALID_INPUT', 'The unlabeled filter cannot be combined with a class or label-source filter');
  }
  const limit = request.limit ?? 200;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new AppError('INVALID_INPUT', `Page limit ${limit} is not in 1..1000`);
  const at = request.at ?? 0;
  if (!Number.isInteger(at) || at < 0)
    throw new AppError('INVALID_INPUT', `Page position ${at} is not a whole number ≥ 0`);
  const starts = [request.after, request.before, request.from, request.at].filter((v) => v !== undefined && v !== null);
  if (starts.length > 1)
    throw new AppError('INVALID_INPUT', 'A page starts after, before, from a cursor or at a position: one of them');
}
