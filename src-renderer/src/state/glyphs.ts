/**
 * Gardiner codes → hieroglyphs, from the table generated out of Unicode's data
 * (resources/gardiner/signs.json). Pure lookups; no API calls.
 */
import table from '../../../resources/gardiner/signs.json';
import {
  categoryOf,
  normaliseGardinerCode,
  type GardinerSign,
  type GardinerSignTable,
} from '../../../src-shared/gardiner/gardiner';
import { buildSignSearchIndex, type SignSearchIndex } from '../../../src-shared/gardiner/sign-search';

export const SIGN_TABLE = table as unknown as GardinerSignTable;

let signIndex: SignSearchIndex | undefined;
/** The search index over all ~5,000 signs, built on first use (the picker) rather than at start-up. */
export function signSearchIndex(): SignSearchIndex {
  return (signIndex ??= buildSignSearchIndex(SIGN_TABLE));
}

// The bundled font (Noto Sans Egyptian Hieroglyphs, resources/fonts) draws the
// Egyptian Hieroglyphs block but not Extended-A (U+13460…, Unicode 16), which
// would show as empty boxes: those signs are listed by code and description only.
// Raise this when a font with Extended-A ships.
const LAST_DRAWN_CODE_POINT = 0x1345f;

/** The sign's character when the bundled font can draw it, else null. */
export function drawableGlyph(sign: GardinerSign | undefined): string | null {
  return sign && Number.parseInt(sign.cp, 16) <= LAST_DRAWN_CODE_POINT ? sign.char : null;
}

/** The hieroglyph for a class named by a Gardiner code (G43 → 𓅱), or null. */
export function glyphFor(className: string): string | null {
  const code = normaliseGardinerCode(className);
  return code ? drawableGlyph(SIGN_TABLE.signs[code]) : null;
}

export function categoryNameFor(className: string): string | null {
  const code = normaliseGardinerCode(className);
  return code ? (categoryOf(SIGN_TABLE, code)?.name ?? null) : null;
}

/** A stable colour per class id when the user has not chosen one. */
const PALETTE = [
  '#2f6fdb',
  '#d9822b',
  '#2f9e6e',
  '#c2410c',
  '#7c4dcc',
  '#0e8a9c',
  '#b7338a',
  '#6b8e23',
  '#a0522d',
  '#4060a0',
];
export function classColour(classId: number, chosen: string | null): string {
  return chosen ?? PALETTE[classId % PALETTE.length]!;
}
