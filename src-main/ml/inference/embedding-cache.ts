/**
 * Where frozen-backbone embeddings are kept between runs.
 *
 * Computing a MobileNet embedding costs far more than training the head on it, and
 * an image's embedding never changes for a given backbone, so each one is computed
 * once. The project stores them (the lead's catalog, keyed by image content hash);
 * this module only defines the interface and an in-memory implementation.
 */

export interface EmbeddingCache {
  /**
   * The stored vectors for `hashes` under backbone `model`; hashes without one are
   * simply absent from the map.
   */
  get(model: string, hashes: string[]): Promise<Map<string, Float32Array>>;
  /** Stores vectors (each of the backbone's embedding size). */
  put(model: string, entries: Array<[hash: string, vector: Float32Array]>): Promise<void>;
}

export class MemoryEmbeddingCache implements EmbeddingCache {
  private readonly vectors = new Map<string, Float32Array>();

  async get(model: string, hashes: string[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    for (const hash of hashes) {
      const vector = this.vectors.get(`${model}\u0000${hash}`);
      if (vector) found.set(hash, vector);
    }
    return found;
  }

  async put(model: string, entries: Array<[string, Float32Array]>): Promise<void> {
    for (const [hash, vector] of entries) this.vectors.set(`${model}\u0000${hash}`, vector.slice());
  }

  get size(): number {
    return this.vectors.size;
  }
}
