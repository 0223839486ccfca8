/**
 * Child process for the kill -9 test: imports a folder slowly (each file read is
 * delayed) and prints "imported N" lines as batches commit, so the parent can
 * SIGKILL it part-way through.
 *
 * usage: node --import tsx test/helpers/import-child.ts <catalog> <folder> <thumbnailsDir>
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Catalog } from '../../src-main/catalog/index.js';
import { importFolders, nodeIo } from '../../src-main/import/index.js';

const [catalogFile, folder, thumbnailsDir] = process.argv.slice(2);
if (!catalogFile || !folder || !thumbnailsDir)
  throw new Error('usage: import-child.ts <catalog> <folder> <thumbnailsDir>');
const catalog = Catalog.open(catalogFile);
await importFolders(
  catalog,
  {
    roots: [folder],
    labelSource: { kind: 'folders' },
    thumbnailsDir,
    batchSize: 10,
    concurrency: 2,
    io: { ...nodeIo, readFile: async (file) => (await delay(15), nodeIo.readFile(file)) },
  },
  {
    signal: new AbortController().signal,
    onProgress: (p) => {
      if (p.counts) process.stdout.write(`imported ${p.counts.imported}\n`);
    },
  },
);
catalog.close();
process.stdout.write('finished\n');
