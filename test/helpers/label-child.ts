/**
 * Child process for the two-writers test: labels images of a catalog one small
 * operation at a time, as a person labelling with the keyboard would, for `seconds`,
 * while other processes write to the same catalog.
 *
 * usage: node --import tsx test/helpers/label-child.ts <catalog> <seconds>
 */
import { Catalog } from '../../src-main/catalog/index.js';
import { databaseOf } from '../../src-main/catalog/database-handle.js';

const [catalogFile, secondsText] = process.argv.slice(2);
if (!catalogFile || !secondsText) throw new Error('usage: label-child.ts <catalog> <seconds>');
const catalog = Catalog.open(catalogFile);
const classIds = catalog.classes.list().map((c) => c.id);
const imageIds = (databaseOf(catalog).prepare('SELECT id FROM images ORDER BY id').pluck().all() as number[]).slice(
  0,
  60,
);
let operations = 0;
const until = Date.now() + Number(secondsText) * 1000;
for (let round = 0; Date.now() < until; round++) {
  for (const [i, imageId] of imageIds.entries()) {
    catalog.labels.setLabels([{ imageId, classId: classIds[(i + round) % classIds.length]! }]);
    operations++;
    // Yield now and then so the other writers interleave with this one.
    if (operations % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}
catalog.close();
process.stdout.write(`labelled ${operations}\n`);
