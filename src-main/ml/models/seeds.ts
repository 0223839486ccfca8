/**
 * Seeded weight initializers for the presets' builders, so a run seed reproduces
 * the initial weights: each layer that asks gets its own seed, derived from the
 * run's seed and the layer's place in the order of asking.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../data/rng.js';

type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

export class Seeds {
  private count = 0;
  constructor(private readonly seed: number) {}

  /** Glorot uniform: layers followed by softmax or no ReLU. */
  kernel(): Initializer {
    return tf.initializers.glorotUniform({ seed: this.next() });
  }

  /** He normal: layers followed by ReLU (directly or after batch norm). */
  heKernel(): Initializer {
    return tf.initializers.heNormal({ seed: this.next() });
  }

  private next(): number {
    return deriveSeed(this.seed, `layer-${this.count++}`);
  }
}
