/**
 * Migrations 10–13: what keeps the Library grid fast at a million images.
 *
 * - 10: each image's label and split copied onto its row (`grid_class_id`,
 *   `grid_source`, `grid_split`) with indexes over them, so every class / unlabeled /
 *   split / label-source filter, alone or combined, is one index range of `images`;
 *   and the number of images in each (class, split, source) cell, overall
 *   (`grid_counts`) and among each run's predictions (`run_counts`), so the sidebar's
 *   counts and the grid's totals read a few thousand rows at any catalog size.
 * - 11: `image_paths`, a trigram full-text index of each image's searchable path
 *   (`<folder name>/<path inside it>`), so path search reads its matches instead of
 *   every path.
 *
 * All of it is kept by triggers rather than by code in the writers: every writer
 * (labelling, undo and redo, merge, delete class, import and its undo, splitting,
 * rescan moves, wall crops, predictions, foreign-key cascades) goes through the
 * labels, splits, images and predictions tables, so none can forget it.
 *
 * Like every migration, these texts are frozen once shipped: change the schema with a
 * new migration, never by editing these.
 */
import type { Migration } from './migrations.js';

/** A cell: class 0, split '' and source '' stand for "none". */
type Cell = [cls: string, split: string, source: string];
const cellOf = (row: string): Cell => [`${row}.grid_class_id`, `${row}.grid_split`, `${row}.grid_source`];

function addOne([cls, split, source]: Cell): string {
  return `INSERT INTO grid_counts (class_id, split, source, n) VALUES (${cls}, ${split}, ${source}, 1)
      ON CONFLICT (class_id, split, source) DO UPDATE SET n = n + 1;`;
}

/** A cell's last image deletes the cell, so the table holds exactly what a GROUP BY recount would. */
function removeOne([cls, split, source]: Cell): string {
  const cell = `class_id = ${cls} AND split = ${split} AND source = ${source}`;
  return `DELETE FROM grid_counts WHERE ${cell} AND n = 1;
    UPDATE grid_counts SET n = n - 1 WHERE ${cell};`;
}

/** The same for the cell among the predictions of every run that predicted image `image`. */
const runsOf = (image: string) => `(SELECT run_id FROM predictions WHERE image_id = ${image})`;
function addOneToRuns(image: string, [cls, split, source]: Cell): string {
  return `INSERT INTO run_counts (run_id, class_id, split, source, n)
      SELECT run_id, ${cls}, ${split}, ${source}, 1 FROM predictions WHERE image_id = ${image}
      ON CONFLICT (run_id, class_id, split, source) DO UPDATE SET n = n + 1;`;
}
function removeOneFromRuns(image: string, [cls, split, source]: Cell): string {
  const cell = `run_id IN ${runsOf(image)} AND class_id = ${cls} AND split = ${split} AND source = ${source}`;
  return `DELETE FROM run_counts WHERE ${cell} AND n = 1;
    UPDATE run_counts SET n = n - 1 WHERE ${cell};`;
}

/** The cell of one run's prediction of an image, by the image's current row. */
const cellOfImage = (image: string): Cell =>
  (['grid_class_id', 'grid_split', 'grid_source'] as const).map(
    (column) => `(SELECT ${column} FROM images WHERE id = ${image})`,
  ) as Cell;
function runCell(run: string, image: string): string {
  const [cls, split, source] = cellOfImage(image);
  return `run_id = ${run} AND class_id = ${cls} AND split = ${split} AND source = ${source}`;
}

/** The image row is rewritten (and its indexes touched) only when its copy actually changes. */
function copyLabel(cls: string, source: string, image: string): string {
  return `UPDATE images SET grid_class_id = ${cls}, grid_source = ${source}
      WHERE id = ${image} AND (grid_class_id IS NOT ${cls} OR grid_source IS NOT ${source});`;
}
function copySplit(split: string, image: string): string {
  return `UPDATE images SET grid_split = ${split} WHERE id = ${image} AND grid_split IS NOT ${split};`;
}

const GRID_CELLS = `
  -- Copies of labels.class_id / labels.source / splits.split, kept by the triggers below.
  ALTER TABLE images ADD COLUMN grid_class_id INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE images ADD COLUMN grid_source TEXT NOT NULL DEFAULT '';
  ALTER TABLE images ADD COLUMN grid_split TEXT NOT NULL DEFAULT '';
  UPDATE images SET grid_class_id = l.class_id, grid_source = l.source FROM labels l WHERE l.image_id = images.id;
  UPDATE images SET grid_split = s.split FROM splits s WHERE s.image_id = images.id;
  -- Every combination of class (0: unlabeled), split and source is a prefix of one of
  -- these. Most labels come from import: the two other sources get partial indexes (a
  -- query names its source as a literal, which is how SQLite matches a partial index).
  CREATE INDEX images_grid_class ON images (grid_class_id, grid_split, grid_source);
  CREATE INDEX images_grid_split ON images (grid_split, grid_source);
  CREATE INDEX images_grid_human ON images (grid_class_id) WHERE grid_source = 'human';
  CREATE INDEX images_grid_model ON images (grid_class_id) WHERE grid_source = 'model';

  CREATE TRIGGER images_grid_label_added AFTER INSERT ON labels BEGIN
    ${copyLabel('NEW.class_id', 'NEW.source', 'NEW.image_id')}
  END;
  CREATE TRIGGER images_grid_label_changed AFTER UPDATE OF class_id, source ON labels BEGIN
    ${copyLabel('NEW.class_id', 'NEW.source', 'NEW.image_id')}
  END;
  CREATE TRIGGER images_grid_label_removed AFTER DELETE ON labels BEGIN
    ${copyLabel('0', "''", 'OLD.image_id')}
  END;
  CREATE TRIGGER images_grid_split_added AFTER INSERT ON splits BEGIN
    ${copySplit('NEW.split', 'NEW.image_id')}
  END;
  CREATE TRIGGER images_grid_split_changed AFTER UPDATE OF split ON splits BEGIN
    ${copySplit('NEW.split', 'NEW.image_id')}
  END;
  CREATE TRIGGER images_grid_split_removed AFTER DELETE ON splits BEGIN
    ${copySplit("''", 'OLD.image_id')}
  END;

  CREATE TABLE grid_counts (
    class_id INTEGER NOT NULL,
    split TEXT NOT NULL,
    source TEXT NOT NULL,
    n INTEGER NOT NULL CHECK (n > 0),
    PRIMARY KEY (class_id, split, source)
  ) WITHOUT ROWID;
  INSERT INTO grid_counts (class_id, split, source, n)
    SELECT grid_class_id, grid_split, grid_source, COUNT(*) FROM images GROUP BY 1, 2, 3;

  CREATE TABLE run_counts (
    run_id INTEGER NOT NULL,
    class_id INTEGER NOT NULL,
    split TEXT NOT NULL,
    source TEXT NOT NULL,
    n INTEGER NOT NULL CHECK (n > 0),
    PRIMARY KEY (run_id, class_id, split, source)
  ) WITHOUT ROWID;
  INSERT INTO run_counts (run_id, class_id, split, source, n)
    SELECT p.run_id, i.grid_class_id, i.grid_split, i.grid_source, COUNT(*)
    FROM predictions p JOIN images i ON i.id = p.image_id GROUP BY 1, 2, 3, 4;
  -- The runs that predicted an image, for moving it between cells of each.
  CREATE INDEX predictions_image ON predictions (image_id);

  CREATE TRIGGER grid_counts_image_added AFTER INSERT ON images BEGIN
    ${addOne(cellOf('NEW'))}
  END;
  CREATE TRIGGER grid_counts_image_changed AFTER UPDATE OF grid_class_id, grid_split, grid_source ON images
    WHEN OLD.grid_class_id IS NOT NEW.grid_class_id OR OLD.grid_split IS NOT NEW.grid_split
      OR OLD.grid_source IS NOT NEW.grid_source BEGIN
    ${removeOne(cellOf('OLD'))}
    ${addOne(cellOf('NEW'))}
    ${removeOneFromRuns('NEW.id', cellOf('OLD'))}
    ${addOneToRuns('NEW.id', cellOf('NEW'))}
  END;
  -- BEFORE: the foreign-key cascade deletes the image's predictions before AFTER triggers run.
  CREATE TRIGGER grid_counts_image_removed BEFORE DELETE ON images BEGIN
    ${removeOne(cellOf('OLD'))}
    ${removeOneFromRuns('OLD.id', cellOf('OLD'))}
  END;

  -- BEFORE, and only for a new (run, image): INSERT OR REPLACE of an existing prediction
  -- deletes the old row without firing DELETE triggers, and the image's cell is unchanged.
  CREATE TRIGGER run_counts_prediction_added BEFORE INSERT ON predictions
    WHEN NOT EXISTS (SELECT 1 FROM predictions WHERE run_id = NEW.run_id AND image_id = NEW.image_id)
      AND EXISTS (SELECT 1 FROM images WHERE id = NEW.image_id) BEGIN
    INSERT INTO run_counts (run_id, class_id, split, source, n)
      SELECT NEW.run_id, grid_class_id, grid_split, grid_source, 1 FROM images WHERE id = NEW.image_id
      ON CONFLICT (run_id, class_id, split, source) DO UPDATE SET n = n + 1;
  END;
  -- A prediction deleted with its image or its run was counted out by their BEFORE DELETE triggers.
  CREATE TRIGGER run_counts_prediction_removed AFTER DELETE ON predictions
    WHEN EXISTS (SELECT 1 FROM images WHERE id = OLD.image_id) AND EXISTS (SELECT 1 FROM runs WHERE id = OLD.run_id) BEGIN
    DELETE FROM run_counts WHERE ${runCell('OLD.run_id', 'OLD.image_id')} AND n = 1;
    UPDATE run_counts SET n = n - 1 WHERE ${runCell('OLD.run_id', 'OLD.image_id')};
  END;
  CREATE TRIGGER run_counts_run_removed BEFORE DELETE ON runs BEGIN
    DELETE FROM run_counts WHERE run_id = OLD.id;
  END;
`;

/** What path search matches: the imported folder's own name, '/', the path inside it. */
const searchPath = (root: string, relPath: string) =>
  `(SELECT name FROM roots WHERE id = ${root}) || '/' || ${relPath}`;

/**
 * Contentless (the paths are in `images` already) with contentless_delete, so a row can
 * be removed by rowid (SQLite ≥ 3.43). The trigram tokenizer folds case (all of
 * Unicode), and a quoted phrase of three or more characters matches as a substring.
 */
const IMAGE_PATHS = `
  CREATE VIRTUAL TABLE image_paths USING fts5(path, tokenize = 'trigram', content = '', contentless_delete = 1);
  INSERT INTO image_paths (rowid, path)
    SELECT i.id, r.name || '/' || i.rel_path FROM images i JOIN roots r ON r.id = i.root_id;
  -- One b-tree segment instead of one per flush: about a quarter smaller, and faster to read.
  INSERT INTO image_paths (image_paths) VALUES ('optimize');

  CREATE TRIGGER image_paths_added AFTER INSERT ON images BEGIN
    INSERT INTO image_paths (rowid, path) VALUES (NEW.id, ${searchPath('NEW.root_id', 'NEW.rel_path')});
  END;
  CREATE TRIGGER image_paths_removed AFTER DELETE ON images BEGIN
    DELETE FROM image_paths WHERE rowid = OLD.id;
  END;
  CREATE TRIGGER image_paths_moved AFTER UPDATE OF root_id, rel_path ON images
    WHEN OLD.root_id IS NOT NEW.root_id OR OLD.rel_path IS NOT NEW.rel_path BEGIN
    DELETE FROM image_paths WHERE rowid = OLD.id;
    INSERT INTO image_paths (rowid, path) VALUES (NEW.id, ${searchPath('NEW.root_id', 'NEW.rel_path')});
  END;
  CREATE TRIGGER image_paths_root_renamed AFTER UPDATE OF name ON roots WHEN OLD.name IS NOT NEW.name BEGIN
    DELETE FROM image_paths WHERE rowid IN (SELECT id FROM images WHERE root_id = NEW.id);
    INSERT INTO image_paths (rowid, path) SELECT id, NEW.name || '/' || rel_path FROM images WHERE root_id = NEW.id;
  END;
`;

/**
 * Version 12. FTS5 flushes its pending rows to a new segment at every statement
 * savepoint, and an AFTER INSERT trigger gives every imported image's INSERT one: so
 * each image became its own segment, merged again and again, and an import slowed as
 * the catalog grew (20k images in 1.6 s, 80k in 9.5 s; a 1M build stalled past 310k).
 * New images' paths are now added in bulk, one statement per imported batch
 * (ImageRepo.insertBatch), which FTS5 flushes once.
 */
const IMAGE_PATHS_IN_BULK = `
  DROP TRIGGER image_paths_added;
`;

/**
 * Version 13. The confidence sort under a class or unlabeled filter and a split (the
 * review of a split's unsure images) visited ~10k rows at 1M images whichever table it
 * started from: the predictions in confidence order, probing each image's cell, or the
 * cell's images, probing each one's prediction and sorting. Each prediction now carries
 * a copy of its image's cell, and three indexes list a cell's predictions (by class and
 * split, by split, by label source) in confidence order, so such a page reads its 200
 * rows and few more. The copies are kept by
 * triggers, like the images' own (a prediction takes its image's cell when written; an
 * image's new cell reaches each of its predictions).
 */
const PREDICTION_CELLS = `
  ALTER TABLE predictions ADD COLUMN grid_class_id INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE predictions ADD COLUMN grid_split TEXT NOT NULL DEFAULT '';
  ALTER TABLE predictions ADD COLUMN grid_source TEXT NOT NULL DEFAULT '';
  UPDATE predictions SET grid_class_id = i.grid_class_id, grid_split = i.grid_split, grid_source = i.grid_source
    FROM images i WHERE i.id = predictions.image_id;
  CREATE INDEX predictions_cell_class ON predictions (run_id, grid_class_id, grid_split, confidence);
  CREATE INDEX predictions_cell_split ON predictions (run_id, grid_split, confidence);
  CREATE INDEX predictions_cell_source ON predictions (run_id, grid_source, confidence);

  CREATE TRIGGER predictions_cell_written AFTER INSERT ON predictions BEGIN
    UPDATE predictions SET grid_class_id = i.grid_class_id, grid_split = i.grid_split, grid_source = i.grid_source
      FROM images i
      WHERE i.id = NEW.image_id AND predictions.run_id = NEW.run_id AND predictions.image_id = NEW.image_id;
  END;
  CREATE TRIGGER predictions_cell_moved AFTER UPDATE OF grid_class_id, grid_split, grid_source ON images
    WHEN OLD.grid_class_id IS NOT NEW.grid_class_id OR OLD.grid_split IS NOT NEW.grid_split
      OR OLD.grid_source IS NOT NEW.grid_source BEGIN
    UPDATE predictions SET grid_class_id = NEW.grid_class_id, grid_split = NEW.grid_split, grid_source = NEW.grid_source
      WHERE image_id = NEW.id;
  END;
`;

export const GRID_MIGRATIONS: readonly Migration[] = [
  { version: 10, name: 'label and split on each image row, image counts per cell and per run', up: GRID_CELLS },
  { version: 11, name: 'trigram index of image paths for path search', up: IMAGE_PATHS },
  { version: 12, name: 'image paths indexed per imported batch, not per image', up: IMAGE_PATHS_IN_BULK },
  { version: 13, name: "each prediction carries its image's cell, indexed by confidence", up: PREDICTION_CELLS },
];
