/**
 * A read wall as text: a Manuel de Codage line with JSesh's codes, and the same signs as
 * Unicode hieroglyphs. Signs side by side in a quadrat row are joined with `*`, the rest
 * with `-`, and each column ends with `!` (MdC's line break). A label with no sign in the
 * table (UNKNOWN, a typo) becomes `?` in the MdC and U+FFFD in the Unicode string, and is
 * reported, so nothing is silently dropped.
 */
import { parseGardinerCode, type GardinerSignTable } from './gardiner.js';

export interface PlacedSign {
  label: string | null;
  order: number;
  column: number;
  row: number;
}

export interface Transcription {
  mdc: string;
  unicode: string;
  /** Labels that have no sign in the table, with how many times each occurs. */
  unmatched: Record<string, number>;
}

export function transcribe(table: GardinerSignTable, signs: readonly PlacedSign[]): Transcription {
  const ordered = [...signs].sort((a, b) => a.order - b.order);
  const unmatched: Record<string, number> = {};
  let mdc = '';
  let unicode = '';
  ordered.forEach((sign, i) => {
    const previous = ordered[i - 1];
    if (previous) {
      if (previous.column !== sign.column) {
        mdc += ' !\n';
        unicode += '\n';
      } else mdc += previous.row === sign.row ? '*' : '-';
    }
    const code = sign.label === null ? null : (parseGardinerCode(sign.label)?.code ?? null);
    const entry = code === null ? undefined : table.signs[code];
    if (entry) {
      mdc += entry.jsesh ?? code;
      unicode += entry.char;
    } else {
      const name = sign.label ?? '(no label)';
      unmatched[name] = (unmatched[name] ?? 0) + 1;
      mdc += '?';
      unicode += '\uFFFD';
    }
  });
  if (ordered.length > 0) mdc += ' !';
  return { mdc, unicode, unmatched };
}
