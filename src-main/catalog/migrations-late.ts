/**
 * Migrations 14 and up.
 *
 * 14: folder group keys name the root as well as the folder inside it.
 * "Keep each folder whole" keyed an image by the folder inside its root alone, so images
 * at the top of a root (every wall's crops: one root per wall) were groups of one, and
 * two roots with a folder of the same name were one group. A project whose rule keeps
 * folders whole has its stored keys rewritten as `<root id>:<folder inside it>`, as
 * group-keys.ts now computes them. The folder is the path up to its last '/': rtrim by
 * the path's own characters other than '/' strips the file name. A folder inside a root
 * keeps its members (a root's prefix can only part groups that were one), but the images
 * at the top of a root become one group: where they already sit in several splits they
 * stay groups of one, or the next split would pull them all after one locked image. A
 * rule that is not valid JSON reads as no rule (as MetaRepo reads it), not as an error.
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
  WITH straddling (root_id) AS (
    SELECT i.root_id FROM images i JOIN splits s ON s.image_id = i.id
    WHERE instr(i.rel_path, '/') = 0
    GROUP BY i.root_id HAVING COUNT(DISTINCT s.split) > 1
  )
  UPDATE images
  SET group_key = root_id || ':' || rtrim(rtrim(replace(rel_path, '\\', '/'), replace(replace(rel_path, '\\', '/'), '/', '')), '/')
  WHERE (SELECT CASE WHEN json_valid(value) THEN json_extract(value, '$.group.kind') END
         FROM project_meta WHERE key = 'split.rule') = 'folder'
    AND (instr(rel_path, '/') > 0 OR root_id NOT IN (SELECT root_id FROM straddling));
`;

const SOURCES_IN_PATH_ORDER = `
  CREATE INDEX images_human_path ON images (root_id, rel_path) WHERE grid_source = 'human';
  CREATE INDEX images_model_path ON images (root_id, rel_path) WHERE grid_source = 'model';
  CREATE INDEX images_human_order ON images (grid_source) WHERE grid_source = 'human';
  CREATE INDEX images_model_order ON images (grid_source) WHERE grid_source = 'model';
`;

export const LATE_MIGRATIONS: readonly Migration[] = [
  { version: 14, name: 'folder group keys name their root', up: FOLDER_KEYS, keysUntouched: true },
  {
    version: 15,
    name: 'hand and model labels in path and import order',
    up: SOURCES_IN_PATH_ORDER,
    keysUntouched: true,
  },
];
