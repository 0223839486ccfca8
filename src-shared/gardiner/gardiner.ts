/**
 * Gardiner sign codes (G43, V31A, Aa1 …) and their Unicode hieroglyphs.
 *
 * Shared by the main process and the Svelte renderer, so nothing here touches
 * node: modules or imports the JSON itself: the table is passed in. Node code
 * gets it from `load-signs.ts`; the renderer can `import` the JSON through Vite.
 * (Importing resources/ from here would also break tsconfig.build's rootDir.)
 */

/** One sign of `resources/gardiner/signs.json`. */
export interface GardinerSign {
  /** The hieroglyph itself (one astral-plane character, two UTF-16 units). */
  char: string;
  /** Code point in upper-case hex, e.g. `13171`. */
  cp: string;
  /** Unicode's description of the drawing (kEH_Desc), e.g. `An owl.`; absent for some signs. */
  description?: string;
  /** What the sign does in writing (kEH_Func), e.g. `Phonemogram` or `Logogram (to hide)`. */
  function?: string;
  /** Phonetic value(s) in transliteration (kEH_FVal), e.g. `m`, `stš/stẖ`, `mr (ꞽm.y-r)`. */
  phonetic?: string;
  /** JSesh's code (kEH_JSesh); usually the Gardiner code, but not always (F45A is Aa56). */
  jsesh?: string;
  /** Unicode's core set (kEH_Core): C core, L legacy; absent means neither. */
  core?: 'C' | 'L';
}

/** The optional text fields of a sign, checked by `isGardinerSignTable`. */
const OPTIONAL_SIGN_FIELDS = ['description', 'function', 'phonetic', 'jsesh', 'core'] as const;

export interface GardinerCategory {
  /** `A` … `Z` (no J), `Aa`, and Unicode's nome standards `NL`, `NU`. */
  code: string;
  /** English name from Gardiner's sign list, e.g. `Birds`. */
  name: string;
}

/** The parsed form of `resources/gardiner/signs.json` (see scripts/generate-gardiner.mjs). */
export interface GardinerSignTable {
  source: string;
  unicodeVersion: string | null;
  generatedBy: string;
  /** Where the data's licence is (Unicode License V3, resources/gardiner/LICENSE). */
  licence?: string;
  categories: GardinerCategory[];
  /** Normalised code → sign. */
  signs: Record<string, GardinerSign>;
}

export interface GardinerCode {
  /** Normalised spelling: `G43`, `V31A`, `Aa1`, `NL5A`. */
  code: string;
  /** `G`, `Aa`, `NL` … */
  category: string;
  /** The number within the category: 43 for G43. */
  number: number;
  /** Upper-case variant letters: `A` for V31A, `` for G43. */
  variant: string;
}

/** Gardiner's categories have single letters except Aa; Gardiner skipped J. */
const CATEGORY_LETTERS = new Set('ABCDEFGHIKLMNOPQRSTUVWXYZ'.split(''));
const TWO_LETTER_CATEGORIES: Record<string, string> = { aa: 'Aa', nl: 'NL', nu: 'NU' };

// Category, optional zero padding (Unicode writes G043), 1–3 digits, up to two
// variant letters. Two-letter categories are tried first so AA1 is Aa1, not A + "A1".
const CODE_PATTERN = /^(aa|nl|nu|[a-z])0*([1-9]\d{0,2})([a-z]{0,2})$/i;

/**
 * Parses a Gardiner code in any of the usual spellings (`G43`, `g43`, `G043`,
 * `Aa1`, `AA1`, `V31A`, `v31a`). Returns null for anything else, such as a
 * class called `UNKNOWN` or `cat`.
 */
export function parseGardinerCode(name: string): GardinerCode | null {
  const match = CODE_PATTERN.exec(name.trim());
  if (!match) return null;
  const [, rawCategory = '', digits = '', rawVariant = ''] = match;
  const lower = rawCategory.toLowerCase();
  const category = TWO_LETTER_CATEGORIES[lower] ?? rawCategory.toUpperCase();
  if (category.length === 1 && !CATEGORY_LETTERS.has(category)) return null;
  const number = Number(digits);
  const variant = rawVariant.toUpperCase();
  return { code: `${category}${number}${variant}`, category, number, variant };
}

/** `g` → `G`, `AA` → `Aa`, `nl` → `NL`; null for anything that is not a category code (J included). */
export function parseCategoryCode(text: string): string | null {
  const trimmed = text.trim();
  const twoLetter = TWO_LETTER_CATEGORIES[trimmed.toLowerCase()];
  if (twoLetter) return twoLetter;
  const upper = trimmed.toUpperCase();
  return upper.length === 1 && CATEGORY_LETTERS.has(upper) ? upper : null;
}

/** `g043` → `G43`; null when `name` is not a Gardiner code. */
export function normaliseGardinerCode(name: string): string | null {
  return parseGardinerCode(name)?.code ?? null;
}

/** The hieroglyph for a code in any accepted spelling, or null when Unicode has none. */
export function signFor(table: GardinerSignTable, code: string): string | null {
  const parsed = parseGardinerCode(code);
  if (!parsed) return null;
  return table.signs[parsed.code]?.char ?? null;
}

/** The Gardiner category a code belongs to (`G43` → Birds), or null for non-codes. */
export function categoryOf(table: GardinerSignTable, code: string): GardinerCategory | null {
  const parsed = parseGardinerCode(code);
  if (!parsed) return null;
  return table.categories.find((category) => category.code === parsed.category) ?? null;
}

/**
 * Orders codes the way Gardiner's list does (A1 < A2 < A10 < A10A < B1 … Z < Aa1),
 * with non-codes last in plain string order. Used to sort class lists.
 */
export function compareGardinerCodes(a: string, b: string): number {
  const pa = parseGardinerCode(a);
  const pb = parseGardinerCode(b);
  if (pa && pb) return compareParsed(pa, pb);
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Position of a category in Gardiner's order: single letters, then Aa, then NL/NU after N. */
export function categoryRank(category: string): number {
  if (category === 'Aa') return 100;
  const base = (category.charCodeAt(0) - 65) * 3; // room after N for NL and NU
  if (category === 'NL') return base + 1;
  if (category === 'NU') return base + 2;
  return base;
}

export function compareParsed(a: GardinerCode, b: GardinerCode): number {
  return (
    categoryRank(a.category) - categoryRank(b.category) ||
    a.number - b.number ||
    (a.variant < b.variant ? -1 : a.variant > b.variant ? 1 : 0)
  );
}

/**
 * Checks that parsed JSON has the table's shape, so a damaged or hand-edited
 * resources file fails once at load time instead of as undefined lookups later.
 */
export function isGardinerSignTable(value: unknown): value is GardinerSignTable {
  if (typeof value !== 'object' || value === null) return false;
  const table = value as Partial<GardinerSignTable>;
  if (!Array.isArray(table.categories) || typeof table.signs !== 'object' || table.signs === null) return false;
  const categoriesOk = table.categories.every(
    (category: unknown) =>
      typeof category === 'object' &&
      category !== null &&
      typeof (category as GardinerCategory).code === 'string' &&
      typeof (category as GardinerCategory).name === 'string',
  );
  if (!categoriesOk) return false;
  return Object.values(table.signs).every(
    (sign: unknown) =>
      typeof sign === 'object' &&
      sign !== null &&
      typeof (sign as GardinerSign).char === 'string' &&
      typeof (sign as GardinerSign).cp === 'string' &&
      OPTIONAL_SIGN_FIELDS.every((field) => {
        const value = (sign as GardinerSign)[field];
        return value === undefined || typeof value === 'string';
      }),
  );
}
