/**
 * Sweeps: the trials a grid or random search plans, the rungs of successive halving,
 * and the runner's schedule (who trains to which epoch, who stops, what a cancel keeps),
 * with a stand-in trainer whose trials have known validation losses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/catalog.js';
import { halvingRungs, parseGrid, parseRanges, planTrials, promote } from '../../../src-main/runs/sweep-plan.js';
import { createSweep, runSweep, type TrialTrainer } from '../../../src-main/runs/sweep-runner.js';
import { recoverRuns } from '../../../src-main/runs/run-recovery.js';
import { sweepCsv } from '../../../src-main/runs/sweep-export.js';
import { trialSettings } from '../../../src-main/runs/sweep-settings.js';
import type { SweepSpec } from '../../../src-shared/api/wire-sweeps.js';
import type { TrainSettings } from '../../../src-shared/api/wire-training.js';

test('a grid plans every combination; random search draws within ranges, reproducibly', () => {
  const grid = parseGrid('learningRate=0.001,0.01; batchSize=16,32,64');
  assert.deepEqual(grid, { learningRate: [0.001, 0.01], batchSize: [16, 32, 64] });
  const trials = planTrials({ grid });
  assert.equal(trials.length, 6);
  assert.deepEqual(trials[0], { learningRate: 0.001, batchSize: 16 });
  assert.deepEqual(trials[5], { learningRate: 0.01, batchSize: 64 });

  const ranges = parseRanges('learningRate=1e-4:1e-2:log;dropout=0:0.5');
  const drawn = planTrials({ grid: { optimizer: ['adam', 'sgd'] }, random: 20, ranges, seed: 4 });
  assert.equal(drawn.length, 20);
  for (const trial of drawn) {
    assert.ok((trial.learningRate as number) >= 1e-4 && (trial.learningRate as number) <= 1e-2);
    assert.ok((trial.dropout as number) >= 0 && (trial.dropout as number) <= 0.5);
    assert.ok(trial.optimizer === 'adam' || trial.optimizer === 'sgd');
  }
  // Log scale: about half the draws fall below the geometric middle (1e-3), not a tenth.
  const low = drawn.filter((trial) => (trial.learningRate as number) < 1e-3).length;
  assert.ok(low >= 5 && low <= 15, `${low} of 20 under 1e-3`);
  assert.deepEqual(planTrials({ grid: {}, random: 20, ranges, seed: 4 }).length, 20);
  assert.deepEqual(
    planTrials({ grid: { optimizer: ['adam', 'sgd'] }, random: 20, ranges, seed: 4 }),
    drawn,
    'a seed reproduces the draws',
  );
});

test('sweep input that cannot mean anything is refused, naming it', () => {
  assert.throws(() => parseGrid('lrate=0.1,0.2'), /"lrate" is not a sweep parameter/);
  assert.deepEqual(
    parseGrid('lr=0.1;dense=8'),
    { learningRate: [0.1], denseUnits: [8] },
    'short names as people type them',
  );
  assert.throws(() => parseGrid('dropout'), /write name=value,value/);
  assert.throws(() => parseRanges('learningRate=0.1:0.01'), /max > min/);
  assert.throws(() => parseRanges('learningRate=0:0.1:log'), /log range needs min > 0/);
  assert.throws(() => planTrials({ grid: { dropout: [0.5] } }), /at least two trials/);
  assert.throws(() => planTrials({ grid: {}, ranges: { dropout: { min: 0, max: 1, scale: 'linear' } } }), /random/);
});

test('halving compares at epochs E/9 and E/3, and keeps the best third by validation loss', () => {
  assert.deepEqual(halvingRungs(27), [3, 9, 27]);
  assert.deepEqual(halvingRungs(20), [2, 7, 20]);
  assert.deepEqual(halvingRungs(4), [1, 4], 'rungs under one epoch, or repeated, are dropped');
  assert.deepEqual(halvingRungs(1), [1]);
  assert.deepEqual(
    promote([
      { trial: 0, bestValLoss: 0.9 },
      { trial: 1, bestValLoss: null },
      { trial: 2, bestValLoss: 0.3 },
      { trial: 3, bestValLoss: 0.5 },
      { trial: 4, bestValLoss: 0.4 },
    ]),
    [2, 4],
  );
  assert.deepEqual(promote([{ trial: 7, bestValLoss: null }]), [7], 'one trial always goes on');
});

test('a trial’s settings are the base settings with its parameters laid over them', () => {
  const base: TrainSettings = { preset: 'small-cnn', epochs: 10 };
  const settings = trialSettings(
    base,
    { learningRate: 0.01, batchSize: 31.6, inputScale: 0.5, augmentStrength: 2, dropout: 0.25 },
    { width: 50, height: 75 },
  );
  assert.equal(settings.learningRate, 0.01);
  assert.equal(settings.batchSize, 32);
  assert.deepEqual(settings.input, { width: 25, height: 38 });
  assert.deepEqual(settings.augment, { shift: 0.1, zoom: 0.1, rotation: 8, brightness: 0.2, contrast: 0.2 });
  assert.deepEqual(settings.architecture, { dropout: 0.25 });
  assert.equal(trialSettings(base, { augmentStrength: 0 }, { width: 8, height: 8 }).augment, false);
  assert.throws(() => trialSettings(base, { optimizer: 'lbfgs' }, { width: 8, height: 8 }), /optimizer is one of/);
  assert.deepEqual(base, { preset: 'small-cnn', epochs: 10 }, 'the base is not changed');
});

/**
 * A trainer whose trial t has validation loss `losses[t]` at every epoch; it counts the
 * epochs each run trained and records every call.
 */
function standIn(
  catalog: Catalog,
  losses: number[],
  onTrain?: (trial: number) => void,
  // What the runs hold, shared by a stand-in for the process that resumes the sweep.
  memory = { epochsOf: new Map<number, number>(), trialOf: new Map<number, number>() },
) {
  const calls: Array<{ trial: number; resumeRunId: number | null; pauseAfterEpoch: number | null }> = [];
  const { epochsOf, trialOf } = memory;
  const stopped: number[] = [];
  const trainer: TrialTrainer = {
    async train({ trial, settings, resumeRunId, pauseAfterEpoch, signal }) {
      calls.push({ trial, resumeRunId, pauseAfterEpoch });
      onTrain?.(trial);
      const runId = resumeRunId ?? catalog.runs.create({ name: `trial ${trial}`, preset: settings.preset }).id;
      trialOf.set(runId, trial);
      if (signal.aborted) return { runId, epochs: epochsOf.get(runId) ?? 0, bestValLoss: null, ended: false };
      const epochs = pauseAfterEpoch ?? settings.epochs!;
      epochsOf.set(runId, epochs);
      return { runId, epochs, bestValLoss: losses[trial]!, ended: pauseAfterEpoch === null };
    },
    stop: (runId) => stopped.push(runId),
    progress: (runId) => ({ epochs: epochsOf.get(runId) ?? 0, bestValLoss: losses[trialOf.get(runId)!] ?? null }),
  };
  return { trainer, calls, stopped, memory };
}

const GRID_SPEC: SweepSpec = {
  base: { preset: 'small-cnn', epochs: 9 },
  space: { grid: { learningRate: [0.001, 0.01], batchSize: [16, 32] } },
  halving: true,
  eta: 3,
};
const job = () => ({ signal: new AbortController().signal, onProgress: () => {} });

test('halving trains all four trials to epoch 1, two to epoch 3 and the best to the end', async () => {
  const catalog = Catalog.open(':memory:');
  try {
    const sweep = createSweep(catalog, GRID_SPEC, 9);
    assert.deepEqual(sweep.rungs, [1, 3, 9]);
    const { trainer, calls, stopped } = standIn(catalog, [0.5, 0.2, 0.9, 0.3]);
    const result = await runSweep(
      catalog,
      sweep.id,
      (params) => trialSettings(GRID_SPEC.base, params, { width: 8, height: 8 }),
      trainer,
      job(),
    );
    assert.deepEqual(
      calls.map((call) => [call.trial, call.pauseAfterEpoch]),
      [
        [0, 1],
        [1, 1],
        [2, 1],
        [3, 1],
        [1, 3],
        [3, 3],
        [1, null],
      ],
    );
    const trials = catalog.sweeps.trials(sweep.id);
    assert.deepEqual(
      trials.map((trial) => trial.status),
      ['stopped', 'done', 'stopped', 'stopped'],
    );
    // A promoted trial resumes its own run; the stopped ones are finished with what they had.
    assert.equal(calls[4]!.resumeRunId, trials[1]!.runId);
    assert.deepEqual(stopped.sort(), [trials[0]!.runId, trials[2]!.runId, trials[3]!.runId].sort());
    assert.deepEqual(result, { sweepId: sweep.id, status: 'done', completed: 1, epochsTrained: 1 + 9 + 1 + 3 });
    assert.equal(catalog.sweeps.require(sweep.id).status, 'done');
    assert.deepEqual(trials[2]!.params, { learningRate: 0.01, batchSize: 16 });
  } finally {
    catalog.close();
  }
});

test('without halving every trial trains to the end; a cancel keeps the trials that finished', async () => {
  const catalog = Catalog.open(':memory:');
  try {
    const full = createSweep(catalog, { ...GRID_SPEC, halving: false }, 9);
    assert.deepEqual(full.rungs, [9]);
    const plain = standIn(catalog, [0.5, 0.2, 0.9, 0.3]);
    const done = await runSweep(
      catalog,
      full.id,
      (params) => trialSettings(GRID_SPEC.base, params, { width: 8, height: 8 }),
      plain.trainer,
      job(),
    );
    assert.equal(done.completed, 4);
    assert.equal(done.epochsTrained, 36);

    const cancelled = createSweep(catalog, { ...GRID_SPEC, halving: false }, 9);
    const controller = new AbortController();
    // The user cancels while the third trial trains.
    const stand = standIn(catalog, [0.5, 0.2, 0.9, 0.3], (trial) => trial === 2 && controller.abort());
    const result = await runSweep(
      catalog,
      cancelled.id,
      (params) => trialSettings(GRID_SPEC.base, params, { width: 8, height: 8 }),
      stand.trainer,
      { signal: controller.signal, onProgress: () => {} },
    );
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(
      catalog.sweeps.trials(cancelled.id).map((trial) => trial.status),
      ['done', 'done', 'cancelled', 'pending'],
    );
    assert.equal(catalog.sweeps.require(cancelled.id).status, 'cancelled');
    assert.ok(catalog.sweeps.trials(cancelled.id)[2]!.runId !== null, 'the cancelled trial keeps its run');
  } finally {
    catalog.close();
  }
});

test('a trial that fails ranks last and the sweep goes on', async () => {
  const catalog = Catalog.open(':memory:');
  try {
    const sweep = createSweep(catalog, GRID_SPEC, 9);
    const { trainer } = standIn(catalog, [0.5, 0.2, 0.9, 0.3]);
    const failing: TrialTrainer = {
      train: async (input) => {
        if (input.trial === 1) throw new Error('out of memory');
        return trainer.train(input);
      },
      stop: trainer.stop,
      progress: trainer.progress,
    };
    const result = await runSweep(
      catalog,
      sweep.id,
      (params) => trialSettings(GRID_SPEC.base, params, { width: 8, height: 8 }),
      failing,
      job(),
    );
    assert.equal(result.status, 'done');
    assert.deepEqual(
      catalog.sweeps.trials(sweep.id).map((trial) => trial.status),
      ['stopped', 'failed', 'stopped', 'done'],
    );
  } finally {
    catalog.close();
  }
});

test('a sweep’s trials export as CSV: parameters, status and best figures per trial', async () => {
  const catalog = Catalog.open(':memory:');
  try {
    const sweep = createSweep(catalog, GRID_SPEC, 9);
    const { trainer } = standIn(catalog, [0.5, 0.2, 0.9, 0.3]);
    await runSweep(
      catalog,
      sweep.id,
      (params) => trialSettings(GRID_SPEC.base, params, { width: 8, height: 8 }),
      trainer,
      job(),
    );
    // The stand-in records no epochs: figures come from each run's epochs, so give trial 2 one.
    const trials = catalog.sweeps.trials(sweep.id);
    catalog.runs.addEpoch(trials[1]!.runId!, 1, {
      loss: 0.4,
      accuracy: 0.9,
      valLoss: 0.25,
      valAccuracy: 0.875,
      epochSeconds: 2,
    });
    const { fileName, text } = sweepCsv(catalog, sweep.id);
    assert.equal(fileName, `sweep-${sweep.id}-trials.csv`);
    const lines = text.trim().split('\n');
    assert.equal(lines[0], 'trial,run,learningRate,batchSize,status,epochs,best_val_loss,best_val_accuracy,seconds');
    assert.equal(lines.length, 5);
    assert.equal(lines[2], `2,${trials[1]!.runId},0.001,32,done,1,0.25,0.875,2.0`);
    assert.match(lines[1]!, /^1,\d+,0\.001,16,stopped,0,,,0\.0$/);
  } finally {
    catalog.close();
  }
});

test('a sweep whose trainer died is found interrupted, not running, when the project opens', () => {
  const catalog = Catalog.open(':memory:');
  try {
    const sweep = createSweep(catalog, GRID_SPEC, 9);
    // Trial 2 was training when the app was killed: its run is still "running" with a dead owner.
    const run = catalog.runs.create({ name: 'trial 2', preset: 'small-cnn' });
    catalog.runs.update(run.id, { status: 'running' });
    catalog.sweeps.updateTrial(sweep.id, 0, { status: 'done' });
    catalog.sweeps.updateTrial(sweep.id, 1, { status: 'running', runId: run.id });
    recoverRuns(catalog, '/nonexistent/models');
    assert.equal(catalog.runs.require(run.id).status, 'interrupted');
    assert.equal(catalog.sweeps.require(sweep.id).status, 'interrupted');
    assert.deepEqual(
      catalog.sweeps.trials(sweep.id).map((trial) => trial.status),
      ['done', 'cancelled', 'pending', 'pending'],
    );
    // A sweep still training in a live process (its run's owner is alive) is left alone.
    const live = createSweep(catalog, GRID_SPEC, 9);
    const running = catalog.runs.create({ name: 'live', preset: 'small-cnn' });
    catalog.runs.update(running.id, { status: 'running' });
    catalog.sweeps.updateTrial(live.id, 0, { status: 'running', runId: running.id });
    recoverRuns(catalog, '/nonexistent/models', new Set([running.id]));
    assert.equal(catalog.sweeps.require(live.id).status, 'running');
  } finally {
    catalog.close();
  }
});

test('a sweep stopped mid-rung resumes where it was: decided rungs stay decided, paused trials do not retrain', async () => {
  const catalog = Catalog.open(':memory:');
  try {
    const sweep = createSweep(catalog, GRID_SPEC, 9);
    const settings = (params: Parameters<typeof trialSettings>[1]) =>
      trialSettings(GRID_SPEC.base, params, { width: 8, height: 8 });
    const controller = new AbortController();
    let calls = 0;
    // Killed while the second promoted trial trains to epoch 3.
    const first = standIn(catalog, [0.5, 0.2, 0.9, 0.3], () => ++calls === 6 && controller.abort());
    const stopped = await runSweep(catalog, sweep.id, settings, first.trainer, {
      signal: controller.signal,
      onProgress: () => {},
    });
    assert.equal(stopped.status, 'cancelled');
    assert.deepEqual(
      catalog.sweeps.trials(sweep.id).map((trial) => trial.status),
      ['stopped', 'paused', 'stopped', 'cancelled'],
    );
    const again = standIn(catalog, [0.5, 0.2, 0.9, 0.3], undefined, first.memory);
    const resumed = await runSweep(catalog, sweep.id, settings, again.trainer, job());
    assert.equal(resumed.status, 'done');
    const trials = catalog.sweeps.trials(sweep.id);
    assert.deepEqual(
      again.calls.map((call) => [call.trial, call.resumeRunId, call.pauseAfterEpoch]),
      [
        [3, trials[3]!.runId, 3],
        [1, trials[1]!.runId, null],
      ],
    );
    assert.deepEqual(
      trials.map((trial) => trial.status),
      ['stopped', 'done', 'stopped', 'stopped'],
      'the same outcome as a sweep never stopped',
    );
  } finally {
    catalog.close();
  }
});
