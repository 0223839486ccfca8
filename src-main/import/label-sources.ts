/**
 * Where an import's labels (and splits) come from, and turning that into a label
 * for each scanned file.
 */
import { constants as fsConstants, type Stats } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../src-shared/errors.js';
import { classNameProblem, normaliseClassName } from '../catalog/classes.js';
import type { Split } from '../../src-shared/catalog-records.js';
import { decodeLabelFile, normaliseSplit, quoteCell, readLabelCsv, type CsvProblem } from './csv.js';
import { describeFsError } from './io.js';
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
import { UNAS_FILENAME_PATTERN } from '../../src-shared/api/wire-import.js';
export { UNAS_FILENAME_PATTERN };
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
  /** CSV only: rows skipped, or used only in part, by line (reports add the file's path). */
  problems: CsvProblem[];
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
      throw new AppError(
        'INVALID_INPUT',
        `Unknown label source ${JSON.stringify((source as { kind?: unknown }).kind)}`,
      );
  }
}

/** Where a source's labels come from, as the subject of a message about one of them. */
const LABEL_ORIGIN: Record<LabelSource['kind'], string> = {
  folders: 'folder name',
  filename: 'label from the file name',
  csv: 'CSV label',
  none: 'label',
};

/**
 * The guess with its label in the form classes are stored in (NFC, trimmed), or,
 * when that label cannot name a class, without it (so counted as unmatched) and with
 * the reason, e.g. `folder name "a\nb" has a control character (U+000A)`. Import and
 * preview both go through this, so they agree on what is labelled.
 */
export function usableGuess(source: LabelSource, guess: LabelGuess): { guess: LabelGuess; problem?: string } {
  if (guess.label === undefined) return { guess };
  const label = normaliseClassName(guess.label);
  const problem = classNameProblem(label);
  if (problem === null) return { guess: { ...guess, label } };
  const { label: _unusable, ...rest } = guess;
  const subject = `${LABEL_ORIGIN[source.kind]} ${quoteCell(label)}`;
  return { guess: { ...rest, matched: false }, problem: `${subject} ${problem}` };
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
    throw new AppError(
      'INVALID_INPUT',
      `Invalid file-name pattern ${JSON.stringify(source.pattern)}: ${(error as Error).message}`,
    );
  }
  // Count capture groups by matching the pattern's alternation with the empty string.
  const groups = new RegExp(`${source.pattern}|`, source.flags ?? '').exec('')!.length - 1;
  if (groups < 1) {
    throw new AppError(
      'INVALID_INPUT',
      `File-name pattern ${JSON.stringify(source.pattern)} needs a capture group (or a group named "label") for the class`,
    );
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

/** Label files are text tables; their size is far below this, and reading anything larger is refused. */
export const MAX_LABEL_FILE_BYTES = 64 * 1024 * 1024;
const LABEL_FILE_EXTENSIONS = ['.csv', '.tsv', '.tab', '.txt'];

function hasLabelFileExtension(file: string): boolean {
  return LABEL_FILE_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

function describeKind(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}

/**
 * Reads a label file after checking that it plausibly is one: a regular file named
 * .csv/.tsv/.tab/.txt, at most 64 MiB, text (see decodeLabelFile). In web mode the
 * caller names any path it likes, and without these checks /etc/shadow read as a
 * "CSV" had its rows echoed back in problems and samples.
 *
 * Symbolic links are followed, as the scan follows them: datasets and their label
 * files are often linked into place. But the checks apply to what the link points
 * at, and its real name must have a label-file extension too, so `labels.csv` linked
 * to /etc/shadow is refused like /etc/shadow itself.
 */
async function readLabelFile(file: string): Promise<string> {
  let info: Stats;
  let real: string;
  try {
    info = await stat(file);
    real = await realpath(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('NOT_FOUND', `Label file ${file} does not exist`);
    throw new AppError('INVALID_INPUT', `Cannot read label file ${file}: ${describeFsError(error)}`);
  }
  const refuse = (why: string): never => {
    throw new AppError('INVALID_INPUT', `Label file ${file} ${why}`);
  };
  // Checked before opening: opening a device can have effects of its own.
  if (!info.isFile()) refuse(`is not a regular file (it is ${describeKind(info)})`);
  const expected = `a ${LABEL_FILE_EXTENSIONS.slice(0, -1).join(', ')} or ${LABEL_FILE_EXTENSIONS.at(-1)!} file`;
  if (!hasLabelFileExtension(file)) refuse(`is not ${expected}`);
  if (!hasLabelFileExtension(real)) refuse(`is a link to ${real}, which is not ${expected}`);
  const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const tooLarge = (bytes: number) =>
    refuse(`is ${mib(bytes)}; label files over ${mib(MAX_LABEL_FILE_BYTES)} are refused`);
  if (info.size > MAX_LABEL_FILE_BYTES) tooLarge(info.size);
  let bytes: Buffer;
  let handle: FileHandle;
  try {
    // O_NONBLOCK, and the type checked again on the open file: the path may have been
    // swapped for a FIFO since the stat, and opening a FIFO would wait for a writer.
    handle = await open(file, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw new AppError('INVALID_INPUT', `Cannot read label file ${file}: ${describeFsError(error)}`);
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) refuse(`is not a regular file (it is ${describeKind(opened)})`);
    bytes = await readAtMost(handle, MAX_LABEL_FILE_BYTES + 1);
  } finally {
    await handle.close();
  }
  if (bytes.length > MAX_LABEL_FILE_BYTES) tooLarge(bytes.length);
  return decodeLabelFile(bytes, file).text;
}

/** Up to `limit` bytes from the start of the file; a file that grows while read is cut there. */
async function readAtMost(handle: FileHandle, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < limit) {
    const chunk = Buffer.alloc(Math.min(1 << 20, limit - total));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, total);
    if (bytesRead === 0) break;
    chunks.push(bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead));
    total += bytesRead;
  }
  return Buffer.concat(chunks, total);
}

/**
 * A file's key for matching CSV rows to scanned files: its absolute path in NFC. macOS
 * writes file names in NFD while CSVs are mostly NFC; two names on disk that differ
 * only in normalisation (possible on Linux) would share a row, which is the lesser harm.
 */
function pathKey(absolute: string): string {
  return path.resolve(absolute).normalize('NFC');
}

async function csvResolver(source: Extract<LabelSource, { kind: 'csv' }>): Promise<LabelResolver> {
  const csvPath = path.resolve(source.file);
  const text = await readLabelFile(csvPath);
  const csv = readLabelCsv(text, { tsv: /\.(tsv|tab)$/i.test(csvPath) });
  const base = path.dirname(csvPath);
  const byPath = new Map<string, { label: string; split?: Split; line: number; used: boolean }>();
  const problems = [...csv.problems];
  for (const row of csv.rows) {
    // Backslashes: CSVs written on Windows; a literal backslash in a file name is rarer.
    const key = pathKey(path.resolve(base, row.path.replace(/\\/g, '/')));
    const earlier = byPath.get(key);
    if (earlier) {
      problems.push({
        line: row.line,
        reason: `${quoteCell(row.path)} is listed again (also on line ${earlier.line}); this row wins`,
      });
    }
    byPath.set(key, { label: row.label, ...(row.split ? { split: row.split } : {}), line: row.line, used: false });
  }
  problems.sort((a, b) => a.line - b.line);
  return {
    source,
    problems,
    resolve(file) {
      const row = byPath.get(pathKey(file.absPath));
      if (!row) return { matched: false };
      row.used = true;
      const guess: LabelGuess = { matched: row.label !== '' };
      if (row.label !== '') guess.label = row.label;
      if (row.split) guess.split = row.split;
      return guess;
    },
    unusedRows() {
      return [...byPath.entries()]
        .filter(([, row]) => !row.used)
        .map(([file, row]) => ({ path: file, line: row.line }));
    },
  };
}

/** Validates a label source received from outside (API, CLI). */
export function parseLabelSource(value: unknown): LabelSource {
  const v = value as Partial<Record<string, unknown>> | null;
  if (v && v.kind === 'folders') return { kind: 'folders' };
  if (v && v.kind === 'none') return { kind: 'none' };
  if (v && v.kind === 'filename' && typeof v.pattern === 'string') {
    return typeof v.flags === 'string'
      ? { kind: 'filename', pattern: v.pattern, flags: v.flags }
      : { kind: 'filename', pattern: v.pattern };
  }
  if (v && v.kind === 'csv' && typeof v.file === 'string') return { kind: 'csv', file: v.file };
  throw new AppError('INVALID_INPUT', `Invalid label source ${JSON.stringify(value)}`);
}
