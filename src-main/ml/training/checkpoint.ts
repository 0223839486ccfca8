/**
 * Per-epoch checkpoints: model weights, best-so-far weights, optimizer state and
 * the loop's own state, in `<runDir>/checkpoint/`.
 *
 * Weights are stored by position (w0, w1, …), not by tfjs variable name: names get
 * process-dependent suffixes (conv2d_Conv2D3 vs conv2d_Conv2D7), while the order
 * of a preset's weights is fixed. Shapes are checked on load. A checkpoint is
 * written to a sibling folder and swapped in by rename, so a crash leaves the
 * previous one intact.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { replaceFolder } from '../model-io.js';
import type { NamedTensor } from './optimizers.js';
import type { EpochEvent, TrainOptions } from './types.js';

export const CHECKPOINT_DIR = 'checkpoint';

/** The loop's state after a completed epoch. */
export interface LoopState {
  /** Completed epochs. */
  epoch: number;
  history: EpochEvent[];
  bestEpoch: number | null;
  /** Best monitored value (validation loss, or training loss without validation). */
  bestValue: number | null;
  /** Epochs since the last improvement (early stopping, learning-rate decay). */
  wait: number;
  /** Learning rate for the next epoch (lowered on plateaus). */
  learningRate: number;
  shuffleRng: number;
  augmentRng: number;
}

interface StoredGroup {
  file: string;
  specs: tf.io.WeightsManifestEntry[];
  /** Optimizer slot names, kept for readability and for tfjs' `originalName`. */
  names: string[];
}

interface CheckpointJson {
  version: 1;
  options: TrainOptions;
  classes: string[];
  state: LoopState;
  groups: Record<'weights' | 'best' | 'optimizer', StoredGroup | null>;
}

export interface Checkpoint {
  options: TrainOptions;
  classes: string[];
  state: LoopState;
  weights: tf.Tensor[];
  best: tf.Tensor[] | null;
  optimizer: NamedTensor[];
}

async function writeGroup(dir: string, file: string, tensors: NamedTensor[]): Promise<StoredGroup> {
  const positional = tensors.map((t, i) => ({ name: `w${i}`, tensor: t.tensor }));
  const { data, specs } = await tf.io.encodeWeights(positional);
  await writeFile(join(dir, file), new Uint8Array(tf.io.CompositeArrayBuffer.join(data)));
  return { file, specs, names: tensors.map((t) => t.name) };
}

async function readGroup(dir: string, group: StoredGroup): Promise<NamedTensor[]> {
  const bytes = await readFile(join(dir, group.file));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const map = tf.io.decodeWeights(buffer, group.specs);
  return group.specs.map((spec, i) => ({ name: group.names[i] ?? spec.name, tensor: map[spec.name]! }));
}

const named = (tensors: tf.Tensor[]): NamedTensor[] => tensors.map((tensor, i) => ({ name: `w${i}`, tensor }));

export async function saveCheckpoint(
  runDir: string,
  content: {
    options: TrainOptions;
    classes: string[];
    state: LoopState;
    weights: tf.Tensor[];
    best: tf.Tensor[] | null;
    optimizer: NamedTensor[];
  },
): Promise<string> {
  const target = join(runDir, CHECKPOINT_DIR);
  const staged = `${target}.tmp-${process.pid}`;
  await rm(staged, { recursive: true, force: true });
  await mkdir(staged, { recursive: true });
  const json: CheckpointJson = {
    version: 1,
    options: content.options,
    classes: content.classes,
    state: content.state,
    groups: {
      weights: await writeGroup(staged, 'weights.bin', named(content.weights)),
      best: content.best ? await writeGroup(staged, 'best.bin', named(content.best)) : null,
      optimizer: await writeGroup(staged, 'optimizer.bin', content.optimizer),
    },
  };
  await writeFile(join(staged, 'checkpoint.json'), JSON.stringify(json));
  await replaceFolder(staged, target);
  return target;
}

export function hasCheckpoint(runDir: string): boolean {
  return existsSync(join(runDir, CHECKPOINT_DIR, 'checkpoint.json'));
}

/** Loads a checkpoint; the caller owns (and must dispose) every returned tensor. */
export async function loadCheckpoint(runDir: string): Promise<Checkpoint> {
  const dir = join(runDir, CHECKPOINT_DIR);
  const json = JSON.parse(await readFile(join(dir, 'checkpoint.json'), 'utf8')) as CheckpointJson;
  if (json.version !== 1) throw new Error(`unsupported checkpoint version ${String(json.version)}`);
  const tensors = async (group: StoredGroup | null): Promise<tf.Tensor[] | null> =>
    group ? (await readGroup(dir, group)).map((t) => t.tensor) : null;
  return {
    options: json.options,
    classes: json.classes,
    state: json.state,
    weights: (await tensors(json.groups.weights)) ?? [],
    best: await tensors(json.groups.best),
    optimizer: json.groups.optimizer ? await readGroup(dir, json.groups.optimizer) : [],
  };
}

/** Sets `model`'s weights from `values`, checking that shapes line up. */
export function assignWeights(model: tf.LayersModel, values: tf.Tensor[]): void {
  const weights = model.weights;
  if (weights.length !== values.length)
    throw new Error(`checkpoint has ${values.length} weights, model has ${weights.length}`);
  weights.forEach((w, i) => {
    const shape = values[i]!.shape;
    if (w.shape.join(',') !== shape.join(','))
      throw new Error(`checkpoint weight ${i} has shape [${shape}], model expects [${w.shape}]`);
  });
  model.setWeights(values);
}
