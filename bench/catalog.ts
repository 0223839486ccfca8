/**
 * Grid latency on a synthetic catalog: build N images (default 1,000,000) through
 * the public API, then time open and a page of 200 under each filter. Prints one
 * JSON document; progress goes to stderr.
 *
 *   node --import tsx bench/catalog.ts [--count 1000000] [--classes 1000] [--samples 20]
 *
 * "cold" = the first page right after a write (what the grid does after each
 * labelling action: the cached totals were invalidated, so COUNTs run again);
 * "warm" = the next page by keyset cursor with the total cached.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Catalog, type ImageFilter, type NewImage, type PageRequest, type Split } from '../src-main/catalog/index.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    classes: { type: 'string', default: '1000' },
    samples: { type: 'string', default: '20' },
    /** Keep the built catalog at this path (and reuse it when it exists) instead of a temp file. */
    keep: { type: 'string' },
  },
});
const N = Number(values.count);
const CLASSES = Number(values.classes);
const SAMPLES = Number(values.samples);
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Deterministic PRNG (mulberry32) so runs are comparable. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** Zipf-like class sizes (a few big classes, a long tail), like real label sets. */
const weights = Array.from({ length: CLASSES }, (_, k) => 1 / Math.pow(k + 1, 0.8));
const cumulative = weights.map(
  (
    (sum) => (w: number) =>
      (sum += w)
  )(0),
);
const totalWeight = cumulative.at(-1)!;
function zipfClass(): number {
  const x = random() * totalWeight;
  let lo = 0;
  let hi = CLASSES - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
const hex = () =>
  Array.from({ length: 8 }, () =>
    Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, '0'),
  ).join('');

const dir = values.keep
  ? path.dirname(path.resolve(values.keep))
  : mkdtempSync(path.join(os.tmpdir(), 'seshat-bench-catalog-'));
const file = values.keep ? path.resolve(values.keep) : path.join(dir, 'seshat.sqlite');
const reuse = values.keep !== undefined && existsSync(file);
try {
  // --- build -------------------------------------------------------------------
  let catalog = Catalog.open(file);
  const buildStart = performance.now();
  if (!reuse) build(catalog);
  const buildSeconds = (performance.now() - buildStart) / 1000;
  const stats = catalog.stats();
  catalog.close();
  const fileBytes = statSync(file).size;
  log(
    `${reuse ? 'reused' : 'built'} ${N} images in ${buildSeconds.toFixed(1)} s, ${(fileBytes / 2 ** 20).toFixed(0)} MiB`,
  );

  // --- open --------------------------------------------------------------------
  const timeOpen = (check: 'quick' | 'none') => {
    const t = performance.now();
    const c = Catalog.open(file, { check });
    const ms = performance.now() - t;
    c.close();
    return ms;
  };
  const openMs = { quickCheck: round(timeOpen('quick')), noCheck: round(timeOpen('none')) };
  catalog = Catalog.open(file);
  const classIds = catalog.classes
    .list()
    .filter((c) => c.name !== 'bench-dummy')
    .map((c) => c.id);

  // --- queries -----------------------------------------------------------------
  const bigClass = catalog.classes.findByName('class-0')!.id;
  const scenarios: Array<{ name: string; filter: () => ImageFilter; request?: PageRequest }> = [
    { name: 'all, by path', filter: () => ({}) },
    { name: 'all, newest first', filter: () => ({}), request: { sort: 'imported', descending: true } },
    { name: 'largest class, by path', filter: () => ({ classId: bigClass }) },
    { name: 'random class, by path', filter: () => ({ classId: pick(classIds) }) },
    {
      name: 'random class + train split, newest first',
      filter: () => ({ classId: pick(classIds), split: 'train' }),
      request: { sort: 'imported', descending: true },
    },
    { name: 'unlabeled, by path', filter: () => ({ unlabeled: true }) },
    { name: 'split validation, by path', filter: () => ({ split: 'validation' }) },
    { name: 'no split, by path', filter: () => ({ split: 'none' }) },
    { name: 'label source human, by path', filter: () => ({ labelSource: 'human' }) },
    { name: 'predicted class, by path', filter: () => ({ predictedClassId: pick(classIds) }) },
    {
      name: 'confidence 0.4–0.6, by confidence',
      filter: () => ({ confidenceMin: 0.4, confidenceMax: 0.6 }),
      request: { sort: 'confidence' },
    },
    { name: 'low confidence first', filter: () => ({}), request: { sort: 'confidence' } },
    {
      name: 'path text (rare)',
      filter: () => ({ pathContains: `IMG_${String(Math.floor(random() * N)).padStart(7, '0')}` }),
    },
    {
      name: 'path text (common folder)',
      filter: () => ({ pathContains: `roll-0${String(Math.floor(random() * 100)).padStart(2, '0')}/` }),
    },
  ];
  const dummy = catalog.classes.findByName('bench-dummy')?.id ?? catalog.classes.create({ name: 'bench-dummy' }).id;
  let touch = 0;
  const invalidate = () => catalog.classes.update(dummy, { description: String(touch++) });
  const queries: Record<string, unknown> = {};
  for (const scenario of scenarios) {
    const cold: number[] = [];
    const warm: number[] = [];
    let total = 0;
    for (let s = 0; s < SAMPLES; s++) {
      const filter = scenario.filter();
      invalidate();
      let t = performance.now();
      const page = catalog.grid.page(filter, { limit: 200, ...scenario.request });
      cold.push(performance.now() - t);
      total = page.total;
      if (page.nextCursor) {
        t = performance.now();
        catalog.grid.page(filter, { limit: 200, ...scenario.request, after: page.nextCursor });
        warm.push(performance.now() - t);
      }
    }
    queries[scenario.name] = { total, coldMs: summary(cold), warmNextPageMs: summary(warm) };
    log(`${scenario.name}: cold p50 ${summary(cold).p50} ms, warm p50 ${summary(warm).p50} ms`);
  }
  const classCounts = (filter: ImageFilter) => {
    const samples: number[] = [];
    for (let s = 0; s < Math.min(SAMPLES, 10); s++) {
      invalidate();
      const t = performance.now();
      catalog.grid.classCounts(filter);
      samples.push(performance.now() - t);
    }
    return summary(samples);
  };
  const deepOffset = (() => {
    const t = performance.now();
    catalog.grid.page({}, { limit: 200, offset: Math.floor(N / 2) });
    return round(performance.now() - t);
  })();
  const result = {
    bench: 'catalog',
    machine: { cpus: os.availableParallelism(), cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version },
    images: N,
    classes: stats.classes,
    labelled: stats.labelled,
    predictions: Math.ceil(N / 2),
    buildSeconds: round(buildSeconds),
    fileBytes,
    bytesPerImage: round(fileBytes / N),
    openMs,
    pageOf200: queries,
    classCountsMs: { all: classCounts({}), trainSplit: classCounts({ split: 'train' }) },
    offsetPageAtHalfMs: deepOffset,
  };
  catalog.close();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}

/** Inserts N synthetic images with labels, splits, human/model corrections and predictions. */
function build(catalog: Catalog): void {
  const roots = [catalog.images.ensureRoot('/data/site-a'), catalog.images.ensureRoot('/data/site-b')];
  const op = catalog.labels.beginOperation('import', 'bench', { undoable: false });
  const BATCH = 10_000;
  for (let start = 0; start < N; start += BATCH) {
    const batch: NewImage[] = [];
    for (let i = start; i < Math.min(N, start + BATCH); i++) {
      const r = random();
      const split: Split | undefined = r < 0.63 ? 'train' : r < 0.765 ? 'validation' : r < 0.9 ? 'test' : undefined;
      batch.push({
        rootId: roots[i < N / 2 ? 0 : 1]!.id,
        relPath: `roll-${String((i >> 10) % 100).padStart(3, '0')}/day-${(i >> 6) % 30}/IMG_${String(i).padStart(7, '0')}.jpg`,
        hash: hex(),
        width: 640,
        height: 480,
        channels: 3,
        format: 'jpeg',
        bytes: 50_000 + (i % 1000),
        mtimeMs: 1_700_000_000_000 + i,
        label: random() < 0.8 ? `class-${zipfClass()}` : undefined,
        split,
        splitLocked: false,
      });
    }
    catalog.images.insertBatch(batch, { operationId: op });
    if ((start / BATCH) % 10 === 0) log(`inserted ${start + batch.length}`);
  }
  const classIds = catalog.classes.list().map((c) => c.id);
  // Human corrections (5%) and model labels (1%), each one operation, as the UI would.
  const humanIds = Array.from({ length: Math.floor(N * 0.05) }, () => 1 + Math.floor(random() * N));
  catalog.labels.setLabels(
    humanIds.map((imageId) => ({ imageId, classId: pick(classIds) })),
    { source: 'human' },
  );
  const modelIds = Array.from({ length: Math.floor(N * 0.01) }, () => 1 + Math.floor(random() * N));
  catalog.labels.setLabels(
    modelIds.map((imageId) => ({ imageId, classId: pick(classIds) })),
    { source: 'model' },
  );
  // Predictions of one run for half the images.
  const run = catalog.runs.create({ name: 'bench', preset: 'mobilenet' });
  for (let start = 1; start <= N; start += 2 * BATCH) {
    const preds = [];
    for (let id = start; id < Math.min(N + 1, start + 2 * BATCH); id += 2) {
      const classId = pick(classIds);
      preds.push({ imageId: id, classId, confidence: random(), topK: [{ classId, p: 0.5 }] });
    }
    catalog.runs.savePredictions(run.id, preds);
  }
}

function summary(samples: number[]): { p50: number; p95: number } {
  if (samples.length === 0) return { p50: 0, p95: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: round(at(0.5)), p95: round(at(0.95)) };
}

function round(x: number): number {
  return Number(x.toFixed(x < 10 ? 2 : 1));
}
