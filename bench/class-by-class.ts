/**
 * Photos whose classes a user adds one at a time (`train --accuracy=flowers-classes`):
 * the flower sample's stratified 80/20 split, trained with the MobileNet preset on its
 * first two classes, then three, … up to all five, as a person growing a project would.
 * Each step reports validation top-1 (over the classes it has) and how long the retrain
 * took: embeddings are computed once (as the app's catalog keeps them), so adding a class
 * costs only its own photos' embeddings and a new head.
 */
import { join } from 'node:path';
import { MemoryEmbeddingCache } from '../src-main/ml/inference/embedding-cache.js';
import type { Dataset } from '../src-main/ml/data/dataset.js';
import { trainClassifier } from '../src-main/ml/training/train.js';

export async function classByClass(dataset: Dataset | null, log: (...parts: unknown[]) => void) {
  if (!dataset) return { dataset: 'flowers-sample', skipped: 'dataset not found' };
  const cache = new MemoryEmbeddingCache();
  // The sample's path is its content key here: the files do not change during the bench.
  const keyed = (samples: Dataset['train']) => samples.map((sample) => ({ ...sample, hash: sample.id }));
  const steps = [];
  for (let k = 2; k <= dataset.classes.length; k++) {
    const subset: Dataset = {
      classes: dataset.classes.slice(0, k),
      train: keyed(dataset.train.filter((sample) => sample.label < k)),
      validation: keyed(dataset.validation.filter((sample) => sample.label < k)),
    };
    const started = performance.now();
    const result = await trainClassifier(
      {
        dataset: subset,
        options: { preset: 'mobilenet', seed: 1 },
        runDir: join(process.env.TMPDIR ?? '/tmp', `seshat-bench-classes-${k}-${process.pid}`),
      },
      { signal: new AbortController().signal, onProgress: () => {}, onEpoch: () => {} },
      { embeddingCache: cache },
    );
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    log(`flowers, ${k} classes: top-1 ${result.evaluation?.accuracy} in ${seconds} s`);
    steps.push({
      classes: subset.classes,
      train_images: subset.train.length,
      validation_images: subset.validation.length,
      val_top1: result.evaluation?.accuracy ?? null,
      val_macro_f1: result.evaluation?.macroF1 ?? null,
      epochs_run: result.epochsCompleted,
      seconds,
    });
  }
  return {
    dataset: 'flowers-sample',
    split: 'stratified random 80/20, classes added one at a time',
    preset: 'mobilenet',
    steps,
    embeddings_cached: cache.size,
  };
}
