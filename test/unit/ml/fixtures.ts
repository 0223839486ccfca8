/**
 * Shared fixtures for the ML tests: tiny generated images and backend setup.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerWasmTrainingKernels } from '../../../src-main/ml/kernels/index.js';
import type { Dataset, Sample } from '../../../src-main/ml/data/dataset.js';
import { Rng } from '../../../src-main/ml/data/rng.js';

export async function useWasm(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmTrainingKernels();
}

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `seshat-${prefix}-`));
}

export const SHAPE_CLASSES = ['square', 'disc', 'bar'];

/**
 * A size×size RGB image of class `label`: a red square, a green disc or a blue
 * horizontal bar at a random position on a noisy grey ground.
 */
export function shapeImage(label: number, size: number, rng: Rng): Uint8Array {
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < data.length; i++) data[i] = 90 + rng.int(40);
  const cx = 4 + rng.int(size - 8);
  const cy = 4 + rng.int(size - 8);
  const colour = [
    [220, 40, 40],
    [40, 200, 60],
    [50, 70, 230],
  ][label]!;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const inside =
        label === 0
          ? Math.abs(dx) <= 3 && Math.abs(dy) <= 3
          : label === 1
            ? dx * dx + dy * dy <= 10
            : Math.abs(dy) <= 1 && Math.abs(dx) <= 5;
      if (!inside) continue;
      const o = (y * size + x) * 3;
      data[o] = colour[0]!;
      data[o + 1] = colour[1]!;
      data[o + 2] = colour[2]!;
    }
  }
  return data;
}

export function shapeSamples(count: number, size: number, seed: number, prefix = 's'): Sample[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const label = i % SHAPE_CLASSES.length;
    return {
      id: `${prefix}${i}`,
      label,
      source: {
        kind: 'raw' as const,
        data: shapeImage(label, size, rng),
        width: size,
        height: size,
        channels: 3 as const,
      },
    };
  });
}

export function shapeDataset(trainCount: number, validationCount: number, size = 16, seed = 7): Dataset {
  return {
    classes: SHAPE_CLASSES,
    train: shapeSamples(trainCount, size, seed, 't'),
    validation: shapeSamples(validationCount, size, seed + 1, 'v'),
  };
}
