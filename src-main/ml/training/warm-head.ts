/**
 * Fine-tuning MobileNet whole starts from a head that already reads the pretrained
 * features ("linear probing, then fine-tuning", Kumar et al. 2022). A random head's
 * large early gradients would run back into the pretrained layers and wear away what
 * ImageNet taught them before the head has learnt anything; a trained head keeps the
 * first fine-tuning steps small. The features are computed once here, on the photos
 * as they are, so this costs one forward pass over the training set and seconds of
 * head training.
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../src-shared/errors.js';
import { exampleSize } from '../data/batches.js';
import { Rng } from '../data/rng.js';
import { EPSILON } from './step.js';
import type { LabelledSource } from './loop.js';

export interface WarmHeadOptions {
  epochs: number;
  learningRate: number;
  batchSize: number;
  labelSmoothing: number;
  seed: number;
  signal: AbortSignal;
  onProgress: (done: number, total: number) => void;
}

/** One forward pass of `network` over every example of `data`, unaugmented. */
async function features(network: tf.LayersModel, data: LabelledSource, options: WarmHeadOptions): Promise<tf.Tensor2D> {
  const { source } = data;
  const size = exampleSize(source);
  const batch = options.batchSize;
  const x = new Float32Array(batch * size);
  const ids = new Int32Array(batch);
  const parts: tf.Tensor[] = [];
  try {
    for (let start = 0; start < source.size; start += batch) {
      if (options.signal.aborted) throw new AppError('CANCELLED', 'Training was cancelled');
      const count = Math.min(batch, source.size - start);
      for (let b = 0; b < count; b++) ids[b] = start + b;
      source.fill(ids.subarray(0, count), x, false);
      parts.push(
        tf.tidy(
          () => network.apply(tf.tensor(x.subarray(0, count * size), [count, ...source.exampleShape])) as tf.Tensor,
        ),
      );
      options.onProgress(start + count, source.size);
      await new Promise((resolve) => setImmediate(resolve)); // let a cancel arrive
    }
    return tf.concat(parts) as tf.Tensor2D;
  } finally {
    parts.forEach((part) => part.dispose());
  }
}

/** Trains `head` on `network`'s features of the training examples; leaves no tensors behind. */
export async function warmStartHead(
  network: tf.LayersModel,
  head: tf.LayersModel,
  train: LabelledSource,
  numClasses: number,
  options: WarmHeadOptions,
): Promise<void> {
  const embedded = await features(network, train, options);
  const optimizer = tf.train.adam(options.learningRate);
  const rng = new Rng(options.seed);
  const count = train.labels.length;
  const order = Int32Array.from({ length: count }, (_, i) => i);
  const smoothing = options.labelSmoothing;
  const targets = tf.tidy(() =>
    tf.add(tf.mul(tf.oneHot(tf.tensor1d(train.labels, 'int32'), numClasses), 1 - smoothing), smoothing / numClasses),
  );
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      if (options.signal.aborted) throw new AppError('CANCELLED', 'Training was cancelled');
      rng.shuffle(order as unknown as number[]);
      for (let start = 0; start < count; start += options.batchSize) {
        const ids = order.subarray(start, Math.min(count, start + options.batchSize));
        tf.tidy(() => {
          const picked = tf.tensor1d(ids, 'int32');
          const x = tf.gather(embedded, picked);
          const y = tf.gather(targets, picked);
          optimizer.minimize(() => {
            const p = tf.clipByValue(head.apply(x, { training: true }) as tf.Tensor, EPSILON, 1 - EPSILON);
            return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(p)), -1))) as tf.Scalar;
          });
        });
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    embedded.dispose();
    targets.dispose();
    optimizer.dispose();
  }
}
