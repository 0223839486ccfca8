/**
 * A class list ("name,description" lines) is added whole or not at all: a row with an
 * unterminated quote or without a name is refused, naming its line, and nothing of the
 * list is created; a good list creates new classes and fills in descriptions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/catalog.js';
import { importClassList } from '../../../src-main/import/class-list.js';

test('a list creates its classes and fills in descriptions of known ones', () => {
  const catalog = Catalog.open(':memory:');
  catalog.classes.create({ name: 'G17' });
  assert.deepEqual(importClassList(catalog, 'name,description\nG17,an owl\nD58,"foot, leg"\n'), {
    created: 1,
    updated: 1,
  });
  assert.deepEqual(
    catalog.classes.list().map((cls) => [cls.name, cls.description]),
    [
      ['G17', 'an owl'],
      ['D58', 'foot, leg'],
    ],
  );
  catalog.close();
});

test('an unterminated quote is refused with its line, and nothing of the list is added', () => {
  const catalog = Catalog.open(':memory:');
  assert.throws(
    () => importClassList(catalog, 'name,description\nG17,an owl\nD58,"foot\nM17,reed\n'),
    (error: { code?: string; message?: string }) =>
      error.code === 'INVALID_INPUT' && /line 3/.test(error.message ?? ''),
  );
  assert.deepEqual(catalog.classes.list(), []);
  catalog.close();
});

test('a row without a name is refused with its physical line', () => {
  const catalog = Catalog.open(':memory:');
  assert.throws(
    () => importClassList(catalog, 'name,description\n\nG17,an owl\n,no name\n'),
    (error: { message?: string }) => /line 4 has no class name/.test(error.message ?? ''),
  );
  catalog.close();
});
