/// <reference lib="dom" />
/**
 * Prediction benchmark: folder classification end to end (import, decode, infer, write
 * the top-5 to the catalog) on the shared datasets, through the real `seshat` CLI, beside
 * PyTorch's inference rate for the Small CNN (../shared/bench/peer_torch.py); then
 * drop-to-result latency in Debian's Chromium against web mode. Prints one JSON document.
 *
 *   npm run bench -- predict [--drops 30] [--skip-flowers] [--skip-torch]
 *
 * Each dataset gets a throwaway project trained for one epoch on a fifth of its files
 * (the rate depends on the model's shape, not on how well it learned); the other four
 * fifths are the new folder to classify.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, requireBrowser } from '../test/helpers/find-browser.js';
import { serveTestProject } from '../test/helpers/web-server-process.js';
import { runPeerTorch } from './peer-torch.js';
import { inferenceThreads } from '../src-main/ml/inference/inference-helpers.js';

const { values } = parseArgs({
  options: {
    drops: { type: 'string', default: '30' },
    'skip-flowers': { type: 'boolean', default: false },
    'skip-torch': { type: 'boolean', default: false },
  },
});
const SHARED = process.env.SESHAT_SHARED ?? join(import.meta.dirname, '..', '..', 'shared');
const SESHAT = join(import.meta.dirname, '..', 'bin', 'seshat.js');
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function seshat(args: string[]): unknown {
  const out = execFileSync(process.execPath, [SESHAT, ...args, '--json'], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out);
}

interface FolderCase {
  name: string;
  folder: string;
  labels: string;
  preset: string;
  /** CNN+ with its MobileNet companion (the default) or alone. */
  ensemble?: 'on' | 'off';
}

/** Every file under `root`, as paths relative to it. */
function listFiles(root: string): string[] {
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * Trains a one-epoch model on every fifth file of the dataset, then classifies the
 * other four fifths as a folder the project has never seen (all of it new to import).
 */
function classifyFolder(scratch: string, spec: FolderCase) {
  const project = join(scratch, 'project');
  const known = join(scratch, 'known');
  const copy = join(scratch, 'new-folder');
  for (const [i, file] of listFiles(spec.folder).entries()) {
    const target = join(i % 5 === 0 ? known : copy, file);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(spec.folder, file), target);
  }
  log(`${spec.name}: import a fifth, split, train ${spec.preset} for one epoch`);
  seshat(['import', known, '--project', project, '--labels', spec.labels]);
  seshat(['split', '--project', project, '--seed', '1']);
  const trained = seshat([
    'train',
    '--project',
    project,
    '--preset',
    spec.preset,
    '--epochs',
    '1',
    ...(spec.ensemble ? ['--ensemble', spec.ensemble] : []),
  ]) as { runId: number };
  log(`${spec.name}: classify ${copy}`);
  const started = performance.now();
  const result = seshat([
    'predict',
    copy,
    '--project',
    project,
    '--model',
    String(trained.runId),
    '--out',
    join(scratch, `${spec.name}.csv`),
  ]) as {
    imported: number;
    predicted: number;
    failed: unknown[];
    imagesPerSecond: number;
  };
  const wallSeconds = (performance.now() - started) / 1000;
  return {
    dataset: spec.name,
    preset: spec.preset,
    ensemble: spec.ensemble ?? null,
    images: result.predicted,
    imported: result.imported,
    failed: result.failed.length,
    classifyImagesPerSecond: round(result.imagesPerSecond),
    endToEndImagesPerSecond: round(result.predicted / wallSeconds),
    endToEndSeconds: round(wallSeconds, 2),
    note: 'classify = decode + infer + write top-5 to the catalog; end to end = the whole `seshat predict` command (process start, model load, import with thumbnails, classify, CSV)',
    project,
  };
}

function torchInference() {
  const peer = runPeerTorch(
    SHARED,
    ['--models', 'small_cnn_3x75x50', '--threads', '1,2', '--steps', '10', '--warmup', '3'],
    log,
  );
  if (!peer.available) return peer;
  const rows = peer.rows.filter((row) => row.model);
  return {
    available: true,
    model: 'small_cnn_3x75x50 (batch 64, tensors already in memory)',
    byThreads: rows.map((row) => ({
      threads: row.threads,
      inferImagesPerSecond: row.infer_img_per_s,
      clean: row.clean,
    })),
  };
}

/** Files chosen in the Predict view (the same path as a drop) until their top guesses show. */
async function dropLatency(project: string, files: string[], drops: number) {
  const served = await serveTestProject({ projectDir: project });
  const browser = await chromium.launch({ executablePath: requireBrowser(), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 820 } });
    await page.goto(served.openUrl);
    await page.evaluate(() => (window.location.hash = '/predict'));
    await page.getByTestId('drop-zone').waitFor();
    const times: number[] = [];
    for (let i = 0; i < drops + 2; i++) {
      const file = files[i % files.length]!;
      const name = `drop-${i}-${file.split('/').pop()}`;
      const bytes = readFileSync(file).toString('base64');
      // Timed inside the page: from the drop event to the frame that shows this file's top guesses.
      const elapsed = (await page.evaluate(
        `new Promise((resolve) => {
          const bytes = Uint8Array.from(atob(${JSON.stringify(bytes)}), (c) => c.charCodeAt(0));
          const transfer = new DataTransfer();
          transfer.items.add(new File([bytes], ${JSON.stringify(name)}, { type: 'image/' + ${JSON.stringify(file.endsWith('.png') ? 'png' : 'jpeg')} }));
          const started = performance.now();
          document.querySelector('.shell').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
          (function check() {
            const card = [...document.querySelectorAll('[data-testid="drop-result"]')].find((el) => el.textContent.includes(${JSON.stringify(name)}));
            if (card && card.querySelector('ol li')) resolve(performance.now() - started);
            else if (performance.now() - started > 10000) resolve(-1);
            else requestAnimationFrame(check);
          })();
        })`,
      )) as number;
      if (elapsed < 0) throw new Error(`drop ${i + 1} (${name}) showed no result within 10 s`);
      if (i >= 2) times.push(elapsed); // the first two warm the model cache and the page
    }
    return {
      drops,
      p50Ms: round(percentile(times, 50)),
      p95Ms: round(percentile(times, 95)),
      maxMs: round(Math.max(...times)),
    };
  } finally {
    await browser.close();
    await served.stop();
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'seshat-bench-predict-'));
try {
  const unasFolder = join(SHARED, 'datasets', 'unas-glyphs', 'Manual', 'Preprocessed');
  const flowersFolder = join(SHARED, 'datasets', 'flowers-sample');
  const cases: FolderCase[] = [
    { name: 'unas-glyphs', folder: unasFolder, labels: 'filename', preset: 'small-cnn' },
    { name: 'unas-glyphs', folder: unasFolder, labels: 'filename', preset: 'cnn-plus', ensemble: 'off' },
    { name: 'unas-glyphs', folder: unasFolder, labels: 'filename', preset: 'cnn-plus', ensemble: 'on' },
  ];
  if (!values['skip-flowers'])
    cases.push({ name: 'flowers-sample', folder: flowersFolder, labels: 'folders', preset: 'mobilenet' });
  const folders = cases.map((spec, i) => classifyFolder(join(scratch, String(i)), spec));
  const torch = values['skip-torch'] ? { available: false, reason: '--skip-torch' } : torchInference();

  const glyphProject = folders[0]!.project;
  const picture = readdirSync(unasFolder)[0]!;
  const glyphFiles = readdirSync(join(unasFolder, picture))
    .slice(0, 10)
    .map((file) => join(unasFolder, picture, file));
  log('drop latency (glyphs, small-cnn)');
  const glyphDrops = await dropLatency(glyphProject, glyphFiles, Number(values.drops));
  let photoDrops: unknown = null;
  if (!values['skip-flowers']) {
    const daisy = join(flowersFolder, 'daisy');
    log('drop latency (photos, mobilenet)');
    photoDrops = await dropLatency(
      folders[2]!.project,
      readdirSync(daisy)
        .slice(0, 10)
        .map((file) => join(daisy, file)),
      Number(values.drops),
    );
  }
  const torchBest =
    'byThreads' in torch ? Math.max(...torch.byThreads.map((row) => Number(row.inferImagesPerSecond))) : null;
  const smallCnn = folders.find((row) => row.preset === 'small-cnn');
  console.log(
    JSON.stringify(
      {
        bench: 'predict',
        inferenceThreads: inferenceThreads(),
        folders: folders.map(({ project: _project, ...row }) => row),
        torch,
        smallCnnClassifyOverTorchInference: {
          ratio: torchBest && smallCnn ? round(smallCnn.classifyImagesPerSecond / torchBest, 2) : null,
          target: 0.7,
          note: "Seshat's folder classification (decode + infer + write) over PyTorch's best bare inference rate, same model shape",
        },
        dropToResult: {
          glyph: glyphDrops,
          photo: photoDrops,
          note: 'from the drop event to the frame showing the top guesses, in headless Chromium against web mode (upload, decode, infer)',
        },
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
