/**
 * The predictions CSV at scale: one pass over the run's predictions (it paged them by
 * OFFSET, 5,000 at a time, re-sorting every page: 147 s for 500k predictions), and a
 * folder's CSV reads that folder's predictions only (144 s for a folder of 2,560).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/index.js';
import { predictionsCsv } from '../../../src-main/runs/predict-service.js';
import { imageRow } from '../../helpers/catalog-rows.js';

function catalogWithPredictions(count: number) {
  const catalog = Catalog.open(':memory:');
  const root = catalog.images.ensureRoot(path.resolve('/photos'));
  const ids = catalog.images.insertBatch(
    Array.from({ length: count }, (_, i) => imageRow(root.id, `${i % 10 === 0 ? 'wall-1' : 'wall-10'}/${i}.png`, i)),
    { operationId: null },
  );
  const cls = catalog.classes.create({ name: 'G43' }).id;
  const run = catalog.runs.create({ name: 'r', preset: 'small-cnn' });
  // Ties on confidence, so the order's second key (the image) matters too.
  catalog.runs.savePredictions(
    run.id,
    ids.map((imageId, i) => ({ imageId, classId: cls, confidence: (i % 97) / 97, topK: [{ classId: cls, p: 0.5 }] })),
  );
  return { catalog, runId: run.id };
}

/** Counts the prediction rows the catalog hands out while `fn` runs. */
async function rowsRead(catalog: Catalog, fn: () => Promise<unknown>): Promise<number> {
  let read = 0;
  const paged = catalog.predictionRows.bind(catalog);
  const each = catalog.eachPredictionRow.bind(catalog);
  catalog.predictionRows = (query) => {
    const rows = paged(query);
    read += rows.length;
    return rows;
  };
  catalog.eachPredictionRow = function* (query) {
    for (const row of each(query)) {
      read++;
      yield row;
    }
  };
  try {
    await fn();
  } finally {
    catalog.predictionRows = paged;
    catalog.eachPredictionRow = each;
  }
  return read;
}

test('a folder’s CSV reads that folder’s predictions only, most confident first', async () => {
  const { catalog, runId } = catalogWithPredictions(12_000);
  let csv = '';
  const read = await rowsRead(
    catalog,
    async () => (csv = await predictionsCsv(catalog, runId, path.resolve('/photos/wall-1'))),
  );
  const lines = csv.trim().split('\n').slice(1);
  assert.equal(lines.length, 1_200);
  assert.ok(lines.every((line) => line.startsWith(path.resolve('/photos/wall-1') + path.sep)));
  assert.equal(read, 1_200, 'not the other 10,800 predictions, page by page');
  const confidences = lines.map((line) => Number(line.split(',')[3]));
  assert.deepEqual(
    confidences,
    [...confidences].sort((a, b) => b - a),
  );
  catalog.close();
});

test('the whole run’s CSV lists every prediction once, in the order the review pages them', async () => {
  const { catalog, runId } = catalogWithPredictions(12_000);
  const lines = (await predictionsCsv(catalog, runId)).trim().split('\n').slice(1);
  const paged = [0, 5_000, 10_000].flatMap((offset) =>
    catalog.predictionRows({ runId, order: 'confident-first', limit: 5_000, offset }),
  );
  assert.deepEqual(
    lines.map((line) => line.split(',')[0]),
    paged.map((row) => path.join(row.rootPath, row.relPath)),
  );
  catalog.close();
});
