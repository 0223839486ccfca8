/**
 * A small RFC 4180 reader for label files: `path,label[,split]`, CSV or TSV (or
 * semicolon-separated, as spreadsheets in many locales save "CSV"). The delimiter
 * is detected from the first line, a header row is detected by its names, and
 * quoted fields may hold delimiters, doubled quotes and newlines.
 *
 * Nothing is dropped silently: every row that is skipped, or used only in part, is
 * reported as a problem with the physical line of the file it starts on (a quoted
 * newline or a blank line does not shift the numbers), so a user can find it in an
 * editor.
 */
import { AppError } from '../../src-shared/errors.js';
import { classNameProblem, normaliseClassName } from '../catalog/classes.js';
import type { Split } from '../../src-shared/catalog-records.js';

export type Delimiter = ',' | '\t' | ';';

/** Something wrong with one row (or one line) of a label file. */
export interface CsvProblem {
  /** 1-based physical line of the file. */
  line: number;
  reason: string;
}

export interface DelimitedRecord {
  cells: string[];
  /** 1-based physical line the record starts on. */
  line: number;
}

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

/**
 * Each restart after an unterminated quote re-reads the rest of the file, so a file
 * made of nothing else would take quadratic time; past this many the rest is refused.
 */
const MAX_QUOTE_RECOVERIES = 100;

/**
 * Parses the whole text into records with the line each starts on. Blank lines are
 * dropped. A quote that is never closed would otherwise swallow the rest of the file
 * into one field: the record it is in is reported on the line the quote opened and
 * ignored, and reading starts again at the next physical line.
 */
export function parseDelimitedRecords(
  text: string,
  delimiter: Delimiter,
): { records: DelimitedRecord[]; problems: CsvProblem[] } {
  const records: DelimitedRecord[] = [];
  const problems: CsvProblem[] = [];
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark from Excel
  let line = 1;
  for (let recoveries = 0; ; recoveries++) {
    const open = readRecords(text, start, line, delimiter, records);
    if (open === null) break;
    const where = open.recordLine === open.quoteLine ? 'the row' : `the row from line ${open.recordLine}`;
    if (recoveries === MAX_QUOTE_RECOVERIES) {
      const reason = `unterminated quote: ${where} and the rest of the file are ignored (too many unterminated quotes)`;
      problems.push({ line: open.quoteLine, reason });
      break;
    }
    const reason = `unterminated quote: ${where} is ignored; reading goes on at the next line`;
    problems.push({ line: open.quoteLine, reason });
    start = nextLineStart(text, open.quoteAt);
    line = open.quoteLine + 1;
    if (start >= text.length) break;
  }
  return { records, problems };
}

/** Parses the whole text into rows of fields. Blank lines are dropped, and so are records with an unterminated quote. */
export function parseDelimited(text: string, delimiter: Delimiter): string[][] {
  return parseDelimitedRecords(text, delimiter).records.map((record) => record.cells);
}

interface UnclosedQuote {
  /** Index in the text of the opening quote. */
  quoteAt: number;
  quoteLine: number;
  recordLine: number;
}

/** Reads records from `from` to the end into `out`; returns the quote the end of the text left open, if any. */
function readRecords(
  text: string,
  from: number,
  firstLine: number,
  delimiter: Delimiter,
  out: DelimitedRecord[],
): UnclosedQuote | null {
  let line = firstLine;
  let recordLine = firstLine;
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let quoteAt = -1;
  let quoteLine = 0;
  const endRecord = (): void => {
    row.push(field);
    if (row.length > 1 || row[0]!.trim() !== '') out.push({ cells: row, line: recordLine });
    row = [];
    field = '';
  };
  for (let i = from; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        field += ch;
        if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
      }
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
      quoteAt = i;
      quoteLine = line;
    } else if (ch === delimiter) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      recordLine = ++line;
    } else field += ch;
  }
  if (quoted) return { quoteAt, quoteLine, recordLine };
  if (field !== '' || row.length > 0) endRecord();
  return null;
}

/** Index just after the line break that ends the line holding `index` (the text's length when none does). */
function nextLineStart(text: string, index: number): number {
  for (let i = index; i < text.length; i++) {
    if (text[i] === '\n') return i + 1;
    if (text[i] === '\r') return text[i + 1] === '\n' ? i + 2 : i + 1;
  }
  return text.length;
}

const PATH_NAMES = new Set([
  'path',
  'file',
  'filename',
  'file_name',
  'filepath',
  'file_path',
  'image',
  'image_path',
  'name',
]);
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

/** A cell's text for a message: quoted, and cut short so a stray huge cell cannot flood a report. */
export function quoteCell(value: string, max = 80): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

export interface LabelCsvRow {
  /** NFC-normalised and trimmed. */
  path: string;
  /** NFC-normalised and trimmed; '' when the row has none, or one that cannot name a class (reported). */
  label: string;
  split?: Split;
  /** 1-based physical line the row starts on. */
  line: number;
}

export interface LabelCsv {
  delimiter: Delimiter;
  hasHeader: boolean;
  /** Every row with a path: the file is known to the CSV even when its label is unusable. */
  rows: LabelCsvRow[];
  /** Rows skipped, or used only in part, in line order. */
  problems: CsvProblem[];
}

/**
 * Reads `path,label[,split]` rows. A row with a path but no label means "this file,
 * no label": it is kept (so the file is not reported as missing from the CSV, and a
 * split it gives is used) but reported unless it gives a split, since then it says
 * nothing at all. A label that cannot name a class (control characters, too long) is
 * reported and left out, the rest of its row kept.
 */
export function readLabelCsv(text: string, options: { tsv?: boolean } = {}): LabelCsv {
  const delimiter = options.tsv ? '\t' : detectDelimiter(text);
  const table = parseDelimitedRecords(text, delimiter);
  const first = (table.records[0]?.cells ?? []).map((cell) => cell.trim().toLowerCase());
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
  const problems: CsvProblem[] = [...table.problems];
  table.records.forEach(({ cells, line }, index) => {
    if (hasHeader && index === 0) return;
    const note = (reason: string): void => void problems.push({ line, reason });
    // NFC: a CSV written on one system names files listed on another (macOS writes NFD).
    const file = (cells[pathCol] ?? '').normalize('NFC').trim();
    if (file === '') return note('no path; the row is ignored');
    const row: LabelCsvRow = { path: file, label: '', line };
    const splitCell = splitCol >= 0 ? cells[splitCol] : undefined;
    if (splitCell !== undefined) {
      const split = normaliseSplit(splitCell);
      if (split === null) note(`unknown split ${quoteCell(splitCell)} ignored (train, validation or test)`);
      else if (split) row.split = split;
    }
    const label = normaliseClassName(cells[labelCol] ?? '');
    const labelProblem = label === '' ? null : classNameProblem(label);
    if (label === '' && !row.split) note('no label; the file is imported unlabelled');
    else if (labelProblem) note(`label ${labelProblem}; the file is imported unlabelled`);
    else row.label = label;
    rows.push(row);
  });
  problems.sort((a, b) => a.line - b.line); // stable: a row's own problems keep their order
  return { delimiter, hasHeader, rows, problems };
}

export type LabelFileEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/**
 * The text of a label file. The rule: UTF-16 when the file starts with a UTF-16
 * byte-order mark (Excel's "Unicode Text"), otherwise UTF-8 (a UTF-8 byte-order mark
 * is dropped). Anything else is refused, naming the first byte that is not UTF-8,
 * rather than guessed at: a file that is not UTF-8 is usually in the legacy code page
 * of the machine that saved it (Windows-1252, 1251, Shift-JIS…), no rule can tell
 * which, and a wrong guess turns names into plausible-looking wrong classes in the
 * catalog. Re-saving as UTF-8 is one step for the user; undoing bad classes is many.
 * Text holding NUL is refused too: that is a binary file, not a label file.
 */
export function decodeLabelFile(bytes: Uint8Array, file: string): { text: string; encoding: LabelFileEncoding } {
  const utf16: LabelFileEncoding | null =
    bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : null;
  if (utf16) {
    let text: string;
    try {
      text = new TextDecoder(utf16, { fatal: true }).decode(bytes);
    } catch {
      const name = utf16.toUpperCase();
      throw new AppError('INVALID_INPUT', `Label file ${file} starts like ${name} text but is not valid ${name}`);
    }
    const nul = text.indexOf('\u0000');
    if (nul >= 0) throw binaryFile(file, `character ${nul}`);
    return { text, encoding: utf16 };
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw binaryFile(file, `byte offset ${nul}`);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    const at = firstInvalidUtf8(bytes);
    const byte = at < 0 ? '' : `0x${bytes[at]!.toString(16).toUpperCase().padStart(2, '0')}`;
    const where = at < 0 ? '' : `: the byte ${byte} at offset ${at} (line ${lineAt(bytes, at)}) is not UTF-8`;
    const fix = 'Save it as UTF-8 ("CSV UTF-8" in Excel) and choose it again.';
    throw new AppError('INVALID_INPUT', `Label file ${file} is not UTF-8 text${where}. ${fix}`);
  }
}

function binaryFile(file: string, where: string): AppError {
  return new AppError('INVALID_INPUT', `Label file ${file} looks binary (a NUL at ${where}), not like CSV or TSV text`);
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629), or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    // Continuation bytes are 0x80–0xBF; the second byte's range is narrower after some leads
    // (no overlong forms, no UTF-16 surrogates, nothing past U+10FFFF).
    let follow: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) follow = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      follow = 2;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      follow = 3;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k <= follow; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return i;
    }
    i += follow + 1;
  }
  return -1;
}

/** 1-based line of a byte offset, counting line breaks as the record reader does (LF, CRLF, lone CR). */
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) line++;
  }
  return line;
}
