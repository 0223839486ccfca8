/**
 * Reading order of the signs on a wall written in vertical columns. Columns are found by
 * merging the middle halves of the boxes' horizontal extents (whole extents would bridge
 * neighbouring columns through wide or slanted signs); within a column, boxes whose
 * heights overlap by half form one row of a quadrat and are read side by side.
 *
 * On the six Unas walls, with the dataset's own boxes, columns left to right and quadrat
 * rows right first put 0.969–0.989 of consecutive signs in the right order
 * (bench/walls-reading.ts); the other directions are options because a wall's direction
 * follows the way its signs face.
 */
import type { Box } from './boxes.js';

export interface ReadingDirection {
  /** Which column is read first. */
  columns: 'left-first' | 'right-first';
  /** Within a quadrat row, which of two side-by-side signs is read first. */
  withinRow: 'left-first' | 'right-first';
}

export const UNAS_DIRECTION: ReadingDirection = { columns: 'left-first', withinRow: 'right-first' };

/** Of each box's width, how much takes part in finding columns. */
const COLUMN_CORE = 0.5;
/** Two boxes share a quadrat row when their heights overlap by this share of the shorter. */
const ROW_OVERLAP = 0.5;

export interface ReadingPlace {
  /** Position in reading order, 0 first. */
  order: number;
  /** Column number in reading order, 0 first. */
  column: number;
  /** Quadrat row number over the whole wall, in reading order: signs sharing one sit side by side. */
  row: number;
}

const centreX = (box: Box) => (box[0] + box[2]) / 2;
const centreY = (box: Box) => (box[1] + box[3]) / 2;

/** Groups box indices into columns, left to right. */
export function findColumns(boxes: readonly Box[]): number[][] {
  const cores = boxes
    .map((box, index) => {
      const half = ((box[2] - box[0]) * COLUMN_CORE) / 2;
      return { start: centreX(box) - half, end: centreX(box) + half, index };
    })
    .sort((a, b) => a.start - b.start || a.index - b.index);
  const columns: { end: number; members: number[] }[] = [];
  for (const core of cores) {
    const last = columns.at(-1);
    if (last && core.start <= last.end) {
      last.end = Math.max(last.end, core.end);
      last.members.push(core.index);
    } else columns.push({ end: core.end, members: [core.index] });
  }
  return columns.map((column) => column.members);
}

function rowsOf(boxes: readonly Box[], members: readonly number[]): number[][] {
  const rows: { top: number; bottom: number; members: number[] }[] = [];
  const byCentre = [...members].sort((a, b) => centreY(boxes[a]!) - centreY(boxes[b]!) || a - b);
  for (const index of byCentre) {
    const [, top, , bottom] = boxes[index]!;
    const row = rows.at(-1);
    if (row) {
      const overlap = Math.min(bottom, row.bottom) - Math.max(top, row.top);
      if (overlap > ROW_OVERLAP * Math.min(bottom - top, row.bottom - row.top)) {
        row.members.push(index);
        row.top = Math.min(row.top, top);
        row.bottom = Math.max(row.bottom, bottom);
        continue;
      }
    }
    rows.push({ top, bottom, members: [index] });
  }
  return rows.map((row) => row.members);
}

/** Each box's place in reading order, in the input's order. */
export function readingOrder(boxes: readonly Box[], direction: ReadingDirection = UNAS_DIRECTION): ReadingPlace[] {
  const columns = findColumns(boxes);
  if (direction.columns === 'right-first') columns.reverse();
  const sign = direction.withinRow === 'left-first' ? 1 : -1;
  const places: ReadingPlace[] = new Array(boxes.length);
  let order = 0;
  let rowNumber = 0;
  columns.forEach((members, column) => {
    for (const row of rowsOf(boxes, members)) {
      row.sort((a, b) => sign * (centreX(boxes[a]!) - centreX(boxes[b]!)) || a - b);
      for (const index of row) places[index] = { order: order++, column, row: rowNumber };
      rowNumber++;
    }
  });
  return places;
}

/**
 * Of consecutive signs in a reference order, the share read in the same relative order:
 * the reading-order score of the walls bench.
 */
export function pairwiseOrderAgreement(places: readonly ReadingPlace[], referenceOrder: readonly number[]): number {
  if (referenceOrder.length < 2) return 1;
  let right = 0;
  for (let i = 1; i < referenceOrder.length; i++)
    if (places[referenceOrder[i]!]!.order > places[referenceOrder[i - 1]!]!.order) right++;
  return right / (referenceOrder.length - 1);
}
