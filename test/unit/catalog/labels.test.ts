import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/index.js';
import { type AppError } from '../../../src-shared/errors.js';
import { tempDir } from '../../helpers/images.js';

/** A catalog with `n` unlabelled images (ids 1..n) and classes A, B, C. */
function seeded(file = ':memory:', n = 5): { catalog: Catalog; ids: number[]; A: number; B: number; C: number } {
  const catalog = Catalog.open(file);
  const root = catalog.images.ensureRoot('/data');
  const ids = catalog.images.insertBatch(
    Array.from({ length: n }, (_, i) => ({
      rootId: root.id,
      relPath: `img-${i}.png`,
      hash: `hash-${i}`,
      width: 8,
      height: 8,
      channels: 3,
      format: 'png',
      bytes: 100,
      mtimeMs: 1,
    })),
    { operationId: null },
  );
  const [A, B, C] = ['A', 'B', 'C'].map((name) => catalog.classes.create({ name }).id) as [number, number, number];
  return { catalog, ids, A, B, C };
}

const classOf = (catalog: Catalog, id: number): number | null => catalog.labels.get(id)?.classId ?? null;

test('setLabels labels many images in one operation and records history', () => {
  const { catalog, ids, A } = seeded();
  const result = catalog.labels.setLabels(ids.slice(0, 3).map((imageId) => ({ imageId, classId: A })));
  assert.equal(result.changed, 3);
  assert.deepEqual(
    ids.map((id) => classOf(catalog, id)),
    [A, A, A, null, null],
  );
  assert.equal(catalog.labels.get(ids[0]!)?.source, 'human');
  const history = catalog.labels.historyOf(ids[0]!);
  assert.equal(history.length, 1);
  assert.equal(history[0]!.op_id, result.operationId);
  assert.equal(history[0]!.new_class_id, A);
  // Setting the same label again changes nothing and records nothing.
  assert.equal(catalog.labels.setLabels([{ imageId: ids[0]!, classId: A }]).changed, 0);
  assert.equal(catalog.labels.historyOf(ids[0]!).length, 1);
  assert.match(catalog.labels.operations(1)[0]!.description, /Label 1 image as A/);
  catalog.close();
});

test('setLabels on a missing image or class fails and writes nothing', () => {
  const { catalog, ids, A } = seeded();
  assert.throws(
    () =>
      catalog.labels.setLabels([
        { imageId: ids[0]!, classId: A },
        { imageId: 999, classId: A },
      ]),
    (e: unknown) => (e as AppError).code === 'NOT_FOUND',
  );
  assert.throws(
    () => catalog.labels.setLabels([{ imageId: ids[0]!, classId: 999 }]),
    (e: unknown) => (e as AppError).code === 'NOT_FOUND',
  );
  assert.equal(classOf(catalog, ids[0]!), null);
  assert.equal(catalog.labels.peekUndo(), undefined);
  catalog.close();
});

test('undo reverts a bulk action as one, redo re-applies it, and both survive a restart', (t) => {
  const file = path.join(tempDir(t), 'seshat.sqlite');
  const { catalog, ids, A, B } = seeded(file);
  catalog.labels.setLabels(ids.map((imageId) => ({ imageId, classId: A })));
  catalog.labels.setLabels(ids.slice(0, 2).map((imageId) => ({ imageId, classId: B })));
  catalog.close();

  const reopened = Catalog.open(file);
  const undone = reopened.labels.undo();
  assert.equal(undone?.changed, 2);
  assert.deepEqual(
    ids.map((id) => classOf(reopened, id)),
    [A, A, A, A, A],
  );
  reopened.close();

  const again = Catalog.open(file);
  assert.equal(again.labels.undo()?.changed, 5);
  assert.deepEqual(
    ids.map((id) => classOf(again, id)),
    [null, null, null, null, null],
  );
  assert.equal(again.labels.undo(), null, 'nothing left to undo');
  assert.equal(again.labels.redo()?.changed, 5); // redo the first action first
  assert.deepEqual(
    ids.map((id) => classOf(again, id)),
    [A, A, A, A, A],
  );
  assert.equal(again.labels.redo()?.changed, 2);
  assert.deepEqual(
    ids.map((id) => classOf(again, id)),
    [B, B, A, A, A],
  );
  assert.equal(again.labels.redo(), null);
  // History is append-only: do, undo and redo rows are all there for image 1.
  assert.deepEqual(
    again.labels.historyOf(ids[0]!).map((h) => h.action),
    ['do', 'do', 'undo', 'undo', 'redo', 'redo'],
  );
  again.close();
});

test('a new action after undo discards the redo stack', () => {
  const { catalog, ids, A, B } = seeded();
  catalog.labels.setLabels([{ imageId: ids[0]!, classId: A }]);
  catalog.labels.undo();
  assert.ok(catalog.labels.peekRedo());
  catalog.labels.setLabels([{ imageId: ids[1]!, classId: B }]);
  assert.equal(catalog.labels.peekRedo(), undefined);
  assert.equal(catalog.labels.redo(), null);
  catalog.close();
});

test('redo of labels whose images an undone import took away skips them, rather than failing', () => {
  const catalog = Catalog.open(':memory:');
  try {
    const root = catalog.images.ensureRoot('/walls/w1');
    const reportId = catalog.reports.create('import', ['/walls/w1'], {});
    const op = catalog.imports.begin(reportId, 'Import of w1');
    const ids = catalog.images.insertBatch(
      [0, 1].map((i) => ({
        rootId: root.id,
        relPath: `${i}.png`,
        hash: `h${i}`,
        width: 5,
        height: 5,
        channels: 1,
        format: 'png' as const,
        bytes: 1,
        mtimeMs: 1,
      })),
      { operationId: op },
    );
    catalog.reports.finish(reportId, 'done', { imported: 2 });
    const M17 = catalog.classes.create({ name: 'M17' }).id;
    catalog.labels.setLabels([{ imageId: ids[0]!, classId: M17 }]);
    catalog.labels.undo(); // the label
    catalog.labels.undo(); // the import: its images go
    assert.equal(catalog.imageRows().length, 0);
    const redone = catalog.labels.redo();
    assert.deepEqual([redone?.changed, redone?.conflicts], [0, 1]);
    assert.equal(catalog.labels.get(ids[0]!), undefined);
  } finally {
    catalog.close();
  }
});

test('undo leaves alone images relabelled since by an action it does not revert', () => {
  const { catalog, ids, A, C } = seeded();
  catalog.labels.setLabels(ids.slice(0, 2).map((imageId) => ({ imageId, classId: A })));
  // A non-undoable change (e.g. a model auto-label written through change()) after it:
  catalog.transaction(() => {
    const op = catalog.labels.beginOperation('import', 'model labels', { undoable: false });
    catalog.labels.change(op, ids[0]!, C, 'model', Date.now());
  });
  const result = catalog.labels.undo();
  assert.deepEqual({ changed: result?.changed, conflicts: result?.conflicts }, { changed: 1, conflicts: 1 });
  assert.equal(classOf(catalog, ids[0]!), C);
  assert.equal(classOf(catalog, ids[1]!), null);
  catalog.close();
});

test('removing labels (classId null) is undoable too', () => {
  const { catalog, ids, B } = seeded();
  catalog.labels.setLabels([{ imageId: ids[0]!, classId: B }]);
  catalog.labels.setLabels([{ imageId: ids[0]!, classId: null }]);
  assert.equal(classOf(catalog, ids[0]!), null);
  catalog.labels.undo();
  assert.equal(classOf(catalog, ids[0]!), B);
  catalog.close();
});

test('merge relabels every image of one class to another, archives it, and undoes as one', () => {
  const { catalog, ids, A, B } = seeded();
  catalog.labels.setLabels(ids.slice(0, 3).map((imageId) => ({ imageId, classId: A })));
  catalog.labels.setLabels(ids.slice(3).map((imageId) => ({ imageId, classId: B })));
  const merged = catalog.labels.mergeClasses(A, B);
  assert.equal(merged.changed, 3);
  assert.deepEqual(
    ids.map((id) => classOf(catalog, id)),
    [B, B, B, B, B],
  );
  assert.equal(catalog.classes.get(A)?.archived, true);
  assert.ok(!catalog.classes.list().some((c) => c.id === A), 'archived classes are hidden by default');
  assert.equal(catalog.labels.historyOf(ids[0]!).at(-1)?.op_id, merged.operationId);
  catalog.labels.undo();
  assert.deepEqual(
    ids.map((id) => classOf(catalog, id)),
    [A, A, A, B, B],
  );
  assert.equal(catalog.classes.get(A)?.archived, false);
  assert.throws(
    () => catalog.labels.mergeClasses(A, A),
    (e: unknown) => (e as AppError).code === 'INVALID_INPUT',
  );
  catalog.close();
});

test('a merged-away class comes back when its name is used again, by import or by hand', () => {
  const { catalog, A, B } = seeded();
  catalog.labels.mergeClasses(A, B);
  assert.equal(catalog.classes.get(A)?.archived, true);
  // Import's path: labels must not land in a hidden class.
  assert.equal(catalog.classes.ensure(catalog.classes.get(A)!.name), A);
  assert.equal(catalog.classes.get(A)?.archived, false);
  assert.ok(catalog.classes.list().some((c) => c.id === A));
  catalog.labels.mergeClasses(A, B);
  // By hand: creating the name again revives the class with the new details.
  const revived = catalog.classes.create({ name: catalog.classes.get(A)!.name, description: 'back again' });
  assert.equal(revived.id, A);
  assert.equal(revived.archived, false);
  assert.equal(revived.description, 'back again');
  assert.throws(
    () => catalog.classes.create({ name: revived.name }),
    (e: unknown) => (e as AppError).code === 'ALREADY_EXISTS',
  );
  catalog.close();
});

test('deleting a class unlabels its images and undoes as one: the class (same id, hotkey) and its labels come back', () => {
  const { catalog, ids, A, B } = seeded();
  catalog.classes.update(A, { hotkey: '7', description: 'reed' });
  catalog.labels.setLabels(ids.slice(0, 3).map((imageId) => ({ imageId, classId: A })));
  catalog.labels.setLabels([{ imageId: ids[4]!, classId: B }]);
  const before = catalog.classes.get(A)!;
  const result = catalog.labels.deleteClass(A);
  assert.equal(result.unlabelled, 3);
  assert.equal(catalog.classes.get(A), undefined);
  assert.deepEqual(
    ids.map((id) => classOf(catalog, id)),
    [null, null, null, null, B],
  );
  assert.equal(catalog.labels.historyOf(ids[0]!).at(-1)?.new_class_id, null);
  assert.equal(catalog.labels.peekUndo()?.kind, 'delete-class');

  const undone = catalog.labels.undo();
  assert.deepEqual({ changed: undone?.changed, conflicts: undone?.conflicts }, { changed: 3, conflicts: 0 });
  assert.deepEqual(catalog.classes.get(A), before);
  assert.deepEqual(
    ids.map((id) => classOf(catalog, id)),
    [A, A, A, null, B],
  );

  catalog.labels.redo();
  assert.equal(catalog.classes.get(A), undefined);
  assert.deepEqual(
    ids.map((id) => classOf(catalog, id)),
    [null, null, null, null, B],
  );
  catalog.close();
});

test('undoing a delete whose class name was taken since restores nothing and counts conflicts', () => {
  const { catalog, ids, A } = seeded();
  const name = catalog.classes.get(A)!.name;
  catalog.labels.setLabels(ids.slice(0, 2).map((imageId) => ({ imageId, classId: A })));
  catalog.labels.deleteClass(A);
  const other = catalog.classes.create({ name });
  const undone = catalog.labels.undo();
  assert.deepEqual({ changed: undone?.changed, conflicts: undone?.conflicts }, { changed: 0, conflicts: 2 });
  assert.equal(catalog.classes.get(A), undefined);
  assert.equal(catalog.classes.findByName(name)?.id, other.id);
  assert.deepEqual(
    ids.slice(0, 2).map((id) => classOf(catalog, id)),
    [null, null],
  );
  catalog.close();
});

test('class CRUD: create, rename, colour, hotkey conflicts, reorder, archive', () => {
  const catalog = Catalog.open(':memory:');
  const a = catalog.classes.create({ name: ' Aa1 ', hotkey: '1', colour: '#ff0000' });
  assert.equal(a.name, 'Aa1');
  assert.throws(
    () => catalog.classes.create({ name: 'Aa1' }),
    (e: unknown) => (e as AppError).code === 'ALREADY_EXISTS',
  );
  assert.throws(
    () => catalog.classes.create({ name: 'B', hotkey: '1' }),
    (e: unknown) => (e as AppError).code === 'CONFLICT',
  );
  assert.throws(
    () => catalog.classes.create({ name: '   ' }),
    (e: unknown) => (e as AppError).code === 'INVALID_INPUT',
  );
  const b = catalog.classes.create({ name: 'B', description: 'birds' });
  const renamed = catalog.classes.update(b.id, { name: 'Birds', hotkey: '2' });
  assert.deepEqual([renamed.name, renamed.hotkey, renamed.description], ['Birds', '2', 'birds']);
  assert.throws(
    () => catalog.classes.update(b.id, { name: 'Aa1' }),
    (e: unknown) => (e as AppError).code === 'ALREADY_EXISTS',
  );
  catalog.classes.reorder([b.id, a.id]);
  assert.deepEqual(
    catalog.classes.list().map((c) => c.name),
    ['Birds', 'Aa1'],
  );
  catalog.classes.update(a.id, { archived: true });
  // An archived class frees its hotkey.
  assert.equal(catalog.classes.create({ name: 'C', hotkey: '1' }).hotkey, '1');
  assert.deepEqual(catalog.classes.list({ includeArchived: true }).length, 3);
  assert.equal(catalog.classes.ensure('Birds'), b.id);
  assert.throws(
    () => catalog.classes.require(999),
    (e: unknown) => (e as AppError).code === 'NOT_FOUND',
  );
  catalog.close();
});

test('splits are assigned and cleared in bulk', () => {
  const { catalog, ids } = seeded();
  assert.equal(
    catalog.splits.write(
      ids.slice(0, 2).map((id) => ({ id, split: 'validation' as const })),
      { lock: true },
    ),
    2,
  );
  assert.deepEqual(catalog.splits.get(ids[0]!), { split: 'validation', locked: true });
  catalog.splits.clear([ids[0]!]);
  assert.equal(catalog.splits.get(ids[0]!), undefined);
  assert.equal(catalog.stats().bySplit.validation, 1);
  catalog.close();
});
