/**
 * One real `seshat train` run, end to end through the CLI (the app's own services,
 * trainer and engine flags), so that its rate shows beside the kernel rows: a gap
 * between the two is overhead the kernels' figures do not see. Import and splitting
 * run first, untimed; the figure is the run's own images/s (median over epochs,
 * decoding and validation excluded).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SESHAT = join(import.meta.dirname, '..', 'bin', 'seshat.js');

function seshat(args: string[]): Record<string, unknown> {
  // The CLI as a user starts it: no bench flags, so it runs with whatever engine features it enables itself.
  const out = execFileSync(process.execPath, [SESHAT, ...args, '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(out.slice(out.indexOf('{'))) as Record<string, unknown>;
}

export interface EndToEndRow {
  command: string;
  images: number;
  epochs: number;
  backend: string;
  threads: number | null;
  train_img_per_s: number | null;
}

/** `seshat train --preset small-cnn` on the unas crops of `pictures` (75×50, as the kernel row). */
export function endToEndTrain(shared: string, log: (message: string) => void, epochs = 3): EndToEndRow {
  const project = mkdtempSync(join(tmpdir(), 'seshat-bench-e2e-'));
  try {
    const crops = join(shared, 'datasets', 'unas-glyphs', 'Manual', 'Preprocessed');
    const pictures = ['3', '5', '7'].map((picture) => join(crops, picture));
    log(`end to end: importing ${pictures.length} pictures' crops`);
    const imported = seshat(['import', ...pictures, '--project', project, '--labels', 'filename']);
    seshat(['split', '--project', project, '--ratios', '80,20,0', '--seed', '1']);
    const args = ['train', '--project', project, '--preset', 'small-cnn', '--epochs', String(epochs), '--seed', '1'];
    log(`end to end: seshat ${args.join(' ')}`);
    const run = seshat(args);
    return {
      command: `seshat ${args.join(' ')}`,
      images: Number(imported['images'] ?? 0),
      epochs: Number(run['epochs'] ?? 0),
      backend: String(run['backend'] ?? ''),
      threads: (run['threads'] as number | null) ?? null,
      train_img_per_s: (run['imagesPerSecond'] as number | null) ?? null,
    };
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}
