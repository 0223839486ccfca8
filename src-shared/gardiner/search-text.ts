/**
 * Text helpers shared by the class search and the sign-list search, so both
 * read queries the same way (words, category names, transliteration).
 */
import type { GardinerCategory } from './gardiner.js';

const WORD_SPLIT = /[^\p{L}\p{N}]+/u;

export function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(WORD_SPLIT)
    .filter((word) => word.length > 0);
}

/** Index of the first word starting with `token`, or -1. */
export function wordPrefixIndex(wordList: readonly string[], token: string): number {
  for (let i = 0; i < wordList.length; i++) if (wordList[i]!.startsWith(token)) return i;
  return -1;
}

/** Sum of the positions of the words the tokens start, or -1 unless every token starts one. */
export function wordsMatch(wordList: readonly string[], tokens: readonly string[]): number {
  if (tokens.length === 0 || wordList.length === 0) return -1;
  let sum = 0;
  for (const token of tokens) {
    const at = wordPrefixIndex(wordList, token);
    if (at < 0) return -1;
    sum += at;
  }
  return sum;
}

export interface CategoryWords {
  category: GardinerCategory;
  words: readonly string[];
}

// Words in category names that say nothing about the category.
const CATEGORY_STOP_WORDS = new Set(['and', 'his', 'her', 'of', 'etc', 'the', 'from', 'derived', 'signs', 'parts']);

export function categoryWords(categories: readonly GardinerCategory[]): CategoryWords[] {
  return categories.map((category) => ({
    category,
    words: words(category.name).filter((word) => !CATEGORY_STOP_WORDS.has(word)),
  }));
}

/**
 * Categories every query word names (`birds` → G Birds, H Parts of birds), with
 * the position of the first word matched so that head words rank first. Needs
 * three letters so that `a` or `of` do not select whole categories.
 */
export function categoriesNamedBy(
  entries: readonly CategoryWords[],
  query: string,
  tokens: readonly string[],
): Map<string, { category: GardinerCategory; firstWord: number }> {
  const named = new Map<string, { category: GardinerCategory; firstWord: number }>();
  if (query.length < 3 || tokens.length === 0) return named;
  for (const entry of entries) {
    let first = Number.POSITIVE_INFINITY;
    const all = tokens.every((token) => {
      const at = wordPrefixIndex(entry.words, token);
      if (at >= 0) first = Math.min(first, at);
      return at >= 0;
    });
    if (all) named.set(entry.category.code, { category: entry.category, firstWord: first });
  }
  return named;
}

/**
 * Transliteration as a user types it: no diacritics (ḥ → h, š → s), ꞽ → i,
 * ayin ꜥ → a, and nothing but letters and digits (`ꞽm.y-r` → `imyr`). Aleph ꜣ
 * is written `3` (Manuel de Codage) or `a` (plain Latin); `aleph` picks which.
 */
export function foldTransliteration(text: string, aleph: '3' | 'a' = '3'): string {
  const lower = text.toLowerCase();
  // Most typed queries are plain ASCII: skip the Unicode work for them.
  if (/^[a-z0-9]*$/.test(lower)) return lower;
  return lower
    .replace(/ꜣ/g, aleph)
    .replace(/ꜥ/g, 'a')
    .replace(/ꞽ/g, 'i')
    .normalize('NFD')
    .replace(/[^\p{L}\p{N}]+/gu, '');
}
