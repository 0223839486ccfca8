/**
 * The catalog's page check (PRAGMA quick_check) on a worker thread, over its own
 * read-only connection, so that a large catalog opens at once and the check reports
 * only a problem. At 1M images the check reads ~700 MB and takes ~2.8 s on two cores:
 * too long to keep the window empty.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { healthProblem } from './catalog.js';

/** Plain CommonJS for an eval'd worker: open read-only, run the check, send its rows back. */
const CHECK_SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  parentPort.postMessage(db.pragma('quick_check').map((row) => Object.values(row)[0]));
} catch (error) {
  parentPort.postMessage([String(error && error.message ? error.message : error)]);
} finally {
  if (db) db.close();
}
`;

/** Resolves to the problem the check found (one line naming the file), or null for a healthy catalog. */
export function quickCheckInBackground(file: string): Promise<string | null> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Promise((resolve) => {
    const worker = new Worker(CHECK_SCRIPT, { eval: true, workerData: { file, driver } });
    worker.unref();
    worker.once('message', (rows: unknown[]) => resolve(healthProblem(rows, file, 'quick_check')));
    worker.once('error', (error) => resolve(healthProblem([error.message], file, 'quick_check')));
    worker.once('exit', () => resolve(null)); // after a message, a no-op
  });
}
