/**
 * How many files to process at once. sharp's decodes, file reads and large hashes
 * all run on libuv's thread pool (UV_THREADPOOL_SIZE, default 4 — the app's entry
 * points should raise it to the core count before any I/O). Two files per core
 * keep every core busy while the other file of the pair waits on the disk or the
 * main thread, without queueing many whole files in memory (measured: 2 per core
 * beats 1 per core by ~30% on small images).
 */
import os from 'node:os';

export function defaultConcurrency(): number {
  return Math.max(2, Math.min(32, 2 * os.availableParallelism()));
}
