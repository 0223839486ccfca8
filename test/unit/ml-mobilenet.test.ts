/**
 * The mobilenet preset: bundled backbone, cached embeddings, exported full model.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { MemoryEmbeddingCache } from '../../src-main/ml/models/embedding-cache.js';
import { EMBEDDING_SIZE, findBundledMobilenet, loadMobilenetBackbone, MOBILENET_ID } from '../../src-main/ml/models/mobilenet.js';
import { loadClassifier, predictImages } from '../../src-main/ml/training/predict.js';
import { trainClassifier } from '../../src-main/ml/training/train.js';
import { shapeDataset, tempDir, useWasm } from './ml-fixtures.js';

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
    const first = await trainClassifier({ dataset, options: { preset: 'mobilenet', epochs: 3, seed: 2 }, runDir }, job, { embeddingCache: cache });
    assert.equal(first.status, 'completed');
    assert.equal(cache.puts, 18, 'every embedding stored once');
    assert.equal(tf.memory().numTensors, before, 'no tensors left');

    const second = await trainClassifier({ dataset, options: { preset: 'mobilenet', epochs: 1, seed: 2 }, runDir }, job, { embeddingCache: cache });
    assert.equal(second.status, 'completed');
    assert.equal(cache.puts, 18, 'second run computed nothing');
    assert.equal(cache.hits, 18);
    assert.equal((await cache.get(MOBILENET_ID, ['hash-t0'])).get('hash-t0')?.length, EMBEDDING_SIZE);

    const classifier = await loadClassifier(second.modelDir!);
    assert.deepEqual(classifier.preprocessing.input, { width: 224, height: 224, channels: 3 });
    const predictions = await predictImages(classifier, dataset.validation.slice(0, 2), { topK: 3 });
    assert.ok(predictions.every((p) => 'top' in p && p.top.length === 3));
    classifier.dispose();
    await rm(runDir, { recursive: true, force: true });
  });
});
