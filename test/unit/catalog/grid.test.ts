import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { pageSql } from '../../../src-main/catalog/grid-sql.js';
import { Catalog, type ImageFilter } from '../../../src-main/catalog/index.js';
import { AppError } from '../../../src-shared/errors.js';
import { tempDir } from '../../helpers/images.js';
import { gridFixture as fixture } from '../../helpers/grid-fixture.js';

/** Brute force over all images: the expected ids for a filter. */
function expected(catalog: Catalog, filter: ImageFilter): number[] {
  return catalog.grid
    .page({}, { limit: 1000 })
    .items.filter((item) => {
      if (filter.classId !== undefined && item.classId !== filter.classId) return false;
      if (filter.unlabeled && item.classId !== null) return false;
      if (filter.split === 'none' && item.split !== null) return false;
      if (filter.split && filter.split !== 'none' && item.split !== filter.split) return false;
      if (filter.labelSource && item.labelSource !== filter.labelSource) return false;
      if (filter.predictedClassId !== undefined && item.predictedClassId !== filter.predictedClassId) return false;
      if (filter.confidenceMin !== undefined && (item.confidence === null || item.confidence < filter.confidenceMin))
        return false;
      if (filter.confidenceMax !== undefined && (item.confidence === null || item.confidence > filter.confidenceMax))
        return false;
      if (filter.pathContains && !item.relPath.toLowerCase().includes(filter.pathContains.toLowerCase())) return false;
      if (filter.rootId !== undefined && item.rootId !== filter.rootId) return false;
      return true;
    })
    .map((item) => item.id)
    .sort((a, b) => a - b);
}

test('each filter returns exactly the matching images, with a matching total', () => {
  const { catalog, cls } = fixture();
  const filters: ImageFilter[] = [
    {},
    { classId: cls.cat! },
    { unlabeled: true },
    { split: 'train' },
    { split: 'none' },
    { labelSource: 'human' },
    { labelSource: 'import', classId: cls.eel! },
    { predictedClassId: cls.dog! },
    { confidenceMin: 0.2, confidenceMax: 0.5 },
    { pathContains: 'ODD/img 1' },
    { rootId: 2, split: 'test' },
    { rootId: 1 },
    { rootId: 2 },
    { unlabeled: true, split: 'none', pathContains: 'even' },
  ];
  for (const filter of filters) {
    const want = expected(catalog, filter);
    const page = catalog.grid.page(filter, { limit: 1000 });
    assert.deepEqual(
      page.items.map((i) => i.id).sort((a, b) => a - b),
      want,
      JSON.stringify(filter),
    );
    assert.equal(page.total, want.length, `total for ${JSON.stringify(filter)}`);
    assert.equal(catalog.grid.count(filter), want.length);
    // Small pages make most of these filters "match many" (total > √(limit·N)), so
    // the scan-and-probe query shape runs too; a page of 1000 always seeks.
    for (const sort of ['path', 'imported'] as const) {
      const seen: number[] = [];
      let after: string | null = null;
      do {
        const page = catalog.grid.page(filter, { limit: 3, sort, after });
        seen.push(...page.items.map((i) => i.id));
        after = page.nextCursor;
      } while (after);
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        want,
        `${sort} pages of ${JSON.stringify(filter)}`,
      );
    }
  }
  assert.ok(expected(catalog, { classId: cls.cat! }).length > 0);
  catalog.close();
});

test('sort by path, import order and confidence, both directions', () => {
  const { catalog } = fixture();
  const byPath = catalog.grid.page({}, { sort: 'path', limit: 1000 }).items;
  const keys = byPath.map((i) => `${i.rootId}\u0000${i.relPath}`);
  assert.deepEqual(keys, [...keys].sort());
  const desc = catalog.grid.page({}, { sort: 'path', descending: true, limit: 1000 }).items.map((i) => i.id);
  assert.deepEqual(desc, byPath.map((i) => i.id).reverse());
  const imported = catalog.grid.page({}, { sort: 'imported', limit: 1000 }).items.map((i) => i.id);
  assert.deepEqual(
    imported,
    [...imported].sort((a, b) => a - b),
  );
  const conf = catalog.grid.page({}, { sort: 'confidence', descending: true, limit: 1000 });
  assert.equal(conf.items.length, 15, 'confidence sort lists predicted images only');
  assert.equal(conf.total, 15);
  const values = conf.items.map((i) => i.confidence!);
  assert.deepEqual(
    values,
    [...values].sort((a, b) => b - a),
  );
  catalog.close();
});

test('keyset paging visits every image once, in order, for each sort', () => {
  const { catalog } = fixture();
  for (const sort of ['path', 'imported', 'confidence'] as const) {
    for (const descending of [false, true]) {
      const all = catalog.grid.page({}, { sort, descending, limit: 1000 }).items.map((i) => i.id);
      const seen: number[] = [];
      let after: string | null = null;
      do {
        const page = catalog.grid.page({}, { sort, descending, limit: 7, after });
        seen.push(...page.items.map((i) => i.id));
        after = page.nextCursor;
      } while (after);
      assert.deepEqual(seen, all, `${sort} ${descending ? 'desc' : 'asc'}`);
    }
  }
  catalog.close();
});

test('pages before a cursor, from a cursor and at a position match the whole list, under each filter and sort', () => {
  const { catalog, cls } = fixture();
  const filters: ImageFilter[] = [
    {},
    { split: 'train' },
    { unlabeled: true },
    { classId: cls.dog! },
    { pathContains: 'odd' },
  ];
  for (const filter of filters) {
    for (const sort of ['path', 'imported', 'confidence'] as const) {
      for (const descending of [false, true]) {
        const where = `${JSON.stringify(filter)} ${sort} ${descending ? 'desc' : 'asc'}`;
        const ids = (page: { items: Array<{ id: number }> }) => page.items.map((i) => i.id);
        const all = ids(catalog.grid.page(filter, { sort, descending, limit: 1000 }));
        // Limit 3 makes most lists "many matches" (the scan shape); 1000 keeps the seek shape.
        for (const limit of [3, 1000]) {
          for (let at = 0; at <= all.length; at += 4) {
            const page = catalog.grid.page(filter, { sort, descending, limit, at });
            assert.deepEqual(ids(page), all.slice(at, at + limit), `at ${at}, limit ${limit}: ${where}`);
            if (!page.firstCursor) continue;
            assert.deepEqual(
              ids(catalog.grid.page(filter, { sort, descending, limit, from: page.firstCursor })),
              ids(page),
            );
            const before = catalog.grid.page(filter, { sort, descending, limit, before: page.firstCursor });
            assert.deepEqual(ids(before), all.slice(Math.max(0, at - limit), at), `before ${at}: ${where}`);
            assert.equal(before.nextCursor === null, before.items.length === 0, 'rows follow a page read backwards');
          }
        }
        assert.deepEqual(catalog.grid.page(filter, { sort, descending, at: all.length + 5 }).items, []);
      }
    }
  }
  catalog.close();
});

test('per-class counts follow the other filters', () => {
  const { catalog, cls, ids } = fixture();
  const all = catalog.grid.classCounts({});
  assert.equal(all.byClass[cls.cat!], expected(catalog, { classId: cls.cat! }).length);
  assert.equal(all.unlabeled, expected(catalog, { unlabeled: true }).length);
  const train = catalog.grid.classCounts({ split: 'train', classId: cls.dog! });
  for (const name of ['cat', 'dog', 'eel']) {
    assert.equal(
      train.byClass[cls[name]!] ?? 0,
      expected(catalog, { split: 'train', classId: cls[name]! }).length,
      name,
    );
  }
  assert.equal(train.unlabeled, expected(catalog, { split: 'train', unlabeled: true }).length);
  // The cached totals follow writes.
  const before = catalog.grid.count({ classId: cls.cat! });
  catalog.labels.setLabels([{ imageId: ids[0]!, classId: cls.cat! }]);
  assert.equal(catalog.grid.count({ classId: cls.cat! }), before + 1);
  assert.equal(catalog.grid.classCounts({}).byClass[cls.cat!], before + 1);
  catalog.close();
});

test('invalid page requests are INVALID_INPUT', () => {
  const { catalog, cls } = fixture();
  const invalid = (e: unknown) => e instanceof AppError && e.code === 'INVALID_INPUT';
  assert.throws(() => catalog.grid.page({ unlabeled: true, classId: cls.cat! }), invalid);
  assert.throws(() => catalog.grid.page({}, { limit: 0 }), invalid);
  assert.throws(() => catalog.grid.page({}, { limit: 5000 }), invalid);
  assert.throws(() => catalog.grid.page({}, { after: 'not-a-cursor' }), invalid);
  const cursor = catalog.grid.page({}, { limit: 2 }).nextCursor!;
  assert.throws(() => catalog.grid.page({}, { after: cursor, at: 4 }), invalid);
  assert.throws(() => catalog.grid.page({}, { at: -1 }), invalid);
  catalog.close();
});

test("confidence pages by split, class or label source read each prediction's copy of its cell, both ways", () => {
  const { catalog, cls, ids } = fixture();
  // Labels and splits change after the predictions were written: the copies must follow.
  catalog.labels.setLabels(
    [
      { imageId: ids[2]!, classId: cls.eel! },
      { imageId: ids[4]!, classId: null },
    ],
    {
      source: 'human',
    },
  );
  catalog.splits.write([{ id: ids[6]!, split: 'train' }]);
  const byConfidence = (filter: ImageFilter, descending: boolean) => {
    const all = catalog.grid.page({}, { limit: 1000 }).items;
    const want = new Set(expected(catalog, filter));
    return all
      .filter((item) => want.has(item.id) && item.confidence !== null)
      .sort((a, b) => (a.confidence! - b.confidence! || a.id - b.id) * (descending ? -1 : 1))
      .map((item) => item.id);
  };
  const filters: ImageFilter[] = [
    { split: 'train' },
    { split: 'none' },
    { split: 'test', classId: cls.eel! },
    { split: 'train', unlabeled: true },
    { split: 'validation', confidenceMin: 0.1, confidenceMax: 0.6 },
    { labelSource: 'human' },
    { labelSource: 'import', split: 'train' },
    { labelSource: 'import', split: 'test', classId: cls.eel! },
    { classId: cls.dog! },
    { unlabeled: true },
  ];
  for (const filter of filters)
    for (const descending of [false, true]) {
      const seen: number[] = [];
      let after: string | null = null;
      do {
        const page = catalog.grid.page(filter, { sort: 'confidence', descending, limit: 2, after });
        seen.push(...page.items.map((i) => i.id));
        after = page.nextCursor;
      } while (after);
      assert.deepEqual(seen, byConfidence(filter, descending), `${JSON.stringify(filter)} ${descending}`);
      // One page of all: the seek shape (small pages make most filters a scan).
      const whole = catalog.grid.page(filter, { sort: 'confidence', descending, limit: 1000 });
      assert.deepEqual(
        whole.items.map((i) => i.id),
        seen,
        `one page of ${JSON.stringify(filter)}`,
      );
    }
  assert.ok(byConfidence({ split: 'train' }, false).length > 2, 'more than one page');
  catalog.close();
});

test('a label source by path or import order reads its own index in that order: pages both ways, jumps', (t) => {
  const { catalog, ids } = fixture();
  // Model labels on every third image, beside the fixture's human ones.
  catalog.transaction(() => {
    const op = catalog.labels.beginOperation('label', 'accept guesses', { undoable: true });
    for (const id of ids.filter((_, i) => i % 3 === 0 && i % 5 !== 0 && i % 7 !== 0))
      catalog.labels.change(op, id, catalog.labels.get(id)!.classId, 'model', 3);
  });
  for (const [labelSource, sort] of [
    ['human', 'path'],
    ['model', 'path'],
    ['human', 'imported'],
    ['model', 'imported'],
  ] as const) {
    const inOrder = catalog.grid
      .page({}, { sort, limit: 1000 })
      .items.filter((item) => item.labelSource === labelSource)
      .map((item) => item.id);
    assert.ok(inOrder.length >= 3, labelSource);
    for (const descending of [false, true]) {
      const want = descending ? [...inOrder].reverse() : inOrder;
      const walked: number[] = [];
      let after: string | null = null;
      do {
        const page = catalog.grid.page({ labelSource, runId: undefined }, { sort, descending, limit: 2, after });
        walked.push(...page.items.map((item) => item.id));
        after = page.nextCursor;
      } while (after);
      assert.deepEqual(walked, want, `${labelSource} by ${sort}${descending ? ', descending' : ''}`);
      const jump = catalog.grid.page({ labelSource }, { sort, descending, limit: 2, at: 2 });
      assert.deepEqual(
        jump.items.map((item) => item.id),
        want.slice(2, 4),
        `${labelSource} jump`,
      );
    }
  }
  // The page names the source's partial index (migration 15).
  const dir = tempDir(t);
  catalog.close();
  const file = join(dir, 'seshat.sqlite');
  Catalog.open(file).close();
  const db = new Database(file, { readonly: true });
  t.after(() => db.close());
  for (const [sort, index] of [
    ['path', 'images_model_path'],
    ['imported', 'images_model_order'],
  ] as const) {
    const shape = { runId: null, sort, descending: false, pathIndex: false, cursor: null, limit: 200 };
    for (const scan of [false, true]) {
      const { sql, params } = pageSql({ labelSource: 'model' }, { ...shape, scan });
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map(
        (r) => r.detail,
      );
      assert.ok(
        plan.some((detail) => detail.includes(index)),
        plan.join('\n'),
      );
      assert.ok(!plan.some((detail) => detail.includes('TEMP B-TREE')), plan.join('\n'));
    }
  }
});
