/**
 * A project is a folder: the catalog (`seshat.sqlite`), cached thumbnails, decoded
 * pixel and embedding caches, and trained models. Images stay where they are.
 */
import { mkdirSync, statSync, accessSync, constants } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { AppError } from '../../src-shared/errors.js';
import type { ProjectSummary } from '../../src-shared/api/types.js';

export interface ProjectPaths {
  dir: string;
  name: string;
  catalogFile: string;
  thumbnailsDir: string;
  cacheDir: string;
  modelsDir: string;
}

export const CATALOG_FILE_NAME = 'seshat.sqlite';

export function projectPaths(dir: string): ProjectPaths {
  const absolute = resolve(dir);
  return {
    dir: absolute,
    name: basename(absolute),
    catalogFile: join(absolute, CATALOG_FILE_NAME),
    thumbnailsDir: join(absolute, 'thumbnails'),
    cacheDir: join(absolute, 'cache'),
    modelsDir: join(absolute, 'models'),
  };
}

/**
 * Checks (and with `create`, makes) a project folder and its sub-folders.
 * Throws PROJECT_INVALID naming the folder when it cannot be used.
 */
export function prepareProjectFolder(dir: string, options: { create: boolean }): ProjectPaths {
  const paths = projectPaths(dir);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(paths.dir).isDirectory();
    if (!isDirectory) throw new AppError('PROJECT_INVALID', `${paths.dir} is a file, not a folder`);
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (!options.create) throw new AppError('PROJECT_INVALID', `Project folder ${paths.dir} does not exist`);
  }
  try {
    for (const folder of [paths.dir, paths.thumbnailsDir, paths.cacheDir, paths.modelsDir]) {
      mkdirSync(folder, { recursive: true });
    }
    accessSync(paths.dir, constants.W_OK);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('PROJECT_INVALID', `Cannot use ${paths.dir} as a project folder: ${reason}`);
  }
  return paths;
}

export function summarize(paths: ProjectPaths, id: string): ProjectSummary {
  return { id, dir: paths.dir, name: paths.name, catalogFile: paths.catalogFile };
}
