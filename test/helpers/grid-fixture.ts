/** A small catalog for the Library grid's tests: labels, splits, label sources and predictions. */
import { Catalog, type Split } from '../../src-main/catalog/index.js';

/**
 * 30 images across two roots: image i has class cls[i % 3] (none when i % 5 === 0),
 * split by i % 4, a human label when i % 7 === 0, and a prediction for even i.
 */
export function gridFixture() {
  const catalog = Catalog.open(':memory:');
  const rootA = catalog.images.ensureRoot('/a');
  const rootB = catalog.images.ensureRoot('/b');
  const names = ['cat', 'dog', 'eel'];
  const splits: Array<Split | undefined> = ['train', 'validation', 'test', undefined];
  const op = catalog.labels.beginOperation('import', 'fixture', { undoable: false });
  const ids = catalog.images.insertBatch(
    Array.from({ length: 30 }, (_, i) => ({
      rootId: i < 20 ? rootA.id : rootB.id,
      relPath: `${i % 2 ? 'odd' : 'even'}/img ${String(i).padStart(2, '0')}.png`,
      hash: `h${i}`,
      width: 10,
      height: 10,
      channels: 3,
      format: 'png',
      bytes: 10,
      mtimeMs: 1,
      label: i % 5 === 0 ? undefined : names[i % 3],
      split: splits[i % 4],
    })),
    { operationId: op },
  );
  const cls = Object.fromEntries(names.map((n) => [n, catalog.classes.findByName(n)!.id])) as Record<string, number>;
  const human = ids.filter((_, i) => i % 7 === 0 && i % 5 !== 0);
  catalog.transaction(() => {
    const hop = catalog.labels.beginOperation('label', 'human check', { undoable: true });
    for (const id of human) catalog.labels.change(hop, id, catalog.labels.get(id)!.classId, 'human', 2);
  });
  const run = catalog.runs.create({ name: 'r', preset: 'p' });
  catalog.runs.savePredictions(
    run.id,
    ids
      .filter((_, i) => i % 2 === 0)
      .map((imageId, k) => ({ imageId, classId: cls.dog!, confidence: k / 20, topK: [] })),
  );
  return { catalog, ids, cls, runId: run.id };
}
