/**
 * The file-system calls import makes, gathered so tests can inject failures that
 * cannot be produced for real (tests run as root, for whom chmod 000 changes nothing).
 */
import type { Dirent, Stats } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';

export interface ImportIo {
  readdir(dir: string): Promise<Dirent[]>;
  /** Follows symbolic links. */
  stat(file: string): Promise<Stats>;
  realpath(file: string): Promise<string>;
  readFile(file: string): Promise<Buffer>;
}

export const nodeIo: ImportIo = {
  readdir: (dir) => readdir(dir, { withFileTypes: true }),
  stat: (file) => stat(file),
  realpath: (file) => realpath(file),
  readFile: (file) => readFile(file),
};

/** "permission denied (EACCES)" style text for an fs error. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'ENOENT'
        ? 'not found'
        : code === 'ELOOP'
          ? 'too many levels of symbolic links'
          : error instanceof Error
            ? error.message
            : String(error);
  return code ? `${reason} (${code})` : reason;
}
