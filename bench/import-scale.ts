/**
 * `npm run bench -- import-scale [--count=1000000] [--keep=DIR [--only=rescan]]`: importing a million small files, then
 * re-scanning the unchanged tree, each in a fresh process so its peak memory (max RSS) is
 * its own. The files are distinct 16×16 PNGs in 1,000 class folders, written once by a
 * small PNG encoder (sharp per file would take longer than the import) and kept under the
 * OS temp folder between runs. Targets (issue 22): import under 1 GB of memory, re-scan of
 * the unchanged tree under a minute.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { Catalog } from '../src-main/catalog/index.js';
import { defaultConcurrency } from '../src-main/images/index.js';
import { importFolders, rescan } from '../src-main/import/index.js';
import { PNG_SIGNATURE, pngChunk } from '../test/helpers/png-chunks.js';

const option = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const count = Number(option('count') ?? 1_000_000);
const phase = option('phase');
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const SIZE = 16;
const FOLDERS = 1000;

/** A 16×16 RGB PNG whose pixels come from the file's number: every file has its own content. */
function png(seed: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const raw = Buffer.alloc(SIZE * (1 + SIZE * 3));
  let state = seed * 2654435761 + 1;
  for (let y = 0; y < SIZE; y++) {
    raw[y * (1 + SIZE * 3)] = 0; // no filter
    for (let i = 1; i <= SIZE * 3; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      raw[y * (1 + SIZE * 3) + i] = state >>> 24;
    }
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw, { level: 1 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function tree(): string {
  const dir = path.join(os.tmpdir(), `seshat-bench-scale-${count}`);
  if (existsSync(path.join(dir, '.complete'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  const started = performance.now();
  for (let f = 0; f < FOLDERS; f++)
    mkdirSync(path.join(dir, `class-${String(f).padStart(3, '0')}`), { recursive: true });
  for (let i = 0; i < count; i++) {
    writeFileSync(path.join(dir, `class-${String(i % FOLDERS).padStart(3, '0')}`, `img-${i}.png`), png(i));
    if (i % 100_000 === 0) log(`writing files: ${i} of ${count}`);
  }
  writeFileSync(path.join(dir, '.complete'), '');
  log(`wrote ${count} files in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return dir;
}

const maxRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** One phase in this process: prints its figures as one JSON line. */
async function runPhase(name: string, root: string, project: string): Promise<void> {
  const catalog = Catalog.open(path.join(project, 'seshat.sqlite'));
  const started = performance.now();
  let peakHeap = 0;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 500);
  const report =
    name === 'import'
      ? await importFolders(catalog, {
          roots: [root],
          labelSource: { kind: 'folders' },
          thumbnailsDir: path.join(project, 'thumbnails'),
          concurrency: defaultConcurrency(),
        })
      : await rescan(catalog, { thumbnailsDir: path.join(project, 'thumbnails') });
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  catalog.close();
  process.stdout.write(
    `${JSON.stringify({
      seconds: Math.round(seconds * 10) / 10,
      files_per_second: Math.round(count / seconds),
      counts: report.counts,
      max_rss_mb: maxRssMb(),
      peak_js_heap_mb: Math.round(peakHeap / 2 ** 20),
    })}\n`,
  );
}

if (phase) {
  await runPhase(phase, option('root')!, option('project')!);
} else {
  const root = tree();
  // --keep=DIR keeps the project (and with --only=rescan, re-scans the one kept there).
  const kept = option('keep');
  const only = option('only');
  const project = kept ?? mkdtempSync(path.join(os.tmpdir(), 'seshat-bench-scale-project-'));
  mkdirSync(project, { recursive: true });
  const child = (name: string) => {
    log(`${name}: ${count} files …`);
    const result = spawnSync(
      process.execPath,
      [
        ...process.execArgv,
        process.argv[1]!,
        `--phase=${name}`,
        `--root=${root}`,
        `--project=${project}`,
        `--count=${count}`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 26 },
    );
    if (result.status !== 0) throw new Error(`${name} phase failed (${result.status})`);
    const figures = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    log(`${name}: ${JSON.stringify(figures)}`);
    return figures;
  };
  try {
    const imported = only === 'rescan' ? null : child('import');
    const rescanned = child('rescan');
    process.stdout.write(
      `${JSON.stringify(
        {
          bench: 'import-scale',
          machine: {
            cpus: os.availableParallelism(),
            cpuModel: os.cpus()[0]?.model ?? 'unknown',
            node: process.version,
          },
          files: count,
          file: `${SIZE}×${SIZE} PNG, ${FOLDERS} folders`,
          import: imported ? { ...imported, target_max_rss_mb: 1024 } : 'not run (--only=rescan)',
          rescan_unchanged: { ...rescanned, target_seconds: 60 },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    if (!kept) rmSync(project, { recursive: true, force: true });
  }
}
