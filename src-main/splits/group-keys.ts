/**
 * Group keys from an image's path inside the project folder: images with the
 * same key come from the same source (photograph, page, folder) and must
 * share a split. See group-aware.ts.
 */
import { AppError } from '../../src-shared/errors.js';
import type { GroupKeyMode } from '../../src-shared/api/wire-dataset.js';
export type { GroupKeyMode } from '../../src-shared/api/wire-dataset.js';

export interface GroupKeyPreset {
  id: string;
  label: string;
  description: string;
  mode: GroupKeyMode;
}

/**
 * The Unas crops (Franken's dataset) are named `PPNNNN_LABEL.png`: PP is the
 * picture in Piankoff's book, so `030001_D58.png` comes from picture 03.
 */
export const UNAS_PICTURE_PRESET: GroupKeyPreset = {
  id: 'unas-picture',
  label: 'Picture number (Unas crops)',
  description: 'First two digits of the file name, e.g. 030001_D58.png → 03',
  mode: { kind: 'regex', pattern: '^(\\d{2})', on: 'name' },
};

export const FOLDER_PRESET: GroupKeyPreset = {
  id: 'folder',
  label: 'Parent folder',
  description: 'Images in the same folder share a split',
  mode: { kind: 'folder' },
};

export const GROUP_KEY_PRESETS: readonly GroupKeyPreset[] = [FOLDER_PRESET, UNAS_PICTURE_PRESET];

/** Paths may come from Windows; group keys always use `/`. */
function splitPath(relPath: string): { folder: string; name: string } {
  const normalised = relPath
    .replace(/\\/g, '/')
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '');
  const slash = normalised.lastIndexOf('/');
  return slash < 0
    ? { folder: '', name: normalised }
    : { folder: normalised.slice(0, slash), name: normalised.slice(slash + 1) };
}

/** A folder key: the image's root and its folder inside it (`3:` is the top of root 3). */
export function folderKey(rootId: number, folder: string): string {
  return `${rootId}:${folder}`;
}

/** The root and folder a folder key names, or null for a key of another mode. */
export function parseFolderKey(key: string): { rootId: number; folder: string } | null {
  const match = /^(\d+):(.*)$/.exec(key);
  return match ? { rootId: Number(match[1]), folder: match[2]! } : null;
}

/**
 * Compiles a mode once into a function, so a project with thousands of images
 * does not build a RegExp per path. Throws INVALID_INPUT for a bad pattern.
 *
 * A folder is a folder on disk: the image's root and the folder inside it. Images at
 * the top of a root share that root's folder (a wall's crops are cut into a folder of
 * their own and imported as a root each; keyed by their path alone they were groups of
 * one, and "keep each folder whole" let every wall straddle splits).
 */
export function compileGroupKey(mode: GroupKeyMode): (relPath: string, rootId: number) => string | null {
  if (mode.kind === 'folder') return (relPath, rootId) => folderKey(rootId, splitPath(relPath).folder);
  let regex: RegExp;
  try {
    // No g or y flags: they make exec stateful across calls.
    regex = new RegExp(mode.pattern, (mode.flags ?? '').replace(/[gy]/g, ''));
  } catch (error) {
    throw new AppError('INVALID_INPUT', `Invalid group pattern ${JSON.stringify(mode.pattern)}`, { cause: error });
  }
  const onPath = mode.on === 'path';
  return (relPath) => {
    const parts = splitPath(relPath);
    const match = regex.exec(onPath ? `${parts.folder ? `${parts.folder}/` : ''}${parts.name}` : parts.name);
    if (!match) return null;
    const key = match.length > 1 ? match[1] : match[0];
    return key ? key : null;
  };
}

/** The group key of one path, or null when the path has none (the image is its own group). */
export function groupKeyFromPath(relPath: string, mode: GroupKeyMode, rootId = 1): string | null {
  return compileGroupKey(mode)(relPath, rootId);
}
