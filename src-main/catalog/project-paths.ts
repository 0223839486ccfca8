/** Paths as the catalog stores them: folder names, and paths relative to the project folder. */
import path from 'node:path';

/** The last segment of a folder path, whichever separator it was written with. */
export function folderName(folder: string): string {
  return (
    folder
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? ''
  );
}

/** A path inside the project folder as a relative path with `/`; anything else unchanged. */
export function toProjectRelative(projectDir: string, file: string): string {
  if (!path.isAbsolute(file)) return file;
  const relative = path.relative(projectDir, file);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return file;
  return relative.split(path.sep).join('/');
}

/** The absolute path of a stored (possibly project-relative) path. */
export function fromProjectRelative(projectDir: string | null, stored: string): string {
  if (path.isAbsolute(stored) || projectDir === null) return stored;
  return path.join(projectDir, ...stored.split('/'));
}
