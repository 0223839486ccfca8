/**
 * Gardiner codes → hieroglyphs, from the table generated out of Unicode's data
 * (resources/gardiner/signs.json). Pure lookups; no API calls.
 */
import table from '../../../resources/gardiner/signs.json';
import { categoryOf, normaliseGardinerCode, signFor, type GardinerSignTable } from '../../../src-main/gardiner/gardiner';

export const SIGN_TABLE = table as unknown as GardinerSignTable;

/** The hieroglyph for a class named by a Gardiner code (G43 → 𓅱), or null. */
export function glyphFor(className: string): string | null {
  const code = normaliseGardinerCode(className);
  return code ? signFor(SIGN_TABLE, code) : null;
}

export function categoryNameFor(className: string): string | null {
  const code = normaliseGardinerCode(className);
  return code ? (categoryOf(SIGN_TABLE, code)?.name ?? null) : null;
}

/** A stable colour per class id when the user has not chosen one. */
const PALETTE = ['#2f6fdb', '#d9822b', '#2f9e6e', '#c2410c', '#7c4dcc', '#0e8a9c', '#b7338a', '#6b8e23', '#a0522d', '#4060a0'];
export function classColour(classId: number, chosen: string | null): string {
  return chosen ?? PALETTE[classId % PALETTE.length]!;
}
