/**
 * The mobilenet preset: bundled backbone, cached embeddings, exported full model.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MemoryEmbeddingCache } from '../../../src-main/ml/inference/embedding-cache.js';
import {
  EMBEDDING_SIZE,
  findBundledMobilenet,
  loadMobilenetBackbone,
  MOBILENET_ID,
} from '../../../src-main/ml/models/mobilenet.js';
import { combineProbabilities, COMPANION_DIR, ENSEMBLE_FILE } from '../../../src-main/ml/inference/ensemble.js';
import { loadClassifier, predictImages } from '../../../src-main/ml/inference/predict.js';
import { trainClassifier } from '../../../src-main/ml/training/train.js';
import { shapeDataset, tempDir, useWasm } from './fixtures.js';

before(async () => {
  await useWasm();
});

/** Counts what the trainer asks of the cache. */
class CountingCache extends MemoryEmbeddingCache {
  puts = 0;
  hits = 0;
  override async get(model: string, hashes: string[]): Promise<Map<string, Float32Array>> {
    const found = await super.get(model, hashes);
    this.hits += found.size;
    return found;
  }
  override async put(model: string, entries: Array<[string, Float32Array]>): Promise<void> {
    this.puts += entries.length;
    await super.put(model, entries);
  }
}

describe('mobilenet preset', () => {
  test('the bundled backbone loads and gives 1280-d embeddings', async () => {
    assert.ok(findBundledMobilenet(), 'resources/models copy found');
    const before = tf.memory().numTensors;
    const backbone = await loadMobilenetBackbone();
    const out = tf.tidy(() => backbone.predict(tf.zeros([1, 224, 224, 3])) as tf.Tensor);
    assert.deepEqual(out.shape, [1, EMBEDDING_SIZE]);
    out.dispose();
    backbone.dispose();
    assert.equal(tf.memory().numTensors, before, 'backbone and discarded head disposed');
  });

  test('trains a head on cached embeddings and exports an image classifier', async () => {
    const dataset = shapeDataset(12, 6, 32);
    [...dataset.train, ...dataset.validation].forEach((sample) => (sample.hash = `hash-${sample.id}`));
    const cache = new CountingCache();
    const runDir = await tempDir('mobilenet');
    const before = tf.memory().numTensors;
    const job = { signal: new AbortController().signal, onProgress: () => {} };
    const first = await trainClassifier(
      { dataset, options: { preset: 'mobilenet', fineTune: 'head', epochs: 3, seed: 2 }, runDir },
      job,
      { embeddingCache: cache },
    );
    assert.equal(first.status, 'completed');
    assert.equal(cache.puts, 18, 'every embedding stored once');
    assert.equal(tf.memory().numTensors, before, 'no tensors left');

    const second = await trainClassifier(
      { dataset, options: { preset: 'mobilenet', fineTune: 'head', epochs: 1, seed: 2 }, runDir },
      job,
      { embeddingCache: cache },
    );
    assert.equal(second.status, 'completed');
    assert.equal(cache.puts, 18, 'second run computed nothing');
    assert.equal(cache.hits, 18);
    assert.equal((await cache.get(MOBILENET_ID, ['hash-t0'])).get('hash-t0')?.length, EMBEDDING_SIZE);

    const classifier = await loadClassifier(second.modelDir!);
    assert.deepEqual(classifier.preprocessing.input, { width: 224, height: 224, channels: 3 });
    const predictions = await predictImages(classifier, dataset.validation.slice(0, 2), { topK: 3 });
    assert.ok(predictions.every((p) => 'top' in p && p.top.length === 3));

    // 224-px images go to the model a few at a time (each call blocks the main
    // thread), whatever batch is asked for, and the results do not depend on it.
    const member = classifier.members[0]!;
    const graph = member.graph!;
    const callRows: number[] = [];
    const original = graph.predict.bind(graph);
    member.graph = { ...graph, predict: (x) => (callRows.push(x.shape[0]!), original(x)) };
    const all = [...dataset.train, ...dataset.validation];
    const big = await predictImages(classifier, all, { topK: 2, batchSize: 64 });
    assert.deepEqual(callRows, [6, 6, 6], 'at most 6 MobileNet images per call');
    const small = await predictImages(classifier, all, { topK: 2, batchSize: 4 });
    big.forEach((p, i) => {
      const q = small[i]!;
      assert.ok(
        'top' in p &&
          'top' in q &&
          p.top[0]!.label === q.top[0]!.label &&
          Math.abs(p.top[0]!.probability - q.top[0]!.probability) < 1e-5,
        `image ${i}`,
      );
    });
    member.graph = graph;
    classifier.dispose();
    await rm(runDir, { recursive: true, force: true });
  });

  test('CNN+ with the MobileNet companion exports an ensemble that Predict combines', async () => {
    const dataset = shapeDataset(12, 6, 24);
    [...dataset.train, ...dataset.validation].forEach((sample) => (sample.hash = `hash-${sample.id}`));
    const runDir = await tempDir('ensemble');
    const before = tf.memory().numTensors;
    const job = { signal: new AbortController().signal, onProgress: () => {} };
    const result = await trainClassifier(
      { dataset, options: { preset: 'cnn-plus', epochs: 2, seed: 3 }, runDir },
      job,
      { embeddingCache: new MemoryEmbeddingCache() },
    );
    assert.equal(result.status, 'completed');
    assert.equal(result.options.ensemble, true, 'on by default for CNN+');
    assert.deepEqual(
      result.ensemble?.members.map((m) => m.preset),
      ['cnn-plus', 'mobilenet'],
    );
    assert.ok(
      existsSync(join(result.modelDir!, ENSEMBLE_FILE)) &&
        existsSync(join(result.modelDir!, COMPANION_DIR, 'model.json')),
    );
    assert.ok(!existsSync(join(runDir, 'companion')), 'the companion run folder is cleaned up');
    assert.equal(tf.memory().numTensors, before, 'no tensors left');

    // The ensemble's probabilities are the geometric mean of its members' (each loaded on its own).
    const ensemble = await loadClassifier(result.modelDir!);
    assert.equal(ensemble.members.length, 2);
    ensemble.dispose();
    const images = dataset.validation.slice(0, 3);
    const probabilities = async (dir: string): Promise<number[][]> => {
      const classifier = await loadClassifier(dir);
      try {
        const top = await predictImages(classifier, images, { topK: 3 });
        return top.map((p) =>
          'top' in p ? [...p.top].sort((a, b) => a.index - b.index).map((t) => t.probability) : [],
        );
      } finally {
        classifier.dispose();
      }
    };
    const [both, cnnAlone, mobilenetAlone] = await Promise.all([
      probabilities(result.modelDir!),
      // A folder without ensemble.json is a single model: copy the CNN part alone.
      (async () => {
        const single = await tempDir('single');
        await cp(result.modelDir!, single, {
          recursive: true,
          filter: (path) => !path.includes(ENSEMBLE_FILE) && !path.includes(`/${COMPANION_DIR}`),
        });
        try {
          return await probabilities(single);
        } finally {
          await rm(single, { recursive: true, force: true });
        }
      })(),
      probabilities(join(result.modelDir!, COMPANION_DIR)),
    ]);
    both.forEach((row, i) => {
      const expected = combineProbabilities(
        [Float32Array.from(cnnAlone[i]!), Float32Array.from(mobilenetAlone[i]!)],
        [0.5, 0.5],
        3,
      );
      row.forEach((p, k) =>
        assert.ok(Math.abs(p - expected[k]!) < 1e-5, `image ${i} class ${k}: ${p} vs ${expected[k]}`),
      );
    });
    assert.equal(tf.memory().numTensors, before, 'classifiers freed');

    const single = await trainClassifier(
      { dataset, options: { preset: 'cnn-plus', epochs: 1, seed: 3, ensemble: false }, runDir },
      job,
      {},
    );
    assert.equal(single.ensemble, null);
    assert.ok(!existsSync(join(single.modelDir!, ENSEMBLE_FILE)), 'ensemble: false exports one model');
    await rm(runDir, { recursive: true, force: true });
  });

  test('a companion that fails or is cancelled leaves the CNN+ model alone, with a warning', async () => {
    const dataset = shapeDataset(9, 3, 16);
    const runDir = await tempDir('companion-fails');
    const before = tf.memory().numTensors;
    const failing = await trainClassifier(
      {
        dataset,
        options: { preset: 'cnn-plus', epochs: 1, seed: 3 },
        runDir,
        mobilenetDir: join(runDir, 'no-such-model'),
      },
      { signal: new AbortController().signal, onProgress: () => {} },
      {},
    );
    assert.equal(failing.status, 'completed', 'the conv run itself is not failed');
    assert.equal(failing.ensemble, null);
    assert.ok(
      failing.warnings.some((w) => /MobileNet companion failed .*no-such-model.*CNN\+ \(batch norm\) alone/.test(w)),
      failing.warnings.join(' | '),
    );
    assert.ok(
      failing.modelDir &&
        !existsSync(join(failing.modelDir, ENSEMBLE_FILE)) &&
        !existsSync(join(failing.modelDir, COMPANION_DIR)),
    );
    assert.ok(!existsSync(join(runDir, 'companion')));

    const controller = new AbortController();
    const cancelled = await trainClassifier(
      { dataset, options: { preset: 'cnn-plus', epochs: 1, seed: 3 }, runDir },
      { signal: controller.signal, onProgress: (p) => p.message?.startsWith('Step 2 of 2') && controller.abort() },
      {},
    );
    assert.equal(cancelled.status, 'completed', 'cancelling the companion keeps the trained CNN+');
    assert.equal(cancelled.ensemble, null);
    assert.ok(
      cancelled.warnings.some((w) => /companion was cancelled/.test(w)),
      cancelled.warnings.join(' | '),
    );
    const classifier = await loadClassifier(cancelled.modelDir!);
    assert.equal(classifier.members.length, 1, 'a single model');
    classifier.dispose();
    assert.equal(tf.memory().numTensors, before, 'no tensors left');
    await rm(runDir, { recursive: true, force: true });
  });

  test('the geometric mean of probabilities is renormalised and weighted', () => {
    const combined = combineProbabilities([Float32Array.of(0.8, 0.2), Float32Array.of(0.5, 0.5)], [1, 1], 2);
    // √(0.8·0.5) = 0.632, √(0.2·0.5) = 0.316 → 2/3, 1/3
    assert.ok(Math.abs(combined[0]! - 2 / 3) < 1e-6 && Math.abs(combined[1]! - 1 / 3) < 1e-6, `${combined}`);
    const weighted = combineProbabilities([Float32Array.of(0.9, 0.1), Float32Array.of(0.1, 0.9)], [3, 1], 2);
    // 0.9^¾·0.1^¼ : 0.1^¾·0.9^¼ = 3 : 1
    assert.ok(Math.abs(weighted[0]! - 0.75) < 1e-6, `weights are exponents: ${weighted}`);
    const zero = combineProbabilities([Float32Array.of(1, 0), Float32Array.of(0, 1)], [1, 1], 2);
    assert.ok(zero.every(Number.isFinite), 'zeros do not give NaN');
  });
});
