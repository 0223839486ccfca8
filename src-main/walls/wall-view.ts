/**
 * A wall as the Wall view and the exports see it: every box with its crop's label and the
 * chosen run's guess, in reading order; and the same wall as CSV, as the Unas dataset's
 * `Locations` format, or as a Manuel de Codage line with its Unicode hieroglyphs.
 */
import path from 'node:path';
import type {
  WallDetails,
  WallExport,
  WallExportFormat,
  WallSignView,
  WallSummary,
} from '../../src-shared/api/wire-walls.js';
import type { GardinerSignTable } from '../../src-shared/gardiner/gardiner.js';
import { transcribe } from '../../src-shared/gardiner/transcription.js';
import type { Catalog } from '../catalog/catalog.js';
import type { WallRecord } from '../catalog/walls.js';
import { directionOf } from './facing.js';
import { readingOrder } from './reading-order.js';

/** How much of the photo hash its URL carries: enough to tell contents apart. */
const URL_HASH_DIGITS = 16;

export function wallSummaries(catalog: Catalog): WallSummary[] {
  return catalog.walls.summaries().map((wall) => ({
    ...summaryOf(wall),
    signs: wall.signs,
    labelled: wall.labelled,
  }));
}

function summaryOf(wall: WallRecord): Omit<WallSummary, 'signs' | 'labelled'> {
  return {
    facing: wall.facing,
    id: wall.id,
    name: path.basename(wall.photoPath),
    photoPath: wall.photoPath,
    width: wall.width,
    height: wall.height,
    photoHash: wall.photoHash?.slice(0, URL_HASH_DIGITS) ?? null,
    cropsDir: wall.cropsDir,
  };
}

/** The wall's boxes in reading order, with `runId`'s guesses (default: the latest run that made any). */
export function wallDetails(catalog: Catalog, wallId: number, runId?: number | null): WallDetails {
  const wall = catalog.walls.require(wallId);
  const run = runId === undefined ? catalog.walls.latestRunWithGuesses(wallId) : runId;
  const rows = catalog.walls.signRowsOf(wallId, run);
  const direction = directionOf(wall.facing?.mirrored);
  const places = readingOrder(
    rows.map((row) => row.box),
    direction,
  );
  const signs: WallSignView[] = rows.map((row, i) => ({
    imageId: row.imageId,
    hash: row.hash,
    box: [...row.box],
    index: row.index,
    order: places[i]!.order,
    column: places[i]!.column,
    row: places[i]!.row,
    classId: row.classId,
    guess: row.guess && {
      classId: row.guess.classId,
      confidence: row.guess.confidence,
      top: row.guess.topK.map(({ classId, p }) => ({ classId, p })),
    },
  }));
  signs.sort((a, b) => a.order - b.order);
  const labelled = signs.filter((sign) => sign.classId !== null).length;
  return { wall: { ...summaryOf(wall), signs: signs.length, labelled }, direction, runId: run, signs };
}

/** A sign's reading: the label a person gave, else the model's guess. */
function readingOf(sign: WallSignView, names: Map<number, string>) {
  if (sign.classId !== null) return { label: names.get(sign.classId) ?? null, confidence: null, source: 'label' };
  if (sign.guess?.classId != null)
    return { label: names.get(sign.guess.classId) ?? null, confidence: sign.guess.confidence, source: 'model' };
  return { label: null, confidence: null, source: 'none' };
}

const csvField = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export function exportWall(
  catalog: Catalog,
  wallId: number,
  format: WallExportFormat,
  table: GardinerSignTable,
  runId?: number | null,
): WallExport {
  const details = wallDetails(catalog, wallId, runId);
  const names = new Map(catalog.classes.list({ includeArchived: true }).map((c) => [c.id, c.name]));
  const stem = path.parse(details.wall.name).name;
  const read = details.signs.map((sign) => ({ sign, ...readingOf(sign, names) }));
  if (format === 'csv') {
    const lines = ['order,column,x1,y1,x2,y2,label,confidence,source'];
    for (const { sign, label, confidence, source } of read)
      lines.push(
        [sign.order, sign.column, ...sign.box, csvField(label ?? ''), confidence?.toFixed(4) ?? '', source].join(','),
      );
    return { fileName: `${stem}-signs.csv`, text: `${lines.join('\n')}\n` };
  }
  if (format === 'locations') {
    // The dataset's own layout: `<wall><order>_<label>.png,x1,y1,x2,y2,`, numbered in reading order.
    const wall = /(\d+)$/.exec(stem)?.[1]?.padStart(2, '0').slice(-2) ?? '00';
    const lines = read.map(({ sign, label }) => {
      const name = `${wall}${String(sign.order).padStart(4, '0')}_${(label ?? 'UNKNOWN').replace(/[^A-Za-z0-9-]/g, '-')}.png`;
      return `${name},${sign.box.join(',')},`;
    });
    return { fileName: `${stem}.txt`, text: `${lines.join('\n')}\n` };
  }
  const text = transcribe(
    table,
    read.map(({ sign, label }) => ({ label, order: sign.order, column: sign.column, row: sign.row })),
  );
  return { fileName: `${stem}.mdc.txt`, text: `${text.mdc}\n`, unicode: text.unicode, unmatched: text.unmatched };
}
