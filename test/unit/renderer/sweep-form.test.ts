import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sweepSpec } from '../../../src-shared/api/methods/sweep-methods.js';
import {
  defaultSweepForm,
  sweepParametersFor,
  sweepSpecOf,
  type SweepForm,
} from '../../../src-renderer/src/state/sweep-form.js';
import { axisFor, savedLine, sortTrials } from '../../../src-renderer/src/components/sweep-view.js';
import type { SweepTrial } from '../../../src-shared/api/wire-sweeps.js';

const base = { preset: 'small-cnn' as const, learningRate: 0.002, ensemble: false };

function form(values: Partial<SweepForm['values']>, overrides: Partial<Omit<SweepForm, 'values'>> = {}): SweepForm {
  const empty = defaultSweepForm();
  return { ...empty, ...overrides, values: { ...empty.values, ...values } };
}

function messageOf(f: SweepForm, settings: Parameters<typeof sweepSpecOf>[1] = base): string {
  const plan = sweepSpecOf(f, settings);
  assert.equal(plan.ok, false);
  return plan.ok ? '' : plan.message;
}

test('sweep form: a grid of two lists is every combination, over the Train form settings', () => {
  const plan = sweepSpecOf(form({ learningRate: '0.001, 0.01', denseUnits: '16,32,' }, { epochs: 3 }), base);
  assert.ok(plan.ok);
  assert.equal(plan.trials, 4);
  assert.deepEqual(plan.spec.space, { grid: { learningRate: [0.001, 0.01], denseUnits: [16, 32] } });
  assert.deepEqual(plan.spec.base, { ...base, epochs: 3 });
  assert.equal(plan.spec.halving, true);
  sweepSpec.parse(plan.spec);
});

test('sweep form: random search takes ranges and listed choices, and its trial count and seed', () => {
  const f = form(
    { learningRate: '1e-4:1e-2:log', dropout: '0 : 0.5', optimizer: 'Adam, sgd' },
    { random: true, trials: 8, seed: 7 },
  );
  const plan = sweepSpecOf(f, base);
  assert.ok(plan.ok);
  assert.equal(plan.trials, 8);
  assert.deepEqual(plan.spec.space, {
    grid: { optimizer: ['adam', 'sgd'] },
    random: 8,
    seed: 7,
    ranges: {
      learningRate: { min: 1e-4, max: 1e-2, scale: 'log' },
      dropout: { min: 0, max: 0.5, scale: 'linear' },
    },
  });
  sweepSpec.parse(plan.spec);
});

test('sweep form: bad text names the field and the value', () => {
  assert.equal(messageOf(form({ learningRate: '0.001, abc' })), 'Learning rate: "abc" is not a number');
  assert.equal(messageOf(form({ denseUnits: '16, 32.5' })), 'Dense units: "32.5" is not a whole number');
  assert.equal(messageOf(form({ dropout: '0, 0.95' })), 'Dropout: 0.95 is out of range (0 to 0.9)');
  assert.equal(messageOf(form({ learningRate: '0, 0.1' })), 'Learning rate: 0 is out of range (above 0 to 10)');
  assert.equal(messageOf(form({ optimizer: 'adam, adamw' })), 'Optimizer: "adamw" is not one of adam, sgd, rmsprop');
  assert.equal(messageOf(form({ batchSize: '16,,32' })), 'Batch size: "16,,32" has an empty value between commas');
  assert.match(
    messageOf(form({ learningRate: '1e-4:1e-2' })),
    /^Learning rate: "1e-4:1e-2" is a range; ranges need random search/,
  );
  const random = { random: true, trials: 5 };
  assert.equal(
    messageOf(form({ learningRate: '0:1e-2:log' }, random)),
    'Learning rate: 0 is out of range (above 0 to 10)',
  );
  assert.equal(
    messageOf(form({ dropout: '0:0.5:log' }, random)),
    'Dropout: "0:0.5:log" is a log range, which needs min above 0',
  );
  assert.equal(messageOf(form({ dropout: '0.5:0.1' }, random)), 'Dropout: "0.5:0.1" needs min below max');
  assert.equal(
    messageOf(form({ dropout: '0:0.5:cubic' }, random)),
    'Dropout: write "0:0.5:cubic" as min:max or min:max:log',
  );
  assert.equal(
    messageOf(form({ dropout: '0:0.5' }, { random: true, trials: 1 })),
    'Trials: "1" must be a whole number from 2 to 500',
  );
  assert.equal(
    messageOf(form({ dropout: '0, 0.5' }, { epochs: 0 })),
    'Epochs per trial: "0" must be a whole number from 1 to 10000',
  );
});

test('sweep form: a sweep must compare something, and halving needs equal epochs', () => {
  assert.equal(messageOf(form({})), 'Nothing varies: list values for at least one parameter');
  assert.match(messageOf(form({ dropout: '0.25' })), /^A grid of one trial compares nothing/);
  assert.match(messageOf(form({ epochs: '3, 6' })), /^Epochs: halving compares trials at the same epochs/);
  assert.ok(sweepSpecOf(form({ epochs: '3, 6' }, { halving: false }), base).ok);
});

test('sweep form: only the preset own parameters are read', () => {
  assert.equal(sweepParametersFor('mlp').includes('convBlocks'), false);
  assert.equal(sweepParametersFor('resnet').includes('denseUnits'), false);
  assert.deepEqual(
    sweepParametersFor('mobilenet').filter((name) => ['denseUnits', 'convFilters', 'dropout'].includes(name)),
    ['dropout'],
  );
  // Dense units typed for Small CNN, then MLP chosen: the conv field is left out, not an error.
  const plan = sweepSpecOf(form({ denseUnits: '64, 128', convBlocks: '2, x' }), { preset: 'mlp' });
  assert.ok(plan.ok);
  assert.deepEqual(plan.spec.space.grid, { denseUnits: [64, 128] });
});

const trial = (n: number, accuracy: number | null, status: SweepTrial['status'] = 'done'): SweepTrial => ({
  trial: n,
  params: { learningRate: [0.01, 0.001, 0.1][n % 3]! },
  runId: n + 1,
  status,
  epochs: 3,
  bestValLoss: accuracy === null ? null : 1 - accuracy,
  bestValAccuracy: accuracy,
  seconds: 2,
  curve: [],
});

test('sweep view: sorting puts untrained trials last; wide values get a log axis', () => {
  const trials = [trial(0, 0.5), trial(1, null, 'pending'), trial(2, 0.9, 'stopped')];
  assert.deepEqual(
    sortTrials(trials, 'bestValAccuracy', true).map((t) => t.trial),
    [2, 0, 1],
  );
  assert.deepEqual(
    sortTrials(trials, 'bestValAccuracy', false).map((t) => t.trial),
    [0, 2, 1],
  );
  assert.deepEqual(
    sortTrials(trials, 'learningRate', false).map((t) => t.trial),
    [1, 0, 2],
  );
  assert.equal(axisFor([0.001, 0.01, 0.1]).kind, 'log');
  assert.equal(axisFor([16, 32]).kind, 'linear');
  assert.equal(axisFor(['adam', 'sgd']).kind, 'category');
  const log = axisFor([0.001, 0.1]);
  assert.ok(Math.abs(log.position(0.01)! - 0.5) < 1e-9);
  assert.equal(
    savedLine({ epochsTrained: 14, epochsFull: 36, halving: true, status: 'done' }),
    'trained 14 of 36 epochs, 61 % saved',
  );
});
