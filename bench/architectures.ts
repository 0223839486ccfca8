/**
 * `train --accuracy=architectures`: the classic comparison of a Keras notebook, on the
 * same split. A fully connected net on the pixels (MLP), the Small CNN, CNN+ and a small
 * ResNet, each with its preset's defaults and no MobileNet companion (the architectures
 * alone), on unas-glyphs split by picture (whole wall photographs held out). Per model:
 * validation top-1 and macro-F1, weights, epochs, training images/s and wall time.
 */
import * as tf from '@tensorflow/tfjs';
import { buildConvPreset } from '../src-main/ml/models/presets.js';
import type { PresetId } from '../src-main/ml/models/presets.js';
import { accuracyRun, glyphDataset } from './accuracy-runs.js';

const COMPARED: Exclude<PresetId, 'mobilenet'>[] = ['mlp', 'small-cnn', 'cnn-plus', 'resnet'];
/** `--models=resnet,mlp`: compare only these (a rerun of one). */
const only = process.argv
  .find((arg) => arg.startsWith('--models='))
  ?.slice('--models='.length)
  .split(',');

export async function architectures(log: (...parts: unknown[]) => void) {
  const dataset = glyphDataset(1, 'picture');
  if (!dataset) return { dataset: 'unas-glyphs', skipped: 'dataset not found' };
  const input = { width: 50, height: 75 };
  const rows = [];
  for (const preset of COMPARED.filter((p) => !only || only.includes(p))) {
    const model = buildConvPreset(preset, { ...input, channels: 1 }, dataset.classes.length, 1);
    const weights = model.countParams();
    model.dispose();
    log(`architectures: ${preset} (${weights} weights)`);
    const row = await accuracyRun('unas-glyphs', 'whole pictures held out (group-aware 80/20)', dataset, {
      preset,
      glyphMode: true,
      colorMode: 'grayscale',
      input,
      seed: 1,
      ensemble: false,
    });
    rows.push({
      preset,
      weights,
      val_top1: row.val_top1,
      val_top5: row.val_top5,
      val_macro_f1: row.val_macro_f1,
      val_seen_classes: row.val_seen_classes,
      epochs_run: row.epochs_run,
      best_epoch: row.best_epoch,
      train_img_per_s: row.train_img_per_s,
      threads: row.threads,
      wall_seconds: row.wall_seconds,
    });
  }
  return {
    dataset: 'unas-glyphs',
    split: 'whole pictures held out (group-aware 80/20), the same for every model',
    note: 'each preset with its own defaults; no MobileNet companion',
    models: rows,
    tensors_left: tf.memory().numTensors,
  };
}
