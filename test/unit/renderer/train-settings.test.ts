import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trainSettings } from '../../../src-shared/api/methods/training-methods.js';
import { defaultTrainForm, trainSettingsOf, type TrainForm } from '../../../src-renderer/src/state/train-settings.js';

const form = (overrides: Partial<TrainForm> = {}): TrainForm => ({ ...defaultTrainForm(), ...overrides });

test('train form: a conv preset sends its augmentation and ensemble, and no fine-tuning mode', () => {
  const settings = trainSettingsOf(form());
  assert.deepEqual(settings.augment, { flip: false });
  assert.equal(settings.ensemble, true);
  assert.equal('fineTune' in settings, false);
  assert.equal(settings.logitAdjustment, 0.75);
  trainSettings.parse(settings);
});

test('train form: a frozen MobileNet head sends no augmentation; fine-tuning sends the mode and views', () => {
  const head = trainSettingsOf(form({ preset: 'mobilenet', flip: true }));
  assert.equal(head.fineTune, 'head');
  assert.equal(head.augment, false);
  assert.equal(head.ensemble, false);
  for (const mode of ['top', 'all'] as const) {
    const tuned = trainSettingsOf(form({ preset: 'mobilenet', fineTune: mode, flip: true }));
    assert.equal(tuned.fineTune, mode);
    assert.deepEqual(tuned.augment, { flip: true });
    assert.equal(trainSettingsOf(form({ preset: 'mobilenet', fineTune: mode, augment: false })).augment, false);
    trainSettings.parse(tuned);
  }
  assert.equal('fineTune' in trainSettingsOf(form({ fineTune: 'all' })), false, 'a conv preset trains whole anyway');
});

test('train form: balanced class weights turn logit adjustment off', () => {
  assert.equal(trainSettingsOf(form({ classWeights: 'balanced' })).logitAdjustment, 0);
});
