/**
 * Migrations 14 and up.
 *
 * 14: folder group keys name the root as well as the folder inside it.
 * "Keep each folder whole" keyed an image by the folder inside its root alone, so images
 * at the top of a root (every wall's crops: one root per wall) were groups of one, and
 * two roots with a folder of the same name were one group. A project whose rule keeps
 * folders whole has its stored keys rewritten as `<root id>:<folder inside it>`, as
 * group-keys.ts now computes them. The folder is the path up to its last '/': rtrim by
 * the path's own characters other than '/' strips the file name.
 *
 * 15: the images labelled by hand and by a model, each in path order and in import order
 * (an index on the constant source column lists its rows by rowid). They are few (1 % of
 * a million-image catalog by a model), so a page of them by path read and sorted all of
 * them (22 ms at 1M); a partial index in the page's order reads its 200 rows.
 *
 * Frozen once shipped, like every migration.
 */
import type { Migration } from './migrations.js';

const FOLDER_KEYS = `
  UPDATE images
  SET group_key = root_id || ':' || rtrim(rtrim(replace(rel_path, '\\', '/'), replace(replace(rel_path, '\\', '/'), '/', '')), '/')
  WHERE (SELECT json_extract(value, '$.group.kind') FROM project_meta WHERE key = 'split.rule') = 'folder';
`;

const SOURCES_IN_PATH_ORDER = `
  CREATE INDEX images_human_path ON images (root_id, rel_path) WHERE grid_source = 'human';
  CREATE INDEX images_model_path ON images (root_id, rel_path) WHERE grid_source = 'model';
  CREATE INDEX images_human_order ON images (grid_source) WHERE grid_source = 'human';
  CREATE INDEX images_model_order ON images (grid_source) WHERE grid_source = 'model';
`;

export const LATE_MIGRATIONS: readonly Migration[] = [
  { version: 14, name: 'folder group keys name their root', up: FOLDER_KEYS },
  { version: 15, name: 'hand and model labels in path and import order', up: SOURCES_IN_PATH_ORDER },
];
