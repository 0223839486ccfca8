/**
 * Backbone embeddings live in the project's catalog, so a reopened project (a new app
 * session) trains the transfer head without recomputing them.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/index.js';
import { tempDir } from '../../helpers/images.js';

test('embeddings survive closing and reopening the catalog, per backbone and content hash', async (t) => {
  const file = path.join(tempDir(t), 'seshat.sqlite');
  const vector = Float32Array.from({ length: 1280 }, (_, i) => Math.sin(i) * 3.5);
  // A view into a larger buffer, as the embedding code hands them over.
  const backing = new Float32Array(1280 * 2);
  backing.set(vector, 1280);
  const catalog = Catalog.open(file);
  await catalog.embeddings.put('mobilenet_v2_035_224', [['hash-a', backing.subarray(1280)]]);
  catalog.close();

  const reopened = Catalog.open(file);
  try {
    const found = await reopened.embeddings.get('mobilenet_v2_035_224', ['hash-a', 'hash-missing']);
    assert.deepEqual([...found.keys()], ['hash-a']);
    assert.deepEqual(found.get('hash-a'), vector);
    assert.equal((await reopened.embeddings.get('another-backbone', ['hash-a'])).size, 0);
    assert.equal(reopened.embeddings.count('mobilenet_v2_035_224'), 1);
  } finally {
    reopened.close();
  }
});
