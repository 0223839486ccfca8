/**
 * Jumps to a position (a dragged scrollbar) step from keys kept by earlier jumps: every
 * jump, forwards, backwards, past the end, must land where a walk from the top would,
 * also after the catalog changed under the kept keys.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GridQueries } from '../../../src-main/catalog/grid.js';
import type { ImageFilter } from '../../../src-main/catalog/index.js';
import { Rng } from '../../../src-main/ml/data/rng.js';
import { gridFixture } from '../../helpers/grid-fixture.js';

const step = GridQueries.anchorStep;
before(() => (GridQueries.anchorStep = 3));
after(() => (GridQueries.anchorStep = step));

const ids = (page: { items: Array<{ id: number }> }) => page.items.map((item) => item.id);

test('jumps in any order land where a walk from the top does, for every sort and filter', () => {
  const { catalog, cls } = gridFixture();
  const rng = new Rng(7);
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
        const all = ids(catalog.grid.page(filter, { sort, descending, limit: 1000 }));
        // Far, then back, then near: each jump may walk past the kept keys or step from one.
        const positions = [
          Math.max(0, all.length - 1),
          0,
          ...Array.from({ length: 12 }, () => Math.floor(rng.next() * (all.length + 3))),
        ];
        for (const at of positions) {
          const page = catalog.grid.page(filter, { sort, descending, limit: 2, at });
          assert.deepEqual(
            ids(page),
            all.slice(at, at + 2),
            `at ${at}: ${JSON.stringify(filter)} ${sort} ${descending}`,
          );
        }
      }
    }
  }
  catalog.close();
});

test('after a change the kept keys are walked again', () => {
  const { catalog, cls } = gridFixture();
  const filter: ImageFilter = { classId: cls.cat! };
  const at = 4;
  const first = ids(catalog.grid.page(filter, { sort: 'path', limit: 2, at }));
  assert.deepEqual(first, ids(catalog.grid.page(filter, { sort: 'path', limit: 1000 })).slice(at, at + 2));
  // Label the first cat of the list a dog: every cat after it moves one place up.
  const firstCat = ids(catalog.grid.page(filter, { sort: 'path', limit: 1 }))[0]!;
  catalog.transaction(() => {
    const op = catalog.labels.beginOperation('label', 'relabel', { undoable: true });
    catalog.labels.change(op, firstCat, cls.dog!, 'human', 2);
  });
  const all = ids(catalog.grid.page(filter, { sort: 'path', limit: 1000 }));
  assert.deepEqual(ids(catalog.grid.page(filter, { sort: 'path', limit: 2, at })), all.slice(at, at + 2));
  assert.notDeepEqual(all.slice(at, at + 2), first);
  catalog.close();
});
