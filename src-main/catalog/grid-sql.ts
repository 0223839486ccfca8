/**
 * SQL text for the grid: counts, and page queries in two shapes.
 *
 * Every class / unlabeled / split / label-source filter tests the copies of an image's
 * label and split on its own row (`images.grid_*`, migration 10), and any combination
 * of them is a prefix of one index; prediction filters test `predictions p`, path
 * search the trigram index (grid-search.ts).
 *
 * - seek: start from the filter's index (or the path index's matches) and sort what
 *   matches. Cheap when few images match.
 * - scan: walk images (or predictions, for the confidence sort) in the sort's own
 *   index order and test each row, stopping at `limit` matches. Cheap when many
 *   images match: about limit/fraction rows are visited, and no sort happens.
 *
 * GridQueries picks the shape from the filter's (cached) total: seek costs about
 * fraction·N, scan about limit/fraction, so scan wins above fraction = √(limit/N).
 * SQLite's planner alone cannot know this, so the shape is spelled out: CROSS JOIN
 * fixes the join order, and a unary + keeps SQLite from using an index for a term
 * (scan: the filter's terms, so it walks the sort's index; seek: the sort key, so it
 * starts from the filter's index).
 *
 * Pages are keyset pages: a cursor holds the sort key of a row, and a page is the
 * `limit` rows after it (or before it, walking the order backwards), so a page deep
 * in the list costs what the first does. Only a jump to a position (`keyAtSql`) steps
 * over rows, reading sort keys alone.
 */
import { AppError } from '../../src-shared/errors.js';
import type { ImageFilter } from '../../src-shared/api/wire-library.js';
import { pathCondition, usesPathIndex } from './grid-search.js';

export type GridSort = 'path' | 'imported' | 'confidence';

export interface SqlParts {
  sql: string;
  params: unknown[];
}

export function hasPredictionFilter(filter: ImageFilter): boolean {
  return (
    filter.predictedClassId !== undefined || filter.confidenceMin !== undefined || filter.confidenceMax !== undefined
  );
}

/** Whether the filter tests columns of `images` (the path index answers a search by image id alone). */
function readsImages(filter: ImageFilter): boolean {
  return (
    filter.rootId !== undefined ||
    filter.status !== undefined ||
    filter.classId !== undefined ||
    filter.unlabeled === true ||
    filter.split !== undefined ||
    filter.labelSource !== undefined ||
    filter.pathContains !== undefined
  );
}

/** Label sources with an index of their own (migration 10); 'import' is most labels, and has none. */
const INDEXED_SOURCES = new Set(['human', 'model']);

/** Whether the filter has a path search the trigram index can list. */
export function searchesPathIndex(filter: ImageFilter): boolean {
  return filter.pathContains !== undefined && usesPathIndex(filter.pathContains);
}

/** Whether no index finds the filter's images (then a seek would read every image); `pathIndex`: a search uses its index. */
export function unindexed(filter: ImageFilter, pathIndex: boolean): boolean {
  return !(
    filter.rootId !== undefined ||
    filter.status === 'missing' ||
    filter.classId !== undefined ||
    filter.unlabeled === true ||
    filter.split !== undefined ||
    (filter.labelSource !== undefined && INDEXED_SOURCES.has(filter.labelSource)) ||
    (pathIndex && searchesPathIndex(filter)) ||
    hasPredictionFilter(filter)
  );
}

/**
 * WHERE terms of a filter. `id` is the image-id expression of the driving table;
 * `scan` marks the scan shape: its terms are tests of a row already read (a unary +
 * on each column keeps SQLite from starting at their index instead). `pathIndex`:
 * a path search starts from the trigram index's list (see grid-search.ts).
 */
export function conditions(
  filter: ImageFilter,
  id: string,
  scan: boolean,
  pathIndex: boolean,
  cells: 'i' | 'p' = 'i',
): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  // The cell's columns are read from the image's row, or from its prediction's copy (migration 13).
  const test = (column: string) => {
    const read = cells === 'p' ? column.replace(/^i\.grid_/, 'p.grid_') : column;
    return scan ? `+${read}` : read;
  };
  const add = (sql: string, ...values: unknown[]): void => {
    where.push(sql);
    params.push(...values);
  };
  if (filter.rootId !== undefined) add(`${test('i.root_id')} = ?`, filter.rootId);
  if (filter.status !== undefined) add(`${test('i.status')} = ?`, filter.status);
  if (filter.classId !== undefined) add(`${test('i.grid_class_id')} = ?`, filter.classId);
  if (filter.unlabeled) add(`${test('i.grid_class_id')} = 0`);
  if (filter.split !== undefined) add(`${test('i.grid_split')} = ?`, filter.split === 'none' ? '' : filter.split);
  if (filter.labelSource !== undefined) {
    // A literal (one of three words, checked here), so that SQLite can use the partial index for it.
    if (!['human', 'import', 'model'].includes(filter.labelSource))
      throw new AppError('INVALID_INPUT', `Unknown label source ${JSON.stringify(filter.labelSource)}`);
    add(`${test('i.grid_source')} = '${filter.labelSource}'`);
  }
  if (filter.pathContains !== undefined) {
    const search = pathCondition(filter.pathContains, id, pathIndex && !scan && usesPathIndex(filter.pathContains));
    add(search.sql, ...search.params);
  }
  if (filter.predictedClassId !== undefined) add(`${test('p.class_id')} = ?`, filter.predictedClassId);
  if (filter.confidenceMin !== undefined) add('p.confidence >= ?', filter.confidenceMin);
  if (filter.confidenceMax !== undefined) add('p.confidence <= ?', filter.confidenceMax);
  return { where, params };
}

const whereClause = (where: string[]) => (where.length ? `WHERE ${where.join(' AND ')}` : '');

/** The tables a count reads: predictions only when the filter needs them, images only when it or `withImages` does. */
function matching(
  filter: ImageFilter,
  runId: number | null,
  predictedOnly: boolean,
  withImages: boolean,
  pathIndex: boolean,
): { from: string; where: string[]; params: unknown[] } {
  if (predictedOnly || hasPredictionFilter(filter)) {
    const cond = conditions(filter, 'p.image_id', false, pathIndex);
    return {
      from: `predictions p${withImages || readsImages(filter) ? ' JOIN images i ON i.id = p.image_id' : ''}`,
      where: ['p.run_id = ?', ...cond.where],
      params: [runId, ...cond.params],
    };
  }
  return { from: 'images i', ...conditions(filter, 'i.id', false, pathIndex) };
}

/** COUNT(*) of the filter (GridCounts answers the class / split / source filters without this). */
export function countSql(
  filter: ImageFilter,
  runId: number | null,
  predictedOnly: boolean,
  pathIndex: boolean,
): SqlParts {
  const { from, where, params } = matching(filter, runId, predictedOnly, false, pathIndex);
  return { sql: `SELECT COUNT(*) FROM ${from} ${whereClause(where)}`, params };
}

/** Images per class (0: unlabeled) under the filter. */
export function classCountsSql(filter: ImageFilter, runId: number | null, pathIndex: boolean): SqlParts {
  const { from, where, params } = matching(filter, runId, false, true, pathIndex);
  return {
    sql: `SELECT i.grid_class_id AS classId, COUNT(*) AS n FROM ${from} ${whereClause(where)} GROUP BY i.grid_class_id`,
    params,
  };
}

export function sortKeys(sort: GridSort): string[] {
  return sort === 'path'
    ? ['i.root_id', 'i.rel_path']
    : sort === 'confidence'
      ? ['p.confidence', 'p.image_id']
      : ['i.id'];
}

/** Filter terms that a prediction's cell index (migration 13) can answer. */
const CELL_TERMS = new Set(['classId', 'unlabeled', 'split', 'labelSource', 'confidenceMin', 'confidenceMax', 'runId']);

/**
 * The predictions' cell index that lists the filter's predictions in confidence order,
 * or null: a class (or unlabeled) within a split, a label source (any split: the split
 * is then tested on rows already in order), or a split alone. Such a page reads its own
 * rows and few more. A class in any split, when few match (`scan` false), is one range. Named, not left to the planner: two of them can tie on its estimate.
 */
export function cellIndex(filter: ImageFilter, scan: boolean): string | null {
  const terms = Object.entries(filter).filter(
    ([key, value]) => value !== undefined && !(key === 'unlabeled' && !value),
  );
  if (!terms.every(([key]) => CELL_TERMS.has(key))) return null;
  const byClass = filter.classId !== undefined || filter.unlabeled === true;
  // A class in any split: its predictions are one range of the index, sorted after
  // reading (SQLite reads them in split order); worth it while they are few (a seek).
  if (byClass) return filter.split !== undefined || !scan ? 'predictions_cell_class' : null;
  if (filter.labelSource !== undefined) return 'predictions_cell_source';
  return filter.split !== undefined ? 'predictions_cell_split' : null;
}

/**
 * The partial index that lists a label source's images in the page's order (migration
 * 15), or null: for a label source alone, by path or import order. Named, because SQLite
 * would rather read the source's index by class and sort.
 */
export function sourceIndex(filter: ImageFilter, sort: GridSort): string | null {
  // runId only says whose guesses the page shows.
  const terms = Object.entries(filter).filter(
    ([key, value]) => value !== undefined && key !== 'runId' && !(key === 'unlabeled' && !value),
  );
  if (sort === 'confidence' || terms.length !== 1 || filter.labelSource === undefined) return null;
  if (!INDEXED_SOURCES.has(filter.labelSource)) return null;
  return `images_${filter.labelSource}_${sort === 'path' ? 'path' : 'order'}`;
}

/** A key before the first (or, descending, after the last) row the page can hold. */
function sentinel(sort: GridSort, descending: boolean, rootId: number | undefined): unknown[] {
  if (sort === 'path') {
    // Text sorts below blobs in SQLite, so x'' is above every rel_path. With a root
    // filter the bound starts at that root, or the scan would walk the roots before it.
    const low = rootId ?? Number.MIN_SAFE_INTEGER;
    const high = rootId ?? Number.MAX_SAFE_INTEGER;
    return descending ? [high, Buffer.alloc(0)] : [low, ''];
  }
  return [descending ? Number.MAX_SAFE_INTEGER : 0];
}

/** A row's sort key values; `inclusive` when the page starts at that row rather than after it. */
export interface Cursor {
  values: unknown[];
  inclusive: boolean;
}

export interface PageShape {
  runId: number | null;
  sort: GridSort;
  /** The direction this query walks: the list's own, or its reverse for the page before a cursor. */
  descending: boolean;
  scan: boolean;
  /** A path search starts from the trigram index's list (a seek only). */
  pathIndex: boolean;
  cursor: Cursor | null;
  limit: number;
}

const IMAGE_COLUMNS = `i.id, i.root_id, i.rel_path, i.hash, i.width, i.height, i.format, i.status,
  i.grid_class_id, i.grid_source, i.grid_split`;

/**
 * The shown prediction of a page's rows when the filter does not test predictions,
 * looked up for the rows returned only. As a LEFT JOIN, SQLite may first build a Bloom
 * filter over all of the run's predictions (~5 ms per 100k) for a 200-row page, and a
 * seek would look up every match before sorting them.
 */
function shownPrediction(image: string): string {
  return `(SELECT class_id FROM predictions WHERE run_id = ? AND image_id = ${image}) AS predicted_class_id,
    (SELECT confidence FROM predictions WHERE run_id = ? AND image_id = ${image}) AS confidence`;
}

/** The page query: `limit` rows from the cursor on, with what the grid shows of each. */
export function pageSql(filter: ImageFilter, shape: PageShape): SqlParts {
  return orderedSql(filter, shape, false);
}

/**
 * The sort key of the row `offset` rows into the list: where a jump to a position
 * starts its page. It still steps over `offset` rows, but reads only what the filter
 * tests and the sort key, not what the grid shows.
 */
export function keyAtSql(
  filter: ImageFilter,
  shape: Omit<PageShape, 'cursor' | 'limit'>,
  offset: number,
  from: Cursor | null = null,
): SqlParts {
  const { sql, params } = orderedSql(filter, { ...shape, cursor: from, limit: 1 }, true);
  return { sql: `${sql} OFFSET ?`, params: [...params, offset] };
}

function orderedSql(filter: ImageFilter, shape: PageShape, keysOnly: boolean): SqlParts {
  const { sort, scan } = shape;
  const joinsPredictions = sort === 'confidence' || hasPredictionFilter(filter);
  // A seek sorts its matches: their predictions are looked up after, for the page's rows.
  const predictionsAfter = !keysOnly && !joinsPredictions && !scan;
  const params: unknown[] = [];
  let select = sortKeys(sort).join(', ');
  if (!keysOnly && joinsPredictions) select = `${IMAGE_COLUMNS}, p.class_id AS predicted_class_id, p.confidence`;
  else if (predictionsAfter) select = IMAGE_COLUMNS;
  else if (!keysOnly) {
    select = `${IMAGE_COLUMNS}, ${shownPrediction('i.id')}`;
    params.push(shape.runId, shape.runId);
  }
  const byCell = sort === 'confidence' ? cellIndex(filter, scan) : null;
  const bySource = sourceIndex(filter, sort);
  let from: string;
  if (byCell) from = `predictions p INDEXED BY ${byCell} CROSS JOIN images i ON i.id = p.image_id`;
  else if (bySource) from = `images i INDEXED BY ${bySource}`;
  else if (sort === 'confidence') {
    // Scan: predictions in confidence order, each image looked up. Seek: start from the
    // images' index, unless a prediction filter (a predicted class) is the narrower start.
    from =
      scan || hasPredictionFilter(filter) || unindexed(filter, shape.pathIndex)
        ? 'predictions p CROSS JOIN images i ON i.id = p.image_id'
        : 'images i CROSS JOIN predictions p ON p.image_id = i.id';
  } else {
    from = 'images i';
    if (joinsPredictions) {
      from += ` ${scan ? 'CROSS JOIN' : 'JOIN'} predictions p ON p.run_id = ? AND p.image_id = i.id`;
      params.push(shape.runId);
    }
  }
  const cond = byCell
    ? conditions(filter, 'p.image_id', false, false, 'p')
    : conditions(filter, 'i.id', scan && !bySource, shape.pathIndex);
  const where = [...cond.where];
  if (sort === 'confidence') {
    where.unshift('p.run_id = ?');
    params.push(shape.runId);
  }
  params.push(...cond.params);
  // Seek: the sort key behind a unary +, so that no index serves the ORDER BY and
  // SQLite starts from the filter's index instead.
  // By cell: the index is in the sort's order already, whichever shape was asked for.
  const keys = sortKeys(sort).map((key) => (scan || byCell || bySource ? key : `+${key}`));
  const dir = shape.descending ? 'DESC' : 'ASC';
  // In scan mode a first page gets a bound that every row passes: without one SQLite
  // sees a full SCAN and first builds Bloom filters over the probed tables (reading
  // all of predictions, ~100 ms at 1M), not knowing LIMIT stops the scan early.
  // (The confidence sort needs none: its run_id = ? already makes the scan a SEARCH,
  // and a sentinel would displace the confidence range as the index bound.)
  const cursor =
    shape.cursor ??
    (scan && sort !== 'confidence'
      ? { values: sentinel(sort, shape.descending, filter.rootId), inclusive: false }
      : null);
  if (cursor) {
    const op = `${shape.descending ? '<' : '>'}${cursor.inclusive ? '=' : ''}`;
    where.push(`(${keys.join(', ')}) ${op} (${keys.map(() => '?').join(', ')})`);
    params.push(...cursor.values);
  }
  const query = `SELECT ${select} FROM ${from} ${whereClause(where)}
    ORDER BY ${keys.map((k) => `${k} ${dir}`).join(', ')} LIMIT ?`;
  params.push(shape.limit);
  if (!predictionsAfter) return { sql: query, params };
  // MATERIALIZED: SQLite would otherwise fold the page back into one query.
  const order = sortKeys(sort).map((key) => `${key.replace(/^i\./, 'page.')} ${dir}`);
  return {
    sql: `WITH page AS MATERIALIZED (${query})
      SELECT page.*, ${shownPrediction('page.id')} FROM page ORDER BY ${order.join(', ')}`,
    params: [...params, shape.runId, shape.runId],
  };
}
