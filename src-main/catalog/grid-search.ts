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
  // The folder's own name counts as part of the path ("wall-3/" finds the crops of wall-3 imported as a folder).
  const like = `((SELECT rn.name FROM roots rn WHERE rn.id = i.root_id) || '/' || i.rel_path) LIKE ? ESCAPE '\\'`;
  const pattern = `%${escapeLike(searchText(text))}%`;
  if (!useIndex) return { sql: like, params: [pattern] };
  return {
    sql: `${id} IN (SELECT rowid FROM image_paths WHERE image_paths MATCH ?) AND ${like}`,
    params: [phrase(text), pattern],
  };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
