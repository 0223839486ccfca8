/**
 * SQL text for the grid: counts that read only the tables a filter needs, and
 * page queries in two shapes.
 *
 * - seek: let SQLite start from the filter's index (labels_class, splits_split, …)
 *   and sort the matches. Cheap when few images match.
 * - scan: walk images (or predictions, for the confidence sort) in the sort's own
 *   index order and probe each row's label/split/prediction by primary key,
 *   stopping at `limit` matches. Cheap when many images match: about limit/fraction
 *   rows are visited, and no sort happens.
 *
 * GridQueries picks the shape from the filter's (cached) total: seek costs about
 * fraction·N, scan about limit/fraction, so scan wins above fraction = √(limit/N).
 * SQLite's planner alone cannot know this (it always prefers the index + sort), and
 * CROSS JOIN is SQLite's documented way to fix the join order.
 */
import type { ImageFilter } from '../../src-shared/api/wire-library.js';

export type GridSort = 'path' | 'imported' | 'confidence';

export interface SqlParts {
  sql: string;
  params: unknown[];
}

export function imageSide(filter: ImageFilter): boolean {
  return filter.rootId !== undefined || filter.pathContains !== undefined || filter.status !== undefined;
}

export function hasPredictionFilter(filter: ImageFilter): boolean {
  return (
    filter.predictedClassId !== undefined || filter.confidenceMin !== undefined || filter.confidenceMax !== undefined
  );
}

const wantsLabel = (f: ImageFilter) => f.classId !== undefined || f.labelSource !== undefined;
const wantsSplit = (f: ImageFilter) => f.split !== undefined && f.split !== 'none';

/** WHERE terms of a filter; `id` is the image-id expression of the driving table; `joined` when l and s are LEFT-joined. */
export function conditions(filter: ImageFilter, id: string, joined: boolean): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]): void => {
    where.push(sql);
    params.push(...values);
  };
  if (filter.rootId !== undefined) add('i.root_id = ?', filter.rootId);
  if (filter.status !== undefined) add('i.status = ?', filter.status);
  if (filter.pathContains !== undefined) {
    // The folder's own name counts as part of the path ("wall-3/" finds the crops of wall-3 imported as a folder).
    const pattern = `%${escapeLike(filter.pathContains.replace(/\\/g, '/'))}%`;
    add("((SELECT rn.name FROM roots rn WHERE rn.id = i.root_id) || '/' || i.rel_path) LIKE ? ESCAPE '\\'", pattern);
  }
  if (filter.classId !== undefined) add('l.class_id = ?', filter.classId);
  if (filter.labelSource !== undefined) add('l.source = ?', filter.labelSource);
  if (filter.unlabeled)
    add(joined ? 'l.image_id IS NULL' : `NOT EXISTS (SELECT 1 FROM labels lx WHERE lx.image_id = ${id})`);
  if (filter.split === 'none')
    add(joined ? 's.image_id IS NULL' : `NOT EXISTS (SELECT 1 FROM splits sx WHERE sx.image_id = ${id})`);
  else if (filter.split !== undefined) add('s.split = ?', filter.split);
  if (filter.predictedClassId !== undefined) add('p.class_id = ?', filter.predictedClassId);
  if (filter.confidenceMin !== undefined) add('p.confidence >= ?', filter.confidenceMin);
  if (filter.confidenceMax !== undefined) add('p.confidence <= ?', filter.confidenceMax);
  return { where, params };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const whereClause = (where: string[]) => (where.length ? `WHERE ${where.join(' AND ')}` : '');

/**
 * COUNT(*) of the filter, reading only the tables it touches and starting from the
 * narrowest (every label/split/prediction row belongs to an image, by foreign key,
 * so a class filter counts labels_class entries without visiting images). Must not
 * be called with unlabeled or split 'none' set unless images is the driver anyway.
 */
export function countSql(filter: ImageFilter, runId: number | null, predictedOnly: boolean): SqlParts {
  const needsImages = imageSide(filter) || filter.unlabeled === true || filter.split === 'none';
  const driver = needsImages
    ? 'images'
    : wantsLabel(filter)
      ? 'labels'
      : hasPredictionFilter(filter) || predictedOnly
        ? 'predictions'
        : wantsSplit(filter)
          ? 'splits'
          : 'images';
  return groupSql(filter, runId, driver, predictedOnly, 'COUNT(*)', '');
}

/** Matching images that have a label: labels drive, other filters join in. */
export function labelledCountSql(filter: ImageFilter, runId: number | null, predictedOnly: boolean): SqlParts {
  return groupSql(filter, runId, 'labels', predictedOnly, 'COUNT(*)', '');
}

/** Per-class counts: labels drive, other filters join in. */
export function classCountsSql(filter: ImageFilter, runId: number | null): SqlParts {
  return groupSql(filter, runId, 'labels', false, 'l.class_id AS classId, COUNT(*) AS n', 'GROUP BY l.class_id');
}

function groupSql(
  filter: ImageFilter,
  runId: number | null,
  driver: 'images' | 'labels' | 'splits' | 'predictions',
  predictedOnly: boolean,
  select: string,
  tail: string,
): SqlParts {
  const idOf = { images: 'i.id', labels: 'l.image_id', splits: 's.image_id', predictions: 'p.image_id' }[driver];
  const parts = [{ images: 'images i', labels: 'labels l', splits: 'splits s', predictions: 'predictions p' }[driver]];
  const params: unknown[] = [];
  const where: string[] = [];
  if (driver === 'predictions') {
    where.push('p.run_id = ?');
    params.push(runId);
  }
  if (driver !== 'images' && imageSide(filter)) parts.push(`JOIN images i ON i.id = ${idOf}`);
  if (driver !== 'labels' && wantsLabel(filter)) parts.push(`JOIN labels l ON l.image_id = ${idOf}`);
  if (driver !== 'splits' && wantsSplit(filter)) parts.push(`JOIN splits s ON s.image_id = ${idOf}`);
  if (driver !== 'predictions' && (hasPredictionFilter(filter) || predictedOnly)) {
    parts.push(`JOIN predictions p ON p.run_id = ? AND p.image_id = ${idOf}`);
    params.push(runId);
  }
  const cond = conditions(filter, idOf, false);
  return {
    sql: `SELECT ${select} FROM ${parts.join(' ')} ${whereClause([...where, ...cond.where])} ${tail}`,
    params: [...params, ...cond.params],
  };
}

export function sortKeys(sort: GridSort): string[] {
  return sort === 'path' ? ['i.root_id', 'i.rel_path'] : sort === 'confidence' ? ['p.confidence', 'i.id'] : ['i.id'];
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

/** The page query; `cursor` holds the last row's sort key values for keyset paging. */
export function pageSql(
  filter: ImageFilter,
  options: {
    runId: number | null;
    sort: GridSort;
    descending: boolean;
    scan: boolean;
    cursor: unknown[] | null;
    limit: number;
    offset: number;
  },
): SqlParts {
  const { sort, scan } = options;
  const needsPrediction = sort === 'confidence' || hasPredictionFilter(filter);
  // In scan mode the filtering joins are CROSS JOINs: same result as JOIN, but SQLite
  // keeps the written order, so the sort's index drives and the filters are probes.
  const inner = scan ? 'CROSS JOIN' : 'JOIN';
  const labelJoin = wantsLabel(filter) ? inner : 'LEFT JOIN';
  const splitJoin = wantsSplit(filter) ? inner : 'LEFT JOIN';
  const params: unknown[] = [];
  let from: string;
  if (sort === 'confidence') {
    from = `predictions p ${inner} images i ON i.id = p.image_id`;
  } else {
    from = `images i ${needsPrediction ? inner : 'LEFT JOIN'} predictions p ON p.run_id = ? AND p.image_id = i.id`;
    params.push(options.runId);
  }
  from += ` ${labelJoin} labels l ON l.image_id = i.id ${splitJoin} splits s ON s.image_id = i.id`;
  const cond = conditions(filter, 'i.id', true);
  const where = [...cond.where];
  params.push(...cond.params);
  if (sort === 'confidence') {
    where.unshift('p.run_id = ?');
    params.splice(0, 0, options.runId);
  }
  const keys = sortKeys(sort);
  const dir = options.descending ? 'DESC' : 'ASC';
  // In scan mode a first page gets a bound that every row passes: without one SQLite
  // sees a full SCAN and first builds Bloom filters over the probed tables (reading
  // all of predictions, ~100 ms at 1M), not knowing LIMIT stops the scan early.
  // (The confidence sort needs none: its run_id = ? already makes the scan a SEARCH,
  // and a sentinel would displace the confidence range as the index bound.)
  const cursor =
    options.cursor ?? (scan && sort !== 'confidence' ? sentinel(sort, options.descending, filter.rootId) : null);
  if (cursor) {
    where.push(`(${keys.join(', ')}) ${options.descending ? '<' : '>'} (${keys.map(() => '?').join(', ')})`);
    params.push(...cursor);
  }
  return {
    sql: `SELECT i.id, i.root_id, i.rel_path, i.hash, i.width, i.height, i.format, i.status,
        l.class_id, l.source, s.split, p.class_id AS predicted_class_id, p.confidence
      FROM ${from} ${whereClause(where)}
      ORDER BY ${keys.map((k) => `${k} ${dir}`).join(', ')} LIMIT ? OFFSET ?`,
    params: [...params, options.limit, options.offset],
  };
}
