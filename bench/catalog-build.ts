/**
 * The catalog bench's synthetic catalog: N images in two folders, Zipf-sized classes
 * (a few big ones, a long tail), splits, human and model corrections, and one run's
 * predictions for half the images, all written through the public API as an import
 * and labelling would.
 */
import type { Catalog, NewImage, Split } from '../src-main/catalog/index.js';

/** Deterministic PRNG (mulberry32) so runs are comparable. */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BuildOptions {
  images: number;
  classes: number;
  random: () => number;
  log: (line: string) => void;
}

/** Inserts N synthetic images with labels, splits, human/model corrections and predictions. */
export function buildSyntheticCatalog(catalog: Catalog, options: BuildOptions): void {
  const { images: N, random, log } = options;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const zipfClass = zipf(options.classes, random);
  const hex = () =>
    Array.from({ length: 8 }, () =>
      Math.floor(random() * 0x100000000)
        .toString(16)
        .padStart(8, '0'),
    ).join('');
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

/** Draws a class index with Zipf-like sizes (a few big classes, a long tail), like real label sets. */
function zipf(classes: number, random: () => number): () => number {
  const cumulative: number[] = [];
  let sum = 0;
  for (let k = 0; k < classes; k++) cumulative.push((sum += 1 / Math.pow(k + 1, 0.8)));
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = classes - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}
