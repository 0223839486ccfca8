/**
 * Recursive folder scan: every image file under a root with its size and mtime.
 *
 * - Symbolic links are followed (people link dataset folders together), and the
 *   real path of every folder entered is remembered, so a link back up the tree
 *   (a loop) is entered once, never forever.
 * - Hidden entries (dot names, including macOS `._x.jpg` resource forks) and OS
 *   litter (Thumbs.db, desktop.ini, $RECYCLE.BIN, __MACOSX…) are skipped.
 * - A folder or file that cannot be read is reported, and the scan goes on.
 */
import path from 'node:path';
import { AppError, throwIfAborted } from '../../src-shared/errors.js';
import { hasImageExtension } from '../images/formats.js';
import { describeFsError, nodeIo, type ImportIo } from './io.js';
import type { ScanProblem } from '../../src-shared/api/wire-import.js';
export type { ScanProblem } from '../../src-shared/api/wire-import.js';

export interface ScannedFile {
  absPath: string;
  /** Relative to the root, `/`-separated. */
  relPath: string;
  size: number;
  mtimeMs: number;
}

export interface ScanResult {
  root: string;
  files: ScannedFile[];
  problems: ScanProblem[];
  /** Files passed over: not an image extension, hidden, or system files. */
  ignored: number;
  /** Relative folders that could not be read: rows under them must not be called missing. */
  unreadableDirs: string[];
}

export interface ScanOptions {
  signal?: AbortSignal;
  /** Called every few hundred files with the count so far. */
  onFound?: (count: number) => void;
  /** Real paths of folders never to enter (e.g. the project's thumbnails folder). */
  exclude?: string[];
  io?: ImportIo;
}

const SYSTEM_NAMES = new Set([
  'thumbs.db',
  'ehthumbs.db',
  'desktop.ini',
  '$recycle.bin',
  'system volume information',
  '__macosx',
  'lost+found',
]);

export function isHiddenOrSystem(name: string): boolean {
  return name.startsWith('.') || SYSTEM_NAMES.has(name.toLowerCase());
}

/** Stats of files in one folder are requested this many at a time. */
const STAT_CHUNK = 64;

export async function scanFolder(root: string, options: ScanOptions = {}): Promise<ScanResult> {
  const io = options.io ?? nodeIo;
  const absoluteRoot = path.resolve(root);
  let rootReal: string;
  try {
    const info = await io.stat(absoluteRoot);
    if (!info.isDirectory()) throw new AppError('INVALID_INPUT', `${absoluteRoot} is not a folder`);
    rootReal = await io.realpath(absoluteRoot);
  } catch (error) {
    if (error instanceof AppError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('NOT_FOUND', `Folder ${absoluteRoot} does not exist`);
    throw new AppError('INVALID_INPUT', `Cannot read folder ${absoluteRoot}: ${describeFsError(error)}`);
  }
  const result: ScanResult = { root: absoluteRoot, files: [], problems: [], ignored: 0, unreadableDirs: [] };
  const visited = new Set<string>([rootReal, ...(options.exclude ?? [])]);
  const stack: string[] = [absoluteRoot];
  let reported = 0;
  while (stack.length > 0) {
    throwIfAborted(options.signal);
    const dir = stack.pop()!;
    let entries;
    try {
      entries = await io.readdir(dir);
    } catch (error) {
      result.problems.push({
        path: dir,
        code: 'FOLDER_UNREADABLE',
        reason: `folder cannot be read: ${describeFsError(error)}`,
      });
      result.unreadableDirs.push(toRel(absoluteRoot, dir));
      continue;
    }
    // Sorted so that imports are deterministic (ids follow path order within a folder).
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    const candidates: string[] = [];
    for (const entry of entries) {
      if (isHiddenOrSystem(entry.name)) {
        if (!entry.isDirectory()) result.ignored++;
        continue;
      }
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) subdirs.push(full);
      else if (entry.isSymbolicLink())
        candidates.push(full); // resolved below: file or folder
      else if (entry.isFile() && hasImageExtension(entry.name)) candidates.push(full);
      else result.ignored++;
    }
    for (let i = 0; i < candidates.length; i += STAT_CHUNK) {
      const chunk = candidates.slice(i, i + STAT_CHUNK);
      const stats = await Promise.allSettled(chunk.map((file) => io.stat(file)));
      stats.forEach((outcome, j) => {
        const file = chunk[j]!;
        if (outcome.status === 'rejected') {
          const code = (outcome.reason as NodeJS.ErrnoException).code;
          result.problems.push(
            code === 'ENOENT'
              ? { path: file, code: 'BROKEN_LINK', reason: 'symbolic link points to nothing' }
              : { path: file, code: 'FILE_UNREADABLE', reason: describeFsError(outcome.reason) },
          );
        } else if (outcome.value.isDirectory()) subdirs.push(file);
        else if (outcome.value.isFile() && hasImageExtension(file)) {
          result.files.push({
            absPath: file,
            relPath: toRel(absoluteRoot, file),
            size: outcome.value.size,
            mtimeMs: Math.trunc(outcome.value.mtimeMs),
          });
        } else result.ignored++;
      });
    }
    // Enter each folder once by real path: a symlink loop ends here.
    const toEnter: string[] = [];
    for (const sub of subdirs) {
      let real: string;
      try {
        real = await io.realpath(sub);
      } catch (error) {
        result.problems.push({
          path: sub,
          code: 'FOLDER_UNREADABLE',
          reason: `folder cannot be read: ${describeFsError(error)}`,
        });
        continue;
      }
      if (visited.has(real)) continue;
      visited.add(real);
      toEnter.push(sub);
    }
    // Reverse so the stack pops them in name order.
    for (let i = toEnter.length - 1; i >= 0; i--) stack.push(toEnter[i]!);
    if (options.onFound && result.files.length - reported >= 500) {
      reported = result.files.length;
      options.onFound(reported);
    }
  }
  options.onFound?.(result.files.length);
  return result;
}

/** `/`-separated path of `file` relative to `root`. */
export function toRel(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}
