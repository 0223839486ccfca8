/**
 * `seshat sweep` trains a grid's trials as ordinary runs with their own parameters, and
 * halving stops the worse ones early; what it prints matches the catalog.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/catalog.js';
import { createAppDispatcher } from '../../../src-main/api/app-dispatcher.js';
import { AppServices } from '../../../src-main/app/app-services.js';
import { runCli } from '../../../src-main/cli/main.js';
import { tempDir, writeImage } from '../../helpers/images.js';

interface SweepJson {
  sweep: number;
  status: string;
  rungs: number[];
  epochs_trained: number;
  epochs_full: number;
  trials: Array<{
    run: number;
    params: Record<string, number>;
    status: string;
    epochs: number;
    best_val_loss: number | null;
  }>;
  best: { run: number; params: Record<string, number> } | null;
  final?: { run: number | null; status: string };
}

test(
  'a grid of four trials makes four runs with the right parameters; halving stops the worse',
  { timeout: 240_000 },
  async (t) => {
    const dir = tempDir(t);
    process.env.SESHAT_USER_DATA = join(dir, 'user');
    t.after(() => delete process.env.SESHAT_USER_DATA);
    for (let i = 0; i < 10; i++) await writeImage(join(dir, 'crops'), `G17/owl_${i}.png`, { seed: i + 1 });
    for (let i = 0; i < 10; i++) await writeImage(join(dir, 'crops'), `M17/reed_${i}.png`, { seed: 30 + i });
    const project = join(dir, 'project');
    const out: string[] = [];
    const io = { out: (text: string) => out.push(text), err: (text: string) => out.push(text) };
    assert.equal(await runCli(['import', join(dir, 'crops'), '--project', project, '--json'], io), 0);
    assert.equal(await runCli(['split', '--project', project, '--ratios', '60,40,0', '--json'], io), 0);
    const sweep = async (halving: 'on' | 'off', ...more: string[]) => {
      out.length = 0;
      const code = await runCli(
        [
          'sweep',
          '--project',
          project,
          '--preset',
          'small-cnn',
          '--grid',
          'lr=0.001,0.01;dense=16,32',
          '--epochs',
          '4',
          '--halving',
          halving,
          '--backend',
          'wasm',
          '--json',
          ...more,
        ],
        io,
      );
      assert.equal(code, 0, out.join('\n'));
      return JSON.parse(out.join('\n')) as SweepJson;
    };

    const full = await sweep('off', '--log-dir', join(dir, 'logs'));
    // One TensorBoard folder per trial run under the sweep's log folder.
    assert.equal(readdirSync(join(dir, 'logs', `sweep-${full.sweep}`)).length, 4);
    assert.equal(full.trials.length, 4);
    assert.deepEqual(
      full.trials.map((trial) => trial.params),
      [
        { learningRate: 0.001, denseUnits: 16 },
        { learningRate: 0.001, denseUnits: 32 },
        { learningRate: 0.01, denseUnits: 16 },
        { learningRate: 0.01, denseUnits: 32 },
      ],
    );
    assert.ok(full.trials.every((trial) => trial.status === 'done' && trial.epochs >= 1));
    const catalog = Catalog.open(join(project, 'seshat.sqlite'));
    try {
      // Each trial is an ordinary run trained with its own settings.
      for (const trial of full.trials) {
        const run = catalog.runs.require(trial.run);
        assert.equal(run.status, 'done');
        assert.match(run.name, /^Sweep \d+ · trial \d · learningRate 0\.0\d+, denseUnits (16|32)$/);
        assert.equal(run.options?.learningRate, trial.params.learningRate);
        assert.deepEqual(run.options?.architecture, { denseUnits: trial.params.denseUnits });
        assert.equal(catalog.runs.epochs(trial.run).length, trial.epochs);
      }
    } finally {
      catalog.close();
    }

    // The trials side by side, as the runs comparison shows them.
    out.length = 0;
    const ids = full.trials.map((trial) => trial.run).slice(0, 2);
    assert.equal(await runCli(['runs', '--project', project, '--compare', ids.join(','), '--json'], io), 0);
    const comparison = JSON.parse(out.join('\n')) as {
      runs: Array<{ id: number; settings: { architecture?: object }; validation: { accuracy: number | null } }>;
      perClassF1: Array<{ label: string; f1: Array<number | null> }>;
    };
    assert.deepEqual(
      comparison.runs.map((run) => [run.id, run.settings.architecture]),
      [
        [ids[0], { denseUnits: 16 }],
        [ids[1], { denseUnits: 32 }],
      ],
    );
    assert.ok(comparison.runs.every((run) => run.validation.accuracy !== null));
    assert.deepEqual(
      comparison.perClassF1.map((row) => [row.label, row.f1.length]),
      [
        ['G17', 2],
        ['M17', 2],
      ],
    );
    assert.notEqual(await runCli(['runs', '--project', project, '--compare', String(ids[0])], io), 0);

    const halved = await sweep('on', '--train-best');
    assert.deepEqual(halved.rungs, [1, 4]);
    // Four trials reach epoch 1; the best two by validation loss go on to the end.
    assert.deepEqual(halved.trials.map((trial) => trial.status).sort(), ['done', 'done', 'stopped', 'stopped']);
    const stopped = halved.trials.filter((trial) => trial.status === 'stopped');
    const kept = halved.trials.filter((trial) => trial.status === 'done');
    for (const trial of stopped) assert.equal(trial.epochs, 1);
    const worstKept = Math.max(...kept.map((trial) => catalog1Loss(trial)));
    for (const trial of stopped)
      assert.ok(catalog1Loss(trial) >= worstKept - 1e-9, 'the stopped trials were the worse at epoch 1');
    assert.ok(halved.epochs_trained < full.epochs_trained);
    assert.ok(halved.best && kept.some((trial) => trial.run === halved.best!.run));
    // The best settings, trained again on train and validation for the best run's best epoch count.
    assert.equal(halved.final?.status, 'completed');
    const check = Catalog.open(join(project, 'seshat.sqlite'));
    try {
      const bestRun = check.runs.require(halved.best!.run);
      const final = check.runs.require(halved.final!.run!);
      assert.equal(final.options?.includeValidation, true);
      assert.match(final.name, /^Sweep \d+ · best \(trial \d\), train \+ validation$/);
      assert.deepEqual(final.options?.architecture, bestRun.options?.architecture);
      assert.equal(final.options?.learningRate, bestRun.options?.learningRate);
      assert.equal(check.runs.epochs(final.id).length, bestRun.metrics?.bestEpoch);
      assert.deepEqual(final.metrics?.counts, { train: 20, validation: 0, test: 0 });
    } finally {
      check.close();
    }

    // A sweep cancelled as it starts resumes through the API and ends as one never stopped.
    const app = AppServices.open({
      userDataDir: join(dir, 'user'),
      projectDir: project,
      platform: { transport: 'cli', electronVersion: null },
      backend: 'wasm',
      remember: false,
    });
    try {
      const call = createAppDispatcher(app);
      const spec = { base: { preset: 'small-cnn', epochs: 4 }, space: { grid: { learningRate: [0.001, 0.01] } } };
      const started = (await call('startSweep', { spec })) as { ok: true; value: { taskId: string; sweepId: number } };
      app.tasks.cancel(started.value.taskId);
      await app.tasks.waitFor(started.value.taskId);
      const sweepOf = async () =>
        (
          (await call('getSweep', { sweepId: started.value.sweepId })) as {
            ok: true;
            value: { status: string; trials: Array<{ status: string }> };
          }
        ).value;
      assert.equal((await sweepOf()).status, 'cancelled');
      const resumed = (await call('resumeSweep', { sweepId: started.value.sweepId })) as {
        ok: true;
        value: { taskId: string };
      };
      await app.tasks.waitFor(resumed.value.taskId);
      const after = await sweepOf();
      assert.equal(after.status, 'done');
      assert.deepEqual(after.trials.map((trial) => trial.status).sort(), ['done', 'stopped']);
      const again = await call('resumeSweep', { sweepId: started.value.sweepId });
      assert.equal(again.ok, false, 'a finished sweep does not resume');
    } finally {
      app.close();
    }

    /** A trial's validation loss at epoch 1, read from its run. */
    function catalog1Loss(trial: SweepJson['trials'][number]): number {
      const reader = Catalog.open(join(project, 'seshat.sqlite'));
      try {
        return reader.runs.epochs(trial.run)[0]!.metrics.valLoss!;
      } finally {
        reader.close();
      }
    }
  },
);
