/**
 * Decoded pixels for a list of samples, decoded once and read back per batch.
 *
 * Decoding (and resizing) an image costs far more than a training step on it, so
 * each image is decoded once into a fixed-size 8-bit slot. With a cache file the
 * slots persist across runs (keyed by content hash, or path + size + mtime), and
 * when a dataset's pixels exceed the memory budget they are read from that file
 * per batch instead of being held in memory: 100k RGB images at 75×50 are 1.1 GB
 * on disk but only a batch of them is ever in memory.
 */
import { createHash } from 'node:crypto';
import { existsSync, openSync, closeSync, readSync, writeSync, statSync, ftruncateSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { throwIfAborted } from '../../../src-shared/errors.js';
import { writeFileAtomic } from '../model-io.js';
import type { Sample } from './dataset.js';
import { decodePixels, imageBytes, type PixelFormat } from './decode.js';

export interface PixelStoreOptions {
  /** Cache file for decoded pixels, reused across runs. Omit to decode into memory only. */
  cacheFile?: string;
  /** Above this many bytes, images are read from the cache file per batch (default 512 MiB). */
  memoryBudgetBytes?: number;
  /** Images decoded at once (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface DecodeFailure {
  id: string;
  error: string;
}

interface CacheIndex {
  version: 1;
  format: PixelFormat;
  keys: string[];
}

const DEFAULT_BUDGET = 512 * 1024 * 1024;

async function cacheKey(sample: Sample): Promise<string> {
  if (sample.hash) return `h:${sample.hash}`;
  if (sample.source.kind === 'raw') return `r:${createHash('sha1').update(sample.source.data).digest('hex')}`;
  const info = await stat(sample.source.path);
  return `f:${sample.source.path}|${info.size}|${info.mtimeMs}`;
}

async function loadIndex(cacheFile: string, format: PixelFormat): Promise<string[]> {
  const indexFile = `${cacheFile}.json`;
  if (!existsSync(cacheFile) || !existsSync(indexFile)) return [];
  try {
    const index = JSON.parse(await readFile(indexFile, 'utf8')) as CacheIndex;
    const sameFormat = JSON.stringify(index.format) === JSON.stringify(format);
    const complete = statSync(cacheFile).size === index.keys.length * imageBytes(format);
    return index.version === 1 && sameFormat && complete ? index.keys : [];
  } catch {
    return []; // an unreadable index only costs a re-decode
  }
}

/** Runs `work` over 0…count-1 with at most `limit` calls in flight. */
async function pool(count: number, limit: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count) await work(next++);
  });
  await Promise.all(lanes);
}

export class PixelStore {
  readonly format: PixelFormat;
  readonly bytesPerImage: number;
  /** Sample indices whose image could not be decoded (their pixels read as zeros). */
  readonly failed: ReadonlySet<number>;
  private readonly memory: Uint8Array | null;
  private readonly fd: number | null;
  private readonly slots: Int32Array | null;

  private constructor(
    format: PixelFormat,
    failed: Set<number>,
    memory: Uint8Array | null,
    file: { fd: number; slots: Int32Array } | null,
  ) {
    this.format = format;
    this.bytesPerImage = imageBytes(format);
    this.failed = failed;
    this.memory = memory;
    this.fd = file?.fd ?? null;
    this.slots = file?.slots ?? null;
  }

  /** Decodes what is not cached yet; returns the store and the samples that failed. */
  static async build(
    samples: Sample[],
    format: PixelFormat,
    options: PixelStoreOptions = {},
  ): Promise<{ store: PixelStore; failures: DecodeFailure[] }> {
    const bytes = imageBytes(format);
    const budget = options.memoryBudgetBytes ?? DEFAULT_BUDGET;
    const failures: DecodeFailure[] = [];
    const failed = new Set<number>();
    let done = 0;
    const report = (): void => options.onProgress?.(++done, samples.length);

    if (!options.cacheFile) {
      const memory = new Uint8Array(samples.length * bytes);
      await pool(samples.length, options.concurrency ?? 4, async (i) => {
        throwIfAborted(options.signal);
        const sample = samples[i]!;
        try {
          memory.set(await decodePixels(sample.source, format), i * bytes);
        } catch (error) {
          failed.add(i);
          failures.push({ id: sample.id, error: error instanceof Error ? error.message : String(error) });
        }
        report();
      });
      return { store: new PixelStore(format, failed, memory, null), failures };
    }

    const cacheFile = options.cacheFile;
    const keys = await loadIndex(cacheFile, format);
    const slotOfKey = new Map(keys.map((key, slot) => [key, slot]));
    const fd = openSync(cacheFile, existsSync(cacheFile) ? 'r+' : 'w+');
    try {
      ftruncateSync(fd, keys.length * bytes); // drops a stale or partial tail
      const slots = new Int32Array(samples.length).fill(-1);
      await pool(samples.length, options.concurrency ?? 4, async (i) => {
        throwIfAborted(options.signal);
        const sample = samples[i]!;
        try {
          const key = await cacheKey(sample);
          let slot = slotOfKey.get(key);
          if (slot === undefined) {
            const pixels = await decodePixels(sample.source, format);
            // Re-check after the await: a duplicate image may have been stored meanwhile.
            slot = slotOfKey.get(key);
            if (slot === undefined) {
              slot = keys.length;
              keys.push(key);
              slotOfKey.set(key, slot);
              writeSync(fd, pixels, 0, bytes, slot * bytes);
            }
          }
          slots[i] = slot;
        } catch (error) {
          failed.add(i);
          failures.push({ id: sample.id, error: error instanceof Error ? error.message : String(error) });
        }
        report();
      });
      await writeFileAtomic(`${cacheFile}.json`, JSON.stringify({ version: 1, format, keys } satisfies CacheIndex));

      if (samples.length * bytes <= budget) {
        const memory = new Uint8Array(samples.length * bytes);
        for (let i = 0; i < samples.length; i++) {
          const slot = slots[i]!;
          if (slot >= 0) readSync(fd, memory, i * bytes, bytes, slot * bytes);
        }
        closeSync(fd);
        return { store: new PixelStore(format, failed, memory, null), failures };
      }
      return { store: new PixelStore(format, failed, null, { fd, slots }), failures };
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** Whether pixels are served from memory (false: read from the cache file per batch). */
  get inMemory(): boolean {
    return this.memory !== null;
  }

  /** Copies sample `index`'s pixels into `out` at `offset` (zeros for a failed sample). */
  read(index: number, out: Uint8Array, offset = 0): void {
    const bytes = this.bytesPerImage;
    if (this.memory) {
      out.set(this.memory.subarray(index * bytes, (index + 1) * bytes), offset);
      return;
    }
    const slot = this.slots![index]!;
    if (slot < 0) out.fill(0, offset, offset + bytes);
    else readSync(this.fd!, out, offset, bytes, slot * bytes);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
  }
}
