/**
 * Sign boxes on a wall photograph, and the two text formats they arrive in: the Unas
 * dataset's `Locations` files (`030000_S29.png,71,27,105,104,` — crop file, then x1, y1,
 * x2, y2 in photo pixels) and a plain CSV with a header naming x1, y1, x2, y2 and
 * optionally label. Every error names the file and the line.
 */
import { AppError } from '../../src-shared/errors.js';

/** x1, y1 (top-left, inclusive) and x2, y2 (bottom-right, exclusive) in photo pixels. */
export type Box = readonly [x1: number, y1: number, x2: number, y2: number];

export interface WallSign {
  box: Box;
  /** Gardiner code or other class name; null when the source has none. */
  label: string | null;
  /** The crop's file name in the source, when it has one. */
  file: string | null;
  /** The sign's number in the source's own order (the dataset numbers signs in reading order). */
  index: number;
}

const invalid = (source: string, line: number, what: string) =>
  new AppError('INVALID_INPUT', `${source}, line ${line}: ${what}`);

function parseBox(source: string, line: number, fields: readonly string[]): Box {
  const values = fields.map((field) => Number(field.trim()));
  const bad = values.findIndex((value, i) => fields[i]!.trim() === '' || !Number.isFinite(value));
  if (bad >= 0) throw invalid(source, line, `"${fields[bad]}" is not a coordinate`);
  const [x1, y1, x2, y2] = values as [number, number, number, number];
  if (x1 < 0 || y1 < 0) throw invalid(source, line, `box ${x1},${y1},${x2},${y2} starts outside the photo`);
  if (!(x2 > x1 && y2 > y1)) throw invalid(source, line, `box ${x1},${y1},${x2},${y2} is empty or inverted`);
  return [x1, y1, x2, y2];
}

/** `030001_D58.png` → { index: 1, label: 'D58' }; names that do not follow the pattern keep no label. */
export function signFromCropName(file: string): { index: number | null; label: string | null } {
  const match = /^\d{2}(\d{4})_(.+)\.[a-z]+$/i.exec(file);
  if (!match) return { index: null, label: null };
  return { index: Number(match[1]), label: match[2]! };
}

export function parseLocations(text: string, source: string): WallSign[] {
  const signs: WallSign[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const fields = line.replace(/,\s*$/, '').split(',');
    if (fields.length !== 5) throw invalid(source, i + 1, `expected file,x1,y1,x2,y2 but found "${line}"`);
    const file = fields[0]!.trim();
    const named = signFromCropName(file);
    signs.push({
      box: parseBox(source, i + 1, fields.slice(1)),
      label: named.label,
      file,
      index: named.index ?? signs.length,
    });
  });
  return signs;
}

/** A CSV of boxes: a header with x1, y1, x2, y2 and optionally label (any order, any case). */
export function parseBoxesCsv(text: string, source: string): WallSign[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((name) => name.trim().toLowerCase());
  const column = (name: string) => header.indexOf(name);
  const coords = ['x1', 'y1', 'x2', 'y2'].map(column);
  if (coords.some((index) => index < 0)) throw invalid(source, 1, 'the header must name x1, y1, x2 and y2');
  const labelColumn = column('label');
  const signs: WallSign[] = [];
  lines.slice(1).forEach((raw, i) => {
    if (raw.trim() === '') return;
    const fields = raw.split(',');
    const label = labelColumn >= 0 ? (fields[labelColumn]?.trim() ?? '') : '';
    signs.push({
      box: parseBox(
        source,
        i + 2,
        coords.map((index) => fields[index] ?? ''),
      ),
      label: label === '' ? null : label,
      file: null,
      index: signs.length,
    });
  });
  return signs;
}

export function boxArea([x1, y1, x2, y2]: Box): number {
  return Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
}

export function intersectionOverUnion(a: Box, b: Box): number {
  const inter = boxArea([Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])]);
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy one-to-one matching of found boxes to true ones, in the order `found` is given
 * (strongest first): each found box takes the untaken true box it overlaps most, at IoU
 * ≥ `minIou`. What a detector's precision and recall count as found.
 */
export function matchBoxes(
  found: readonly Box[],
  truth: readonly Box[],
  minIou = 0.5,
): Array<{ found: number; truth: number; iou: number }> {
  const taken = new Set<number>();
  const pairs: Array<{ found: number; truth: number; iou: number }> = [];
  found.forEach((box, f) => {
    let best = -1;
    let bestIou = minIou;
    truth.forEach((other, t) => {
      if (taken.has(t)) return;
      const iou = intersectionOverUnion(box, other);
      if (iou >= bestIou) [best, bestIou] = [t, iou];
    });
    if (best >= 0) {
      taken.add(best);
      pairs.push({ found: f, truth: best, iou: bestIou });
    }
  });
  return pairs;
}
