/**
 * What the class picker lists for a query: the project's classes first, then
 * signs from Unicode's list that no class exists for yet (choosing one creates
 * the class), then "Create class …" for a name of the user's own. Pure, so the
 * order can be unit-tested without a browser.
 */
import type { GardinerCategory, GardinerSign } from './gardiner.js';
import {
  classesByCode,
  searchClasses,
  type ClassMatchReason,
  type ClassSearchIndex,
  type SearchableClass,
} from './class-search.js';
import { searchSigns, type SignMatchReason, type SignSearchIndex } from './sign-search.js';

export type PickerReason = ClassMatchReason | SignMatchReason;

export type PickerRow<T extends SearchableClass> =
  | { kind: 'class'; key: string; item: T; reason: PickerReason; category?: GardinerCategory }
  | {
      kind: 'sign';
      key: string;
      code: string;
      sign: GardinerSign;
      reason: SignMatchReason;
      category?: GardinerCategory;
    }
  | { kind: 'create'; key: string; name: string };

/**
 * `limit` applies to classes and to signs separately. A sign whose class
 * already exists is listed as that class (found through the sign's data, e.g.
 * `owl` finds an existing G17 with no description), never as a second G17.
 */
export function pickerRows<T extends SearchableClass>(
  classIndex: ClassSearchIndex<T>,
  signIndex: SignSearchIndex | null,
  query: string,
  limit = 50,
): PickerRow<T>[] {
  const rows: PickerRow<T>[] = [];
  const listed = new Set<T['id']>();
  let exact = false;
  for (const match of searchClasses(classIndex, query, limit)) {
    rows.push({
      kind: 'class',
      key: `class:${match.item.id}`,
      item: match.item,
      reason: match.reason,
      ...categoryOf(match),
    });
    listed.add(match.item.id);
    if (match.reason === 'exact') exact = true;
  }
  const trimmed = query.trim();
  if (trimmed === '') return rows;

  if (signIndex) {
    const existing = classesByCode(classIndex);
    for (const match of searchSigns(signIndex, trimmed, limit)) {
      if (match.reason === 'exact') exact = true; // the sign row creates the class, correctly spelt
      const cls = existing.get(match.code);
      if (cls) {
        if (listed.has(cls.id)) continue;
        listed.add(cls.id);
        rows.push({ kind: 'class', key: `class:${cls.id}`, item: cls, reason: match.reason, ...categoryOf(match) });
      } else {
        rows.push({
          kind: 'sign',
          key: `sign:${match.code}`,
          code: match.code,
          sign: match.sign,
          reason: match.reason,
          ...categoryOf(match),
        });
      }
    }
  }
  // Offered unless the query already names a class or a sign: `owl` may still be wanted as a class name.
  if (!exact) rows.push({ kind: 'create', key: 'create', name: trimmed });
  return rows;
}

/** `{ category }` when the match has one, so rows carry no `category: undefined`. */
function categoryOf(match: { category?: GardinerCategory }): { category?: GardinerCategory } {
  return match.category ? { category: match.category } : {};
}
