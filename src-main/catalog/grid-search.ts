/**
 * Path search for the grid: "pathContains" as SQL. A match is `<folder name>/<path
 * inside it>` containing the text, ignoring ASCII case (LIKE's rule, as always).
 *
 * A text of three or more characters can be looked up in `image_paths` (migration 11),
 * a trigram index: it lists a superset of the matches (it folds case across all of
 * Unicode), which LIKE then narrows to the matches, so the index only ever saves work
 * and never changes what a search finds. Whether to use it is GridQueries' choice: it
 * pays for few matches (a name, a folder), not for a text in most paths (".jpg"),
 * where reading every path once is cheaper than listing most of them, and a page that
 * walks the sort order tests the rows it visits with LIKE alone.
 */
import type { SqlParts } from './grid-sql.js';

export interface PathCondition {
  sql: string;
  params: unknown[];
}

/** The text as searched: Windows separators written as '/'. */
function searchText(text: string): string {
  return text.replace(/\\/g, '/');
}

/** Whether the trigram index can list this text's matches (it indexes runs of three characters). */
export function usesPathIndex(text: string): boolean {
  return [...searchText(text)].length >= 3;
}

/** A quoted FTS5 phrase: the text's trigrams in a row, i.e. the text as a substring, whatever it holds. */
function phrase(text: string): string {
  return `"${searchText(text).replace(/"/g, '""')}"`;
}

/** How many images the index lists for the text: at least the matches, usually exactly them. */
export function pathIndexListSql(text: string): SqlParts {
  return { sql: 'SELECT COUNT(*) FROM image_paths WHERE image_paths MATCH ?', params: [phrase(text)] };
}

/**
 * The condition "image `id` (of `images i`) has `text` in its path"; `useIndex` starts
 * from the index's list (the caller has checked `usesPathIndex`).
 */
export function pathCondition(text: string, id: string, useIndex: boolean): PathCondition {
  const match = pathMatch(searchText(text));
  if (!useIndex) return match;
  return {
    sql: `${id} IN (SELECT rowid FROM image_paths WHERE image_paths MATCH ?) AND ${match.sql}`,
    params: [phrase(text), ...match.params],
  };
}

/**
 * "`<folder name>/<rel_path>` contains the text" without building that string per row.
 * The folder's own name counts as part of the path ("wall-3/" finds the crops of wall-3
 * imported as a folder). A folder name holds no '/', so the text lies in the name, or in
 * the path, or across the '/' between them: then its part before its first '/' ends the
 * name and the rest begins the path. The roots' tests run once per query, not per row
 * (joining each row's name and path cost a 10k-image folder search about 4 ms of 10).
 */
function pathMatch(text: string): PathCondition {
  const contains = `%${escapeLike(text)}%`;
  const terms = [`i.rel_path LIKE ? ESCAPE '\\'`, `i.root_id IN (SELECT id FROM roots WHERE name LIKE ? ESCAPE '\\')`];
  const params: unknown[] = [contains, contains];
  const slash = text.indexOf('/');
  if (slash >= 0) {
    terms.push(`(i.root_id IN (SELECT id FROM roots WHERE name LIKE ? ESCAPE '\\') AND i.rel_path LIKE ? ESCAPE '\\')`);
    params.push(`%${escapeLike(text.slice(0, slash))}`, `${escapeLike(text.slice(slash + 1))}%`);
  }
  return { sql: `(${terms.join(' OR ')})`, params };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
