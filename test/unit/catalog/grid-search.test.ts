/**
 * Path search in the Library grid: the imported folder's name counts as part of the
 * path, ASCII case is ignored and every character is literal, with the trigram index
 * or without it (grid-search.ts).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/index.js';
import { importFolders } from '../../../src-main/import/index.js';
import { imageRow } from '../../helpers/catalog-rows.js';
import { tempDir, writeImage } from '../../helpers/images.js';

test('path search matches the imported folder’s own name, so one can filter by wall', async (t) => {
  const dir = tempDir(t);
  for (const wall of ['wall-3', 'wall-4']) {
    for (let i = 0; i < 3; i++)
      await writeImage(join(dir, wall), `crop_${i}.png`, { seed: wall === 'wall-3' ? 300 + i : 400 + i });
  }
  const catalog = Catalog.open(':memory:');
  t.after(() => catalog.close());
  await importFolders(catalog, {
    roots: [join(dir, 'wall-3'), join(dir, 'wall-4')],
    labelSource: { kind: 'none' },
    thumbnailsDir: null,
  });
  const paths = (pathContains: string) => catalog.grid.page({ pathContains }).items.map((item) => item.relPath);
  assert.deepEqual(paths('wall-3'), ['crop_0.png', 'crop_1.png', 'crop_2.png']);
  assert.equal(
    catalog.grid.page({ pathContains: 'WALL-4/crop_1' }).total,
    1,
    'case-insensitive, across the folder boundary',
  );
  assert.equal(catalog.grid.page({ pathContains: 'crop_' }).total, 6);
});

test('path search ignores ASCII case only and takes every character literally, with or without the path index', () => {
  const catalog = Catalog.open(':memory:');
  const root = catalog.images.ensureRoot('/data/Fouilles');
  const paths = ['École/a.png', 'école/b.png', 'ECOLE/c.png', 'x"y/100%.png', 'x_y/1000.png', 'ÀB/d.png', 'àb/e.png'];
  // Filler that matches none of the searches below, so that a search lists few of the
  // images (the index pays) or most of them (".png": every path is read instead).
  const filler = Array.from({ length: 60 }, (_, i) => `other/${i}.png`);
  catalog.images.insertBatch(
    [...paths, ...filler].map((relPath, i) => imageRow(root.id, relPath, i)),
    { operationId: null },
  );
  const found = (pathContains: string) => {
    const page = catalog.grid.page({ pathContains }, { limit: 1000 });
    assert.equal(page.total, page.items.length, `total of ${pathContains}`);
    assert.equal(catalog.grid.classCounts({ pathContains }).unlabeled, page.total);
    // Limit 2 walks the path order (scan) for searches with many matches.
    const walked: string[] = [];
    let after: string | null = null;
    do {
      const next = catalog.grid.page({ pathContains }, { limit: 2, after });
      walked.push(...next.items.map((item) => item.relPath));
      after = next.nextCursor;
    } while (after);
    const relPaths = page.items.map((item) => item.relPath).sort();
    assert.deepEqual([...walked].sort(), relPaths, `pages of ${pathContains}`);
    return relPaths.filter((relPath) => !relPath.startsWith('other/'));
  };
  // Too short for the index (one or two characters).
  assert.deepEqual(found('à'), ['àb/e.png']);
  assert.deepEqual(found('%'), ['x"y/100%.png']);
  assert.deepEqual(found('_'), ['x_y/1000.png']);
  // Three and more: listed by the trigram index (which folds É and é together), checked by LIKE.
  assert.deepEqual(found('cole'), ['ECOLE/c.png', 'École/a.png', 'école/b.png']);
  assert.deepEqual(found('ÉCOLE'), ['École/a.png']);
  assert.deepEqual(found('ecole/'), ['ECOLE/c.png']);
  assert.deepEqual(found('x"y'), ['x"y/100%.png']);
  assert.deepEqual(found('0%.'), ['x"y/100%.png']);
  assert.deepEqual(found('fouilles/àB'), ['àb/e.png']);
  assert.deepEqual(found('.PNG'), paths.slice().sort());
  assert.deepEqual(found('a OR b'), [], 'no FTS5 query syntax leaks through');
  catalog.close();
});

test('path search finds what a plain case-insensitive look at "<folder>/<path>" finds, across the folder boundary too', () => {
  const catalog = Catalog.open(':memory:');
  {
    const roots = ['/data/Wall-3', '/data/wall_30', '/x/Roll%2', '/y/a'].map((folder) =>
      catalog.images.ensureRoot(folder),
    );
    const pieces = ['wall', 'WALL-3', 'crop', '_', '%', 'a', 'A/b', 'roll-0', '3/'];
    let seed = 11;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const images = Array.from({ length: 300 }, (_, i) => {
      const relPath = `${Array.from({ length: 1 + next(3) }, () => pieces[next(pieces.length)]).join('/')}/${i}.png`;
      return { rootId: roots[next(roots.length)]!.id, relPath };
    });
    catalog.images.insertBatch(
      images.map((image, i) => imageRow(image.rootId, image.relPath, i)),
      { operationId: null },
    );
    const names = new Map(roots.map((root) => [root.id, root.path.split('/').pop()!]));
    const ascii = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
    const texts = [
      '3/',
      'wall-3/',
      'l-3/wa',
      'a/',
      '/a',
      '%2/',
      '_30/CROP',
      '30',
      'rOLL%2/a/b',
      'y',
      '/',
      'all-3/wall-3/',
    ];
    for (const text of texts) {
      const expected = images
        .map((image, i) => ({ i, full: `${names.get(image.rootId)}/${image.relPath}` }))
        .filter(({ full }) => ascii(full).includes(ascii(text)))
        .map(({ i }) => `${i}.png`)
        .sort();
      const page = catalog.grid.page({ pathContains: text }, { limit: 1000 });
      const found = page.items.map((item) => item.relPath.split('/').pop()!).sort();
      assert.deepEqual(found, expected, `search ${JSON.stringify(text)}`);
      assert.equal(page.total, expected.length, `total of ${JSON.stringify(text)}`);
    }
  }
  catalog.close();
});
