/**
 * A small RFC 4180 reader for label files: `path,label[,split]`, CSV or TSV (or
 * semicolon-separated, as spreadsheets in many locales save "CSV"). The delimiter
 * is detected from the first line, a header row is detected by its names, and
 * quoted fields may hold delimiters, doubled quotes and newlines.
 */
import type { Split } from '../catalog/types.js';

export type Delimiter = ',' | '\t' | ';';

/** The delimiter that occurs most often outside quotes in the first line (comma on a tie). */
export function detectDelimiter(text: string): Delimiter {
  const counts: Record<Delimiter, number> = { ',': 0, '\t': 0, ';': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && (ch === ',' || ch === '\t' || ch === ';')) counts[ch]++;
  }
  const best = (Object.keys(counts) as Delimiter[]).reduce((a, b) => (counts[b] > counts[a] ? b : a), ',');
  return best;
}

/** Parses the whole text into rows of fields. Blank lines are dropped. */
export function parseDelimited(text: string, delimiter: Delimiter): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark from Excel
  const endRow = (): void => {
    row.push(field);
    if (row.length > 1 || row[0]!.trim() !== '') rows.push(row);
    row = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === delimiter) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else field += ch;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

const PATH_NAMES = new Set(['path', 'file', 'filename', 'file_name', 'filepath', 'file_path', 'image', 'image_path', 'name']);
const LABEL_NAMES = new Set(['label', 'class', 'category', 'class_name', 'classname', 'target', 'tag']);
const SPLIT_NAMES = new Set(['split', 'set', 'subset', 'fold', 'partition']);

/** train/validation/test from the spellings datasets use, or undefined for an empty cell, or null when unknown. */
export function normaliseSplit(value: string): Split | undefined | null {
  const v = value.trim().toLowerCase();
  if (v === '') return undefined;
  if (v === 'train' || v === 'training') return 'train';
  if (v === 'validation' || v === 'val' || v === 'valid' || v === 'dev') return 'validation';
  if (v === 'test' || v === 'testing') return 'test';
  return null;
}

export interface LabelCsvRow {
  path: string;
  label: string;
  split?: Split;
  /** 1-based line (row) number, for messages. */
  line: number;
}

export interface LabelCsv {
  delimiter: Delimiter;
  hasHeader: boolean;
  rows: LabelCsvRow[];
  /** "line 7: no label" style notes for rows that were skipped. */
  problems: string[];
}

export function readLabelCsv(text: string, options: { tsv?: boolean } = {}): LabelCsv {
  const delimiter = options.tsv ? '\t' : detectDelimiter(text);
  const table = parseDelimited(text, delimiter);
  const first = (table[0] ?? []).map((cell) => cell.trim().toLowerCase());
  const hasHeader = first.some((cell) => PATH_NAMES.has(cell)) && first.some((cell) => LABEL_NAMES.has(cell));
  let pathCol = 0;
  let labelCol = 1;
  let splitCol = 2;
  if (hasHeader) {
    pathCol = first.findIndex((cell) => PATH_NAMES.has(cell));
    labelCol = first.findIndex((cell) => LABEL_NAMES.has(cell));
    splitCol = first.findIndex((cell) => SPLIT_NAMES.has(cell));
  }
  const rows: LabelCsvRow[] = [];
  const problems: string[] = [];
  table.forEach((cells, index) => {
    if (hasHeader && index === 0) return;
    const line = index + 1;
    const file = (cells[pathCol] ?? '').trim();
    const label = (cells[labelCol] ?? '').trim();
    if (file === '') return void problems.push(`line ${line}: no path`);
    const row: LabelCsvRow = { path: file, label, line };
    if (splitCol >= 0 && cells[splitCol] !== undefined) {
      const split = normaliseSplit(cells[splitCol]!);
      if (split === null) problems.push(`line ${line}: unknown split ${JSON.stringify(cells[splitCol])} ignored`);
      else if (split) row.split = split;
    }
    rows.push(row);
  });
  return { delimiter, hasHeader, rows, problems };
}
