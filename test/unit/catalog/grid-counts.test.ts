/**
 * The grid's maintained counts (grid_counts) and path index (image_paths) are kept by
 * triggers: after every kind of write, in any order, they must equal a full recount
 * and a brute-force path search.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { Catalog, MIGRATIONS, migrate, type NewImage, type Split } from '../../../src-main/catalog/index.js';
import { applySplit, setImageSplit } from '../../../src-main/dataset/split-service.js';
import { mulberry32 } from '../../../src-main/splits/prng.js';
import { AppError } from '../../../src-shared/errors.js';
import { tempDir } from '../../helpers/images.js';

const SPLITS: Split[] = ['train', 'validation', 'test'];

function file(relPath: string, extra: Partial<NewImage> = {}): Omit<NewImage, 'rootId'> {
  return {
    relPath,
    hash: `h-${relPath}`,
    width: 4,
    height: 4,
    channels: 3,
    format: 'png',
    bytes: 1,
    mtimeMs: 1,
    ...extra,
  };
}

/** An import as the import engine makes one: a report, its operation, rows that remember it. */
function simulateImport(
  catalog: Catalog,
  folder: string,
  files: Array<Omit<NewImage, 'rootId'>>,
  relabel: Array<{ imageId: number; className: string }> = [],
): number {
  const reportId = catalog.reports.create('import', [folder], {});
  const op = catalog.imports.begin(reportId, `Import ${folder}`);
  catalog.transaction(() => {
    const root = catalog.images.ensureRoot(folder, op);
    catalog.images.insertBatchInTransaction(
      files.map((f) => ({ ...f, rootId: root.id })),
      { operationId: op },
    );
    for (const { imageId, className } of relabel)
      catalog.labels.change(op, imageId, catalog.classes.ensure(className, op), 'import', Date.now());
  });
  catalog.reports.finish(reportId, 'done', {});
  return reportId;
}

/** Every image's searchable text (`<folder name>/<path>`) by id. */
function searchTexts(catalog: Catalog): Map<number, string> {
  const names = new Map(catalog.images.listRoots().map((root) => [root.id, path.basename(root.path)]));
  const texts = new Map<number, string>();
  let after: string | null = null;
  do {
    const page = catalog.grid.page({}, { limit: 1000, after });
    for (const item of page.items) texts.set(item.id, `${names.get(item.rootId)}/${item.relPath}`);
    after = page.nextCursor;
  } while (after);
  return texts;
}

/** Path search ignores ASCII case only, as LIKE does. */
const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

function assertSearchMatches(catalog: Catalog, query: string, where: string): void {
  const want = [...searchTexts(catalog)]
    .filter(([, text]) => asciiLower(text).includes(asciiLower(query)))
    .map(([id]) => id)
    .sort((a, b) => a - b);
  const page = catalog.grid.page({ pathContains: query }, { limit: 1000 });
  const got = page.items.map((item) => item.id).sort((a, b) => a - b);
  assert.deepEqual(got, want, `search ${JSON.stringify(query)} ${where}`);
  assert.equal(page.total, want.length, `search total ${JSON.stringify(query)} ${where}`);
}

function assertCountsExact(catalog: Catalog, where: string): void {
  assert.deepEqual(catalog.grid.counts.stored(), catalog.grid.counts.recount(), `counts ${where}`);
  assert.deepEqual(catalog.grid.counts.storedByRun(), catalog.grid.counts.recountByRun(), `run counts ${where}`);
  assert.equal(catalog.grid.counts.stalePredictionCells(), 0, `predictions' copies of their image's cell ${where}`);
}

test('maintained counts and the path index stay exact through a random sequence of every kind of write', () => {
  for (const seed of [1, 2, 3]) {
    const random = mulberry32(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const catalog = Catalog.open(':memory:');
    const reports: number[] = [];
    reports.push(
      simulateImport(
        catalog,
        '/data/Wall-1',
        Array.from({ length: 40 }, (_, i) =>
          file(`row-${i % 4}/Sign_${i}.png`, {
            label: i % 5 === 0 ? undefined : `G${i % 6}`,
            split: i % 3 === 0 ? undefined : SPLITS[i % 3],
          }),
        ),
      ),
    );
    let batch = 0;
    const ops: Record<string, () => void> = {
      label: () => {
        const ids = [...searchTexts(catalog).keys()];
        const live = catalog.classes.list();
        const classId = random() < 0.2 || live.length === 0 ? null : pick(live).id;
        const targets = Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(ids));
        catalog.labels.setLabels(
          [...new Set(targets)].map((imageId) => ({ imageId, classId })),
          { source: random() < 0.8 ? 'human' : 'model' },
        );
      },
      undo: () => void catalog.labels.undo(),
      redo: () => void catalog.labels.redo(),
      merge: () => {
        const live = catalog.classes.list();
        if (live.length < 2) return;
        const from = pick(live);
        const to = pick(live.filter((c) => c.id !== from.id));
        catalog.labels.mergeClasses(from.id, to.id);
      },
      deleteClass: () => {
        const live = catalog.classes.list();
        if (live.length > 1) catalog.labels.deleteClass(pick(live).id);
      },
      createClass: () => void catalog.classes.create({ name: `N${batch++}` }),
      import: () => {
        const ids = [...searchTexts(catalog).keys()];
        const n = 2 + Math.floor(random() * 6);
        const folder = `/data/Batch-${batch++}`;
        const files = Array.from({ length: n }, (_, i) =>
          file(`${pick(['a', 'b', 'Éa'])}/img_${i}.png`, {
            label: random() < 0.7 ? pick(['G1', 'G2', `New${batch}`]) : undefined,
            split: random() < 0.5 ? pick(SPLITS) : undefined,
            splitLocked: random() < 0.2,
          }),
        );
        const relabel = random() < 0.5 && ids.length > 0 ? [{ imageId: pick(ids), className: pick(['G3', 'X9']) }] : [];
        reports.push(simulateImport(catalog, folder, files, relabel));
      },
      undoImport: () => {
        const open = reports.filter((id) => catalog.imports.record(id)?.undoneAt === null);
        if (open.length > 0) catalog.imports.undo(pick(open));
      },
      split: () => void applySplit(catalog, { seed: Math.floor(random() * 1000) }),
      pin: () => {
        const ids = [...searchTexts(catalog).keys()];
        setImageSplit(catalog, [pick(ids), pick(ids)], random() < 0.3 ? null : pick(SPLITS));
      },
      lock: () => void catalog.splits.setLocked(pick(SPLITS), random() < 0.5),
      place: () => void catalog.splits.placeLabelled(),
      move: () => {
        const ids = [...searchTexts(catalog).keys()];
        const roots = catalog.images.listRoots();
        catalog.images.move(pick(ids), pick(roots).id, `moved-${batch++}/Renamed.png`, 2);
      },
      predict: () => {
        const ids = [...searchTexts(catalog).keys()];
        const runs = catalog.runs.list();
        const run =
          runs.length > 0 && random() < 0.6 ? pick(runs) : catalog.runs.create({ name: `r${batch++}`, preset: 'p' });
        const classes = catalog.classes.list();
        catalog.runs.savePredictions(
          run.id,
          Array.from({ length: 1 + Math.floor(random() * 8) }, () => ({
            imageId: pick(ids),
            classId: classes.length > 0 ? pick(classes).id : null,
            confidence: random(),
            topK: [],
          })),
        );
      },
      deleteRun: () => {
        const runs = catalog.runs.list();
        if (runs.length > 0) catalog.runs.delete(pick(runs).id);
      },
      missing: () => {
        const ids = [...searchTexts(catalog).keys()];
        catalog.images.setStatus([pick(ids)], random() < 0.5 ? 'missing' : 'present');
      },
    };
    const names = Object.keys(ops);
    const needImages = new Set(['label', 'pin', 'move', 'missing', 'predict']);
    for (let step = 0; step < 120; step++) {
      const name = pick(names);
      if (needImages.has(name) && catalog.images.count() === 0) continue;
      try {
        ops[name]!();
      } catch (error) {
        // Refusals (a class name taken, an import undone twice) are part of the game; broken counts are not.
        if (!(error instanceof AppError)) throw error;
      }
      const where = `after step ${step} (${name}), seed ${seed}`;
      assertCountsExact(catalog, where);
      const texts = [...searchTexts(catalog).values()];
      if (texts.length > 0) {
        const text = pick(texts);
        const start = Math.floor(random() * (text.length - 3));
        const query = text.slice(start, start + 3 + Math.floor(random() * 4));
        assertSearchMatches(catalog, random() < 0.5 ? query.toUpperCase() : query, where);
      }
    }
    catalog.close();
  }
});

test('class counts and totals read from the maintained counts agree with the per-image truth', () => {
  const catalog = Catalog.open(':memory:');
  simulateImport(
    catalog,
    '/data/w',
    Array.from({ length: 30 }, (_, i) =>
      file(`${i}.png`, {
        label: i % 4 === 0 ? undefined : `C${i % 3}`,
        split: i % 5 === 0 ? undefined : SPLITS[i % 3],
      }),
    ),
  );
  const items = catalog.grid.page({}, { limit: 1000 }).items;
  for (const split of [undefined, 'train', 'none'] as const) {
    const counts = catalog.grid.classCounts(split ? { split } : {});
    const inSplit = items.filter((item) => split === undefined || (item.split ?? 'none') === split);
    for (const cls of catalog.classes.list()) {
      assert.equal(counts.byClass[cls.id] ?? 0, inSplit.filter((item) => item.classId === cls.id).length);
    }
    assert.equal(counts.unlabeled, inSplit.filter((item) => item.classId === null).length);
    assert.equal(catalog.grid.count(split ? { split, unlabeled: true } : { unlabeled: true }), counts.unlabeled);
  }
  catalog.close();
});

test('a version-9 catalog gains exact counts and a path index when it is opened', (t) => {
  const file9 = path.join(tempDir(t), 'seshat.sqlite');
  const db = new Database(file9);
  migrate(db, MIGRATIONS.slice(0, 9));
  db.exec(`
    INSERT INTO roots (id, path, name, added_at) VALUES (1, '/photos/Wall-7', 'Wall-7', 1);
    INSERT INTO classes (id, name, created_at) VALUES (1, 'G17', 1), (2, 'M17', 1);
  `);
  const image = db.prepare(
    `INSERT INTO images (id, root_id, rel_path, hash, width, height, channels, format, bytes, mtime_ms, imported_at)
     VALUES (?, 1, ?, 'h', 1, 1, 3, 'png', 1, 1, 1)`,
  );
  for (let id = 1; id <= 12; id++) image.run(id, `row-${id % 3}/sign_${id}.png`);
  db.exec(`
    INSERT INTO labels (image_id, class_id, source, updated_at) VALUES (1, 1, 'import', 1), (2, 1, 'human', 1), (3, 2, 'import', 1);
    INSERT INTO splits (image_id, split, updated_at) VALUES (1, 'train', 1), (3, 'test', 1), (4, 'test', 1);
  `);
  db.close();

  const catalog = Catalog.open(file9);
  t.after(() => catalog.close());
  assert.equal(catalog.schemaVersion(), MIGRATIONS.length);
  assertCountsExact(catalog, 'after migrating');
  assert.deepEqual(catalog.grid.classCounts({}), { byClass: { 1: 2, 2: 1 }, unlabeled: 9 });
  assert.equal(catalog.grid.count({ split: 'test' }), 2);
  assertSearchMatches(catalog, 'wall-7/ROW-1', 'after migrating');
  assertSearchMatches(catalog, 'sign_1', 'after migrating');
  // And the triggers work from then on.
  catalog.labels.setLabels([{ imageId: 4, classId: 2 }]);
  assertCountsExact(catalog, 'after labelling');
  assert.equal(catalog.grid.classCounts({ split: 'test' }).byClass[2], 2);
});

test("a version-12 catalog's predictions gain copies of their images' cells when it is opened", (t) => {
  const file12 = path.join(tempDir(t), 'seshat.sqlite');
  const db = new Database(file12);
  migrate(db, MIGRATIONS.slice(0, 12));
  db.exec(`
    INSERT INTO roots (id, path, name, added_at) VALUES (1, '/photos/Wall-7', 'Wall-7', 1);
    INSERT INTO classes (id, name, created_at) VALUES (1, 'G17', 1), (2, 'M17', 1);
    INSERT INTO runs (id, name, preset, created_at) VALUES (1, 'r', 'cnn-plus', 1);
  `);
  const image = db.prepare(
    `INSERT INTO images (id, root_id, rel_path, hash, width, height, channels, format, bytes, mtime_ms, imported_at)
     VALUES (?, 1, ?, 'h', 1, 1, 3, 'png', 1, 1, 1)`,
  );
  const prediction = db.prepare(
    `INSERT INTO predictions (run_id, image_id, class_id, confidence, top_k, at) VALUES (1, ?, 1, ?, '[]', 1)`,
  );
  for (let id = 1; id <= 12; id++) {
    image.run(id, `sign_${id}.png`);
    prediction.run(id, id / 20);
  }
  db.exec(`
    INSERT INTO labels (image_id, class_id, source, updated_at) VALUES (1, 1, 'import', 1), (2, 1, 'human', 1), (3, 2, 'import', 1);
    INSERT INTO splits (image_id, split, updated_at) VALUES (1, 'test', 1), (3, 'test', 1), (4, 'test', 1), (5, 'train', 1);
  `);
  db.close();

  const catalog = Catalog.open(file12);
  t.after(() => catalog.close());
  assert.equal(catalog.schemaVersion(), MIGRATIONS.length);
  assertCountsExact(catalog, 'after migrating');
  const page = (filter: Parameters<Catalog['grid']['page']>[0]) =>
    catalog.grid.page(filter, { sort: 'confidence', descending: true }).items.map((item) => item.id);
  assert.deepEqual(page({ split: 'test' }), [4, 3, 1]);
  assert.deepEqual(page({ split: 'test', unlabeled: true }), [4]);
  assert.deepEqual(page({ split: 'test', classId: 1 }), [1]);
  // And the triggers keep them from then on.
  catalog.labels.setLabels([{ imageId: 4, classId: 1 }]);
  assertCountsExact(catalog, 'after labelling');
  assert.deepEqual(page({ split: 'test', classId: 1 }), [4, 1]);
});
