/**
 * `npm run bench -- sweep [--epochs=N]`: a 12-trial grid of the Small CNN on unas-glyphs
 * split by picture, run as the app runs it (`seshat sweep` in a fresh project), once with
 * successive halving and once with every trial trained to the end. Prints the time and
 * epochs of each, and whether halving found a trial within a point of the grid's best
 * full-length trial (target: ≤ 40 % of the time, within 1 point).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src-main/cli/main.js';
import { SHARED } from './accuracy-runs.js';

const GRID = 'lr=0.0003,0.001,0.003;dense=128,512;dropout=0,0.5';
const epochs = Number(process.argv.find((arg) => arg.startsWith('--epochs='))?.split('=')[1] ?? 18);
const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

interface SweepJson {
  sweep: number;
  rungs: number[];
  epochs_trained: number;
  epochs_full: number;
  trials: Array<{
    run: number;
    params: Record<string, unknown>;
    status: string;
    epochs: number;
    best_val_accuracy: number | null;
  }>;
  best: { run: number; params: Record<string, unknown> } | null;
}

async function cli(args: string[]): Promise<string> {
  const out: string[] = [];
  const code = await runCli(args, { out: (text) => out.push(text), err: (text) => log(text) });
  if (code !== 0) throw new Error(`seshat ${args[0]} exited ${code}: ${out.join('\n')}`);
  return out.join('\n');
}

const dir = mkdtempSync(join(tmpdir(), 'seshat-bench-sweep-'));
process.env.SESHAT_USER_DATA = join(dir, 'user');
const project = join(dir, 'project');
try {
  const crops = join(SHARED, 'datasets', 'unas-glyphs', 'Manual', 'Preprocessed');
  await cli(['import', crops, '--project', project, '--labels', 'filename', '--json']);
  await cli(['split', '--project', project, '--group', '^(\\d{2})', '--ratios', '70,30,0', '--json']);
  const sweep = async (halving: 'on' | 'off') => {
    const started = performance.now();
    const args = ['sweep', '--project', project, '--preset', 'small-cnn', '--grid', GRID, '--epochs', String(epochs)];
    const result = JSON.parse(await cli([...args, '--halving', halving, '--backend', 'wasm', '--json'])) as SweepJson;
    const seconds = (performance.now() - started) / 1000;
    const accuracy = (trial: SweepJson['trials'][number] | undefined) => trial?.best_val_accuracy ?? 0;
    const best = result.trials.find((trial) => trial.run === result.best?.run);
    log(`halving ${halving}: ${seconds.toFixed(0)} s, ${result.epochs_trained} epochs, best ${accuracy(best)}`);
    return { result, seconds, bestAccuracy: accuracy(best), bestAnyAccuracy: Math.max(...result.trials.map(accuracy)) };
  };
  const halved = await sweep('on');
  const full = await sweep('off');
  const round = (value: number) => Number(value.toFixed(4));
  process.stdout.write(
    `${JSON.stringify(
      {
        bench: 'sweep',
        dataset: 'unas-glyphs, split by picture (70/30)',
        preset: 'small-cnn',
        grid: GRID,
        trials: full.result.trials.length,
        epochs,
        halving: {
          rungs: halved.result.rungs,
          seconds: round(halved.seconds),
          epochs_trained: halved.result.epochs_trained,
          best_val_accuracy: halved.bestAccuracy,
          best: halved.result.best?.params ?? null,
          trials: halved.result.trials,
        },
        full: {
          seconds: round(full.seconds),
          epochs_trained: full.result.epochs_trained,
          best_val_accuracy: full.bestAnyAccuracy,
          best: full.result.best?.params ?? null,
        },
        time_ratio: round(halved.seconds / full.seconds),
        time_ratio_target: 0.4,
        points_behind_full_best: round((full.bestAnyAccuracy - halved.bestAccuracy) * 100),
        points_behind_target: 1,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
