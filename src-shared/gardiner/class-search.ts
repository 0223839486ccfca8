/**
 * The class picker's search: ranks classes against what the user has typed.
 *
 * Everything that does not depend on the query (lower-cased names, parsed
 * Gardiner codes, description words, the natural sort order) is computed once
 * in `buildClassSearchIndex`, so each keystroke is one pass of string
 * comparisons over the classes and allocates only the result list.
 */
import {
  compareParsed,
  parseCategoryCode,
  parseGardinerCode,
  type GardinerCategory,
  type GardinerCode,
} from './gardiner.js';
import { categoriesNamedBy, categoryWords, words, wordsMatch, type CategoryWords } from './search-text.js';

export interface SearchableClass {
  id: number | string;
  name: string;
  description?: string | null;
}

/** Why a class matched, best first; the order is the ranking. */
export const MATCH_REASONS = ['exact', 'code-prefix', 'category', 'name', 'description', 'fuzzy'] as const;
export type ClassMatchReason = (typeof MATCH_REASONS)[number] | 'all';
const TIER: Record<ClassMatchReason, number> = {
  all: 0,
  exact: 0,
  'code-prefix': 1,
  category: 2,
  name: 3,
  description: 4,
  fuzzy: 5,
};

export interface ClassMatch<T extends SearchableClass> {
  item: T;
  reason: ClassMatchReason;
  /** Normalised Gardiner code of the class name, or null when it is not a code. */
  code: string | null;
  /** Set for `category` matches: the category the query named. */
  category?: GardinerCategory;
}

interface Entry<T extends SearchableClass> {
  item: T;
  parsed: GardinerCode | null;
  nameLower: string;
  /** Code lower-cased, and with Unicode's zero padding (`g043a`), for prefix matches. */
  codeLower: string | null;
  codePadded: string | null;
  descriptionWords: readonly string[];
  /** Position in natural order (Gardiner order, then names): the last tie-break. */
  ordinal: number;
}

export interface ClassSearchIndex<T extends SearchableClass> {
  readonly entries: readonly Entry<T>[];
  readonly categories: readonly CategoryWords[];
}

export interface ClassSearchOptions {
  /** Gardiner categories (from the sign table) so that words like `birds` find G classes. */
  categories?: readonly GardinerCategory[];
}

/** A class name is a code when all of it, or its first word (`G43 quail chick`), parses. */
function parseClassName(name: string): GardinerCode | null {
  return parseGardinerCode(name) ?? parseGardinerCode(name.trim().split(/\s+/)[0] ?? '');
}

export function buildClassSearchIndex<T extends SearchableClass>(
  classes: readonly T[],
  options: ClassSearchOptions = {},
): ClassSearchIndex<T> {
  const entries: Entry<T>[] = classes.map((item) => {
    const parsed = parseClassName(item.name);
    const codeLower = parsed ? parsed.code.toLowerCase() : null;
    const codePadded = parsed
      ? `${parsed.category}${String(parsed.number).padStart(3, '0')}${parsed.variant}`.toLowerCase()
      : null;
    return {
      item,
      parsed,
      nameLower: item.name.toLowerCase(),
      codeLower,
      codePadded,
      descriptionWords: item.description ? words(item.description) : [],
      ordinal: 0,
    };
  });
  const sorted = [...entries].sort((a, b) => {
    if (a.parsed && b.parsed) return compareParsed(a.parsed, b.parsed) || compareText(a.nameLower, b.nameLower);
    if (a.parsed) return -1;
    if (b.parsed) return 1;
    return compareText(a.nameLower, b.nameLower);
  });
  sorted.forEach((entry, index) => (entry.ordinal = index));
  return { entries, categories: categoryWords(options.categories ?? []) };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Gaps left when `query`'s characters are found in order in `text`; -1 when they are not. */
function subsequenceGaps(text: string, query: string): number {
  let start = -1;
  let at = 0;
  for (let i = 0; i < query.length; i++) {
    const found = text.indexOf(query[i]!, at);
    if (found < 0) return -1;
    if (start < 0) start = found;
    at = found + 1;
  }
  return at - start - query.length;
}

interface Scored<T extends SearchableClass> {
  match: ClassMatch<T>;
  tier: number;
  score: number;
  ordinal: number;
}

/**
 * Ranks the classes matching `query`: exact code or name, code prefix (`g4` →
 * G4, G40…G49), Gardiner category (`G`, or a word such as `birds`), name
 * substring, description words (`owl`), and finally a loose subsequence match.
 * Each class appears once, under the best reason it matches. An empty query
 * returns every class in Gardiner order.
 */
export function searchClasses<T extends SearchableClass>(
  index: ClassSearchIndex<T>,
  query: string,
  limit = Number.POSITIVE_INFINITY,
): ClassMatch<T>[] {
  const q = query.trim().toLowerCase();
  if (q.length === 0) {
    return [...index.entries]
      .sort((a, b) => a.ordinal - b.ordinal)
      .slice(0, limit)
      .map((entry) => ({ item: entry.item, reason: 'all', code: entry.parsed?.code ?? null }));
  }

  // Everything about the query is worked out once, before the pass over classes.
  const queryCode = parseGardinerCode(q)?.code ?? null;
  const hasDigit = /\d/.test(q);
  const categoryCode = parseCategoryCode(q);
  const namedCategory = categoryCode ? index.categories.find((c) => c.category.code === categoryCode) : undefined;
  const tokens = words(q);
  const wordCategories: ReturnType<typeof categoriesNamedBy> = categoryCode
    ? new Map()
    : categoriesNamedBy(index.categories, q, tokens);
  const compact = q.replace(/\s+/g, '');

  const scored: Scored<T>[] = [];
  for (const entry of index.entries) {
    // One if-chain, best reason first; a class is listed once, under its best reason.
    let reason: ClassMatchReason | null = null;
    let score = 0;
    let category: GardinerCategory | undefined;
    const byWord = entry.parsed ? wordCategories.get(entry.parsed.category) : undefined;
    const nameAt = entry.nameLower.indexOf(q);
    if ((queryCode !== null && entry.parsed?.code === queryCode) || entry.nameLower === q) {
      reason = 'exact';
    } else if (
      hasDigit &&
      entry.codeLower !== null &&
      (entry.codeLower.startsWith(q) || entry.codePadded!.startsWith(q))
    ) {
      reason = 'code-prefix';
    } else if (categoryCode !== null && entry.parsed?.category === categoryCode) {
      reason = 'category';
      category = namedCategory?.category;
    } else if (byWord) {
      // `birds` lists G (Birds) before H (Parts of birds): the head word counts most.
      reason = 'category';
      score = byWord.firstWord;
      category = byWord.category;
    } else if (nameAt >= 0) {
      reason = 'name';
      score = nameAt * 1000 + entry.nameLower.length;
    } else {
      const descriptionScore = wordsMatch(entry.descriptionWords, tokens);
      const gaps = descriptionScore < 0 && compact.length >= 2 ? subsequenceGaps(entry.nameLower, compact) : -1;
      if (descriptionScore >= 0) {
        reason = 'description';
        score = descriptionScore;
      } else if (gaps >= 0) {
        reason = 'fuzzy';
        score = gaps * 1000 + entry.nameLower.length;
      }
    }
    if (reason === null) continue;
    const match: ClassMatch<T> = { item: entry.item, reason, code: entry.parsed?.code ?? null };
    if (category) match.category = category;
    scored.push({ match, tier: TIER[reason], score, ordinal: entry.ordinal });
  }

  scored.sort((a, b) => a.tier - b.tier || a.score - b.score || a.ordinal - b.ordinal);
  const count = Math.min(limit, scored.length);
  const results: ClassMatch<T>[] = new Array(count);
  for (let i = 0; i < count; i++) results[i] = scored[i]!.match;
  return results;
}

/** Classes by the Gardiner code their name starts with (`G43`, `G43 quail chick`); the first class wins. */
export function classesByCode<T extends SearchableClass>(index: ClassSearchIndex<T>): Map<string, T> {
  const byCode = new Map<string, T>();
  for (const entry of index.entries)
    if (entry.parsed && !byCode.has(entry.parsed.code)) byCode.set(entry.parsed.code, entry.item);
  return byCode;
}
