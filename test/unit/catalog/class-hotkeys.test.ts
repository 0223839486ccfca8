/**
 * Digit hotkeys stay where they were when classes are added: a new class is given the
 * next free digit when it is created and keeps it, whatever order the Library sorts
 * classes in; the keys an older catalog showed are written down on upgrade.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { Catalog, MIGRATIONS, migrate } from '../../../src-main/catalog/index.js';
import { compareGardinerCodes } from '../../../src-shared/gardiner/gardiner.js';
import { hotkeyMap } from '../../../src-renderer/src/views/library-keys.js';
import { tempDir } from '../../helpers/images.js';

/** What the Library does: sort classes by Gardiner code, then map keys to them. */
function keysShown(catalog: Catalog): Record<string, string> {
  const classes = catalog.classes.list().sort((a, b) => compareGardinerCodes(a.name, b.name));
  const byId = new Map(classes.map((cls) => [cls.id, cls.name]));
  return Object.fromEntries([...hotkeyMap(classes)].map(([key, id]) => [key, byId.get(id)!]));
}

test('adding a class that sorts first moves no digit', () => {
  const catalog = Catalog.open(':memory:');
  catalog.classes.create({ name: 'M17' });
  catalog.classes.create({ name: 'G17' });
  assert.deepEqual(keysShown(catalog), { '1': 'M17', '2': 'G17' });
  catalog.classes.ensure('A1');
  assert.deepEqual(
    keysShown(catalog),
    { '1': 'M17', '2': 'G17', '3': 'A1' },
    'A1 sorts first but takes the next free key',
  );
  // A key the user clears stays cleared; an explicit key is kept; the eleventh class has none.
  catalog.classes.create({ name: 'X1', hotkey: null });
  catalog.classes.create({ name: 'D21', hotkey: 'q' });
  for (const name of ['N35', 'Q3', 'R4', 'S29', 'V31', 'W24', 'Y1']) catalog.classes.create({ name });
  const keys = keysShown(catalog);
  assert.equal(keys['q'], 'D21');
  assert.equal(keys['0'], 'Y1');
  assert.ok(!Object.values(keys).includes('X1'));
  catalog.classes.create({ name: 'Z1' });
  assert.ok(!Object.values(keysShown(catalog)).includes('Z1'), 'all ten digits taken');
  catalog.close();
});

test('an older catalog keeps the digits it showed, written down on upgrade', (t) => {
  const file = path.join(tempDir(t), 'seshat.sqlite');
  const db = new Database(file);
  migrate(db, MIGRATIONS.slice(0, 4));
  const insert = db.prepare('INSERT INTO classes (name, hotkey, created_at) VALUES (?, ?, 1)');
  for (const [name, hotkey] of [
    ['M17', null],
    ['G17', null],
    ['D21', '1'],
  ] as const)
    insert.run(name, hotkey);
  db.close();
  const catalog = Catalog.open(file);
  // Shown before the upgrade: 1 → D21 (its own), then G17 → 2, M17 → 3 in Gardiner order.
  assert.deepEqual(keysShown(catalog), { '1': 'D21', '2': 'G17', '3': 'M17' });
  catalog.classes.create({ name: 'A1' });
  assert.deepEqual(keysShown(catalog), { '1': 'D21', '2': 'G17', '3': 'M17', '4': 'A1' });
  catalog.close();
});
