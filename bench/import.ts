/**
 * Import throughput (images/s, thumbnails included) beside a bare sharp loop
 * (read → decode → 256 px WebP) over the same files, in the same run, at the same
 * concurrency. Prints one JSON document; progress goes to stderr.
 *
 *   node --import tsx bench/import.ts [--count 20000] [--width 320] [--height 240] [--concurrency N]
 *
 * Datasets: shared/datasets/unas-glyphs (when present) and N generated noisy JPEGs
 * (cached under the OS temp folder between runs).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { Catalog } from '../src-main/catalog/index.js';
import { defaultConcurrency } from '../src-main/images/index.js';
import { UNAS_LABEL_SOURCE, importFolders, scanFolder, type LabelSource } from '../src-main/import/index.js';
import { runPool } from '../src-main/import/pool.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    width: { type: 'string', default: '320' },
    height: { type: 'string', default: '240' },
    concurrency: { type: 'string' },
  },
});
const count = Number(values.count);
const width = Number(values.width);
const height = Number(values.height);
const concurrency = values.concurrency ? Number(values.concurrency) : defaultConcurrency();
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const unas = path.resolve(repoRoot, '../shared/datasets/unas-glyphs/Manual/Preprocessed');
const log = (line: string) => process.stderr.write(`${line}\n`);

/** N distinct noisy JPEGs in 100 class folders; generated once and reused. */
async function generated(): Promise<string> {
  const dir = path.join(os.tmpdir(), `seshat-bench-images-${count}-${width}x${height}`);
  const done = path.join(dir, '.complete');
  if (existsSync(done)) return dir;
  rmSync(dir, { recursive: true, force: true });
  log(`generating ${count} ${width}×${height} JPEGs in ${dir} …`);
  const indexes = Array.from({ length: count }, (_, i) => i);
  await runPool(indexes, concurrency, undefined, async (i) => {
    const folder = path.join(dir, `class-${String(i % 100).padStart(3, '0')}`);
    mkdirSync(folder, { recursive: true });
    const data = await sharp({
      create: {
        width,
        height,
        channels: 3,
        background: { r: i % 256, g: (i >> 8) % 256, b: 90 },
        noise: { type: 'gaussian', mean: 120, sigma: 30 },
      },
    })
      .jpeg({ quality: 85 })
      .toBuffer();
    writeFileSync(path.join(folder, `img-${i}.jpg`), data);
  });
  writeFileSync(done, '');
  return dir;
}

/** The bare loop: what any importer must do at least (read, decode, thumbnail), nothing else. */
async function bareLoop(files: string[]): Promise<number> {
  const start = performance.now();
  await runPool(files, concurrency, undefined, async (file) => {
    const buffer = await readFile(file);
    await sharp(buffer)
      .resize(256, 256, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80, effort: 2 })
      .toBuffer();
  });
  return (performance.now() - start) / 1000;
}

async function measure(name: string, root: string, labelSource: LabelSource) {
  const files = (await scanFolder(root)).files.map((f) => f.absPath);
  log(`${name}: ${files.length} files; warming the page cache`);
  await runPool(files, concurrency, undefined, async (file) => void (await readFile(file)));
  const bareSeconds = await bareLoop(files);
  log(`${name}: bare loop ${(files.length / bareSeconds).toFixed(0)} images/s`);
  const project = mkdtempSync(path.join(os.tmpdir(), 'seshat-bench-project-'));
  try {
    const catalog = Catalog.open(path.join(project, 'seshat.sqlite'));
    const start = performance.now();
    const report = await importFolders(catalog, {
      roots: [root],
      labelSource,
      thumbnailsDir: path.join(project, 'thumbnails'),
      concurrency,
    });
    const importSeconds = (performance.now() - start) / 1000;
    const reimportStart = performance.now();
    await importFolders(catalog, {
      roots: [root],
      labelSource,
      thumbnailsDir: path.join(project, 'thumbnails'),
      concurrency,
    });
    const reimportSeconds = (performance.now() - reimportStart) / 1000;
    catalog.close();
    log(`${name}: import ${(files.length / importSeconds).toFixed(0)} images/s`);
    return {
      name,
      files: files.length,
      bare: { seconds: round(bareSeconds), imagesPerSecond: round(files.length / bareSeconds) },
      import: {
        seconds: round(importSeconds),
        imagesPerSecond: round(files.length / importSeconds),
        imported: report.counts.imported,
        duplicates: report.counts.duplicates,
        errors: report.counts.errors,
      },
      reimportUnchanged: { seconds: round(reimportSeconds), imagesPerSecond: round(files.length / reimportSeconds) },
      ratioImportToBare: round(bareSeconds / importSeconds, 3),
    };
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

const round = (x: number, digits = 1) => Number(x.toFixed(digits));

const datasets = [];
if (existsSync(unas)) datasets.push(await measure('unas-glyphs (50×75 PNG)', unas, UNAS_LABEL_SOURCE));
else log(`unas-glyphs not found at ${unas}: skipped`);
datasets.push(await measure(`generated (${width}×${height} JPEG)`, await generated(), { kind: 'folders' }));

process.stdout.write(
  `${JSON.stringify(
    {
      bench: 'import',
      machine: {
        cpus: os.availableParallelism(),
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        node: process.version,
        sharp: sharp.versions.sharp,
        vips: sharp.versions.vips,
        uvThreadpoolSize: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
      },
      concurrency,
      datasets,
      generatedDir: path.join(os.tmpdir(), `seshat-bench-images-${count}-${width}x${height}`),
      note: 'import rates include reading, hashing, probing, thumbnail encode + atomic write, and catalog commits; ratio = bare seconds / import seconds',
    },
    null,
    2,
  )}\n`,
);
