/**
 * Search over Unicode's whole sign list (resources/gardiner/signs.json), so the
 * class picker can offer signs that no class exists for yet: by code (`g17`),
 * JSesh code, phonetic value (`m`, `htp`, `ḥtp`), category, description
 * (`owl`) or function. Like class-search.ts, everything that does not depend
 * on the query is worked out once, in `buildSignSearchIndex`.
 */
import {
  compareParsed,
  parseCategoryCode,
  parseGardinerCode,
  type GardinerCategory,
  type GardinerCode,
  type GardinerSign,
  type GardinerSignTable,
} from './gardiner.js';
import {
  categoriesNamedBy,
  categoryWords,
  foldTransliteration,
  words,
  wordsMatch,
  type CategoryWords,
} from './search-text.js';

/** Why a sign matched, best first; the order is the ranking. */
export const SIGN_MATCH_REASONS = [
  'exact',
  'jsesh',
  'code-prefix',
  'phonetic',
  'category',
  'description',
  'phonetic-prefix',
  'function',
] as const;
export type SignMatchReason = (typeof SIGN_MATCH_REASONS)[number];

export interface SignMatch {
  /** Normalised Gardiner code, the key in the table: `G17`. */
  code: string;
  sign: GardinerSign;
  reason: SignMatchReason;
  /** Set for `category` matches. */
  category?: GardinerCategory;
}

interface SignEntry {
  code: string;
  sign: GardinerSign;
  parsed: GardinerCode;
  codeLower: string;
  codePadded: string;
  jsesh: readonly string[];
  /** Folded spellings of each phonetic value, with the value's position (the first is the main reading). */
  phonetic: ReadonlyArray<readonly [form: string, valueIndex: number]>;
  descriptionWords: readonly string[];
  functionWords: readonly string[];
  /** Tie-break towards common signs: core signs of Gardiner's list, then core Extended-A, legacy, the rest. */
  commonRank: number;
  ordinal: number;
}

export interface SignSearchIndex {
  readonly entries: readonly SignEntry[];
  readonly categories: readonly CategoryWords[];
}

// `An owl.` should rank like `Owl …`: articles do not count as word positions.
const ARTICLES = new Set(['a', 'an', 'the']);
// Extended-A (U+13460…) holds the specialist additions of Unicode 16; Gardiner's list is below it.
const EXTENDED_A_START = 0x13460;

function commonRank(sign: GardinerSign): number {
  if (sign.core === 'C') return Number.parseInt(sign.cp, 16) < EXTENDED_A_START ? 0 : 1;
  return sign.core === 'L' ? 2 : 3;
}

function contentWords(text: string | undefined): string[] {
  return text ? words(text).filter((word) => !ARTICLES.has(word)) : [];
}

/**
 * `stš/stẖ`, `t | sn, fḳꜣ`, `ḏꞽ > dꞽ` hold several values; `n(y)-sw.t` has an
 * optional part, so it is indexed with and without it. Each value is folded
 * with aleph as `3` and as `a`, the two ways people type it.
 */
function phoneticForms(fval: string | undefined): Array<readonly [string, number]> {
  if (!fval) return [];
  const forms: Array<readonly [string, number]> = [];
  fval.split(/[\s/|,;&>]+/).forEach((value, valueIndex) => {
    const spellings = new Set<string>();
    for (const variant of [value.replace(/[()]/g, ''), value.replace(/\([^)]*\)/g, '')]) {
      spellings.add(foldTransliteration(variant, '3'));
      if (variant.includes('ꜣ')) spellings.add(foldTransliteration(variant, 'a'));
    }
    for (const form of spellings) if (form) forms.push([form, valueIndex]);
  });
  return forms;
}

export function buildSignSearchIndex(table: GardinerSignTable): SignSearchIndex {
  const entries: SignEntry[] = [];
  for (const [code, sign] of Object.entries(table.signs)) {
    const parsed = parseGardinerCode(code);
    if (!parsed) continue; // the generator only writes codes; this guards hand edits
    entries.push({
      code,
      sign,
      parsed,
      codeLower: code.toLowerCase(),
      codePadded: `${parsed.category}${String(parsed.number).padStart(3, '0')}${parsed.variant}`.toLowerCase(),
      jsesh: sign.jsesh ? sign.jsesh.toLowerCase().split(/\s+/) : [],
      phonetic: phoneticForms(sign.phonetic),
      descriptionWords: contentWords(sign.description),
      functionWords: contentWords(sign.function),
      commonRank: commonRank(sign),
      ordinal: 0,
    });
  }
  [...entries].sort((a, b) => compareParsed(a.parsed, b.parsed)).forEach((entry, i) => (entry.ordinal = i));
  return { entries, categories: categoryWords(table.categories) };
}

const TIER = Object.fromEntries(SIGN_MATCH_REASONS.map((reason, i) => [reason, i])) as Record<SignMatchReason, number>;

/**
 * Best (lowest) score of a phonetic value equal to, or starting with, the
 * folded query; -1 for none. A sign whose only value it is (G17 is just `m`)
 * beats one where it is a later reading; a prefix of a short value beats one of a long value.
 */
function phoneticScore(entry: SignEntry, folded: string, prefix: boolean): number {
  let best = -1;
  const single = entry.phonetic.every(([, valueIndex]) => valueIndex === 0);
  for (const [form, valueIndex] of entry.phonetic) {
    const hit = prefix ? form.startsWith(folded) : form === folded;
    const score = prefix ? form.length * 100 + valueIndex : single ? 0 : 1 + valueIndex;
    if (hit && (best < 0 || score < best)) best = score;
  }
  return best;
}

/**
 * Ranks the signs matching `query`, each once under its best reason. An empty
 * query matches nothing: the whole list is thousands of signs, not a useful menu.
 */
export function searchSigns(index: SignSearchIndex, query: string, limit = 50): SignMatch[] {
  const q = query.trim().toLowerCase();
  if (q.length === 0) return [];
  const queryCode = parseGardinerCode(q)?.code ?? null;
  const hasDigit = /\d/.test(q);
  const categoryCode = parseCategoryCode(q);
  const allTokens = words(q);
  const contentTokens = allTokens.filter((token) => !ARTICLES.has(token));
  const tokens = contentTokens.length > 0 ? contentTokens : allTokens;
  const wordCategories: ReturnType<typeof categoriesNamedBy> = categoryCode
    ? new Map()
    : categoriesNamedBy(index.categories, q, tokens);
  const folded = foldTransliteration(q);
  const namedCategory = categoryCode
    ? index.categories.find((c) => c.category.code === categoryCode)?.category
    : undefined;

  const scored: Array<{ match: SignMatch; tier: number; score: number; ordinal: number }> = [];
  for (const entry of index.entries) {
    let reason: SignMatchReason | null = null;
    let score = 0;
    let category: GardinerCategory | undefined;
    let phonetic: number;
    let text: number;
    const byWord = wordCategories.get(entry.parsed.category);
    if (queryCode !== null && entry.code === queryCode) {
      reason = 'exact';
    } else if (entry.jsesh.includes(q)) {
      reason = 'jsesh';
    } else if (hasDigit && (entry.codeLower.startsWith(q) || entry.codePadded.startsWith(q))) {
      reason = 'code-prefix';
    } else if (folded && (phonetic = phoneticScore(entry, folded, false)) >= 0) {
      reason = 'phonetic';
      score = phonetic * 10 + entry.commonRank;
    } else if (categoryCode !== null && entry.parsed.category === categoryCode) {
      reason = 'category';
      category = namedCategory;
    } else if (byWord) {
      reason = 'category';
      score = byWord.firstWord;
      category = byWord.category;
    } else if ((text = wordsMatch(entry.descriptionWords, tokens)) >= 0) {
      // Earlier words first, then shorter descriptions: `An owl.` before `Two owls, overlapping …`.
      reason = 'description';
      score = (text * 1000 + Math.min(entry.descriptionWords.length, 999)) * 10 + entry.commonRank;
    } else if (folded.length >= 2 && (phonetic = phoneticScore(entry, folded, true)) >= 0) {
      reason = 'phonetic-prefix';
      score = phonetic * 10 + entry.commonRank;
    } else if ((text = wordsMatch(entry.functionWords, tokens)) >= 0) {
      reason = 'function';
      score = text * 10 + entry.commonRank;
    }
    if (reason === null) continue;
    const match: SignMatch = { code: entry.code, sign: entry.sign, reason };
    if (category) match.category = category;
    scored.push({ match, tier: TIER[reason], score, ordinal: entry.ordinal });
  }
  scored.sort((a, b) => a.tier - b.tier || a.score - b.score || a.ordinal - b.ordinal);
  return scored.slice(0, limit).map((entry) => entry.match);
}
