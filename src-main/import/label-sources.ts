/**
 * Where an import's labels (and splits) come from, and turning that into a label
 * for each scanned file.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import type { Split } from '../catalog/types.js';
import { normaliseSplit, readLabelCsv } from './csv.js';
import type { ScannedFile } from './scan.js';

export type LabelSource =
  /** Class = parent folder name; `train|val|valid|validation|test/<class>/` also sets the split. */
  | { kind: 'folders' }
  /** Regex on the file name with a named group `label` (or the first group); optional group `split`. */
  | { kind: 'filename'; pattern: string; flags?: string }
  /** `path,label[,split]` CSV/TSV; paths relative to the CSV's folder. */
  | { kind: 'csv'; file: string }
  | { kind: 'none' };

/** Unas glyph crops: `030001_D58.png` → D58 (Gardiner code; UNKNOWN is kept as a class). */
export const UNAS_FILENAME_PATTERN = '^\\d+_([^.]+)\\.';
export const UNAS_LABEL_SOURCE: LabelSource = { kind: 'filename', pattern: UNAS_FILENAME_PATTERN };

export interface LabelGuess {
  /** False when the source has no label for this file (reported as "unmatched"). */
  matched: boolean;
  label?: string;
  split?: Split;
}

export interface LabelResolver {
  source: LabelSource;
  resolve(file: ScannedFile): LabelGuess;
  /** CSV only: rows that named a file no scan found. */
  unusedRows?(): Array<{ path: string; line: number }>;
  /** CSV only: rows skipped while reading the file. */
  problems: string[];
}

export async function createLabelResolver(source: LabelSource): Promise<LabelResolver> {
  switch (source.kind) {
    case 'none':
      return { source, problems: [], resolve: () => ({ matched: true }) };
    case 'folders':
      return { source, problems: [], resolve: (file) => fromFolders(file.relPath) };
    case 'filename':
      return filenameResolver(source);
    case 'csv':
      return csvResolver(source);
    default:
      throw new AppError('INVALID_INPUT', `Unknown label source ${JSON.stringify((source as { kind?: unknown }).kind)}`);
  }
}

/** `a/train/cat/x.jpg` → cat, train; `cat/x.jpg` → cat; `x.jpg` (in the root) → unmatched. */
export function fromFolders(relPath: string): LabelGuess {
  const parts = relPath.split('/');
  const parent = parts.at(-2);
  if (parent === undefined) return { matched: false };
  const parentSplit = normaliseSplit(parent);
  if (parentSplit) return { matched: false, split: parentSplit }; // `train/x.jpg`: a split but no class
  const grand = parts.at(-3);
  const split = grand === undefined ? undefined : normaliseSplit(grand);
  return split ? { matched: true, label: parent, split } : { matched: true, label: parent };
}

function filenameResolver(source: Extract<LabelSource, { kind: 'filename' }>): LabelResolver {
  let regex: RegExp;
  try {
    regex = new RegExp(source.pattern, source.flags ?? '');
  } catch (error) {
    throw new AppError('INVALID_INPUT', `Invalid file-name pattern ${JSON.stringify(source.pattern)}: ${(error as Error).message}`);
  }
  // Count capture groups by matching the pattern's alternation with the empty string.
  const groups = new RegExp(`${source.pattern}|`, source.flags ?? '').exec('')!.length - 1;
  if (groups < 1) {
    throw new AppError('INVALID_INPUT', `File-name pattern ${JSON.stringify(source.pattern)} needs a capture group (or a group named "label") for the class`);
  }
  return {
    source,
    problems: [],
    resolve(file) {
      const name = file.relPath.slice(file.relPath.lastIndexOf('/') + 1);
      const match = regex.exec(name);
      const label = (match?.groups?.label ?? match?.[1])?.trim();
      if (!match || !label) return { matched: false };
      const split = match.groups?.split ? normaliseSplit(match.groups.split) : undefined;
      return split ? { matched: true, label, split } : { matched: true, label };
    },
  };
}

async function csvResolver(source: Extract<LabelSource, { kind: 'csv' }>): Promise<LabelResolver> {
  const csvPath = path.resolve(source.file);
  let text: string;
  try {
    text = await readFile(csvPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError(code === 'ENOENT' ? 'NOT_FOUND' : 'INVALID_INPUT', `Cannot read label file ${csvPath}: ${(error as Error).message}`);
  }
  const csv = readLabelCsv(text, { tsv: /\.(tsv|tab)$/i.test(csvPath) });
  const base = path.dirname(csvPath);
  const byPath = new Map<string, { label: string; split?: Split; line: number; used: boolean }>();
  const problems = [...csv.problems];
  for (const row of csv.rows) {
    // Backslashes: CSVs written on Windows; a literal backslash in a file name is rarer.
    const key = path.resolve(base, row.path.replace(/\\/g, '/'));
    if (byPath.has(key)) problems.push(`line ${row.line}: ${row.path} is listed again; the later row wins`);
    byPath.set(key, { label: row.label, ...(row.split ? { split: row.split } : {}), line: row.line, used: false });
  }
  return {
    source,
    problems,
    resolve(file) {
      const row = byPath.get(path.resolve(file.absPath));
      if (!row) return { matched: false };
      row.used = true;
      const guess: LabelGuess = { matched: row.label !== '' };
      if (row.label !== '') guess.label = row.label;
      if (row.split) guess.split = row.split;
      return guess;
    },
    unusedRows() {
      return [...byPath.entries()].filter(([, row]) => !row.used).map(([file, row]) => ({ path: file, line: row.line }));
    },
  };
}

/** Validates a label source received from outside (API, CLI). */
export function parseLabelSource(value: unknown): LabelSource {
  const v = value as Partial<Record<string, unknown>> | null;
  if (v && v.kind === 'folders') return { kind: 'folders' };
  if (v && v.kind === 'none') return { kind: 'none' };
  if (v && v.kind === 'filename' && typeof v.pattern === 'string') {
    return typeof v.flags === 'string' ? { kind: 'filename', pattern: v.pattern, flags: v.flags } : { kind: 'filename', pattern: v.pattern };
  }
  if (v && v.kind === 'csv' && typeof v.file === 'string') return { kind: 'csv', file: v.file };
  throw new AppError('INVALID_INPUT', `Invalid label source ${JSON.stringify(value)}`);
}
