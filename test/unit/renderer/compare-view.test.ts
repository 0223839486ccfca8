import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestIndex, classRows, differingSettings } from '../../../src-renderer/src/components/compare-view.js';
import type { TrainSettings } from '../../../src-shared/api/wire-training.js';

const run = (settings: TrainSettings | null) => ({ settings });

test('compare: only the settings that differ, nested ones by their own part', () => {
  const rows = differingSettings([
    run({ preset: 'small-cnn', epochs: 2, learningRate: 0.001, architecture: { dropout: 0.25, denseUnits: 32 } }),
    run({ preset: 'small-cnn', epochs: 2, learningRate: 0.01, architecture: { dropout: 0.5, denseUnits: 32 } }),
  ]);
  assert.deepEqual(
    rows.map((row) => [row.key, row.label, row.values]),
    [
      ['architecture.dropout', 'Dropout', ['0.25', '0.5']],
      ['learningRate', 'Learning rate', ['0.001', '0.01']],
    ],
  );
  // Left to the preset in one run, set in the other; turned off versus set in parts.
  const more = differingSettings([
    run({ preset: 'mlp', earlyStopping: null, augment: false }),
    run({ preset: 'small-cnn', earlyStopping: { patience: 5, minDelta: 0 }, seed: 3 }),
    run(null),
  ]);
  const byKey = Object.fromEntries(more.map((row) => [row.key, row.values]));
  assert.deepEqual(byKey.earlyStopping, ['off', 'on', 'default']);
  assert.deepEqual(byKey['earlyStopping.patience'], ['off', '5', 'default']);
  assert.deepEqual(byKey.augment, ['off', 'default', 'default']);
  assert.deepEqual(byKey.seed, ['default', '3', 'default']);
  assert.equal(byKey.preset, undefined); // the model has its own row
  assert.deepEqual(differingSettings([run({ preset: 'mlp', seed: 1 }), run({ preset: 'resnet', seed: 1 })]), []);
});

test('compare: the best per row, and classes by name or by how much the runs disagree', () => {
  assert.equal(bestIndex([0.5, 0.9, null]), 1);
  assert.equal(bestIndex([0.5, 0.2], false), 1);
  assert.equal(bestIndex([0.5, 0.5]), null); // a tie picks out nobody
  assert.equal(bestIndex([0.5, null]), null);
  const perClass = [
    { label: 'G43', f1: [0.9, 0.5] },
    { label: 'A1', f1: [0.8, 0.8] },
    { label: 'D58', f1: [null, 0.7] },
    { label: 'A10', f1: [0.2, 0.9] },
    { label: 'A2', f1: [0.6, 0.65] },
  ];
  assert.deepEqual(
    classRows(perClass, 'class').map((row) => row.label),
    ['A1', 'A2', 'A10', 'D58', 'G43'],
  );
  const bySpread = classRows(perClass, 'spread');
  assert.deepEqual(
    bySpread.map((row) => row.label),
    ['A10', 'G43', 'A2', 'A1', 'D58'],
  );
  assert.ok(Math.abs(bySpread[0]!.spread! - 0.7) < 1e-9);
  assert.equal(bySpread[0]!.best, 1);
  assert.equal(bySpread.at(-1)!.spread, null);
});
