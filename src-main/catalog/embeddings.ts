/**
 * Frozen-backbone embeddings kept in the project, keyed by backbone and image content
 * hash: a MobileNet vector is computed once per image, ever, not once per app session.
 */
import type Database from 'better-sqlite3';
import type { EmbeddingCache } from '../ml/inference/embedding-cache.js';

export class EmbeddingRepo implements EmbeddingCache {
  private readonly selectOne: Database.Statement<[string, string], { vector: Buffer }>;
  private readonly upsert: Database.Statement<[string, string, Buffer, number]>;
  private readonly countAll: Database.Statement<[string], { n: number }>;

  constructor(private readonly db: Database.Database) {
    this.selectOne = db.prepare('SELECT vector FROM embeddings WHERE model = ? AND hash = ?');
    this.upsert = db.prepare('INSERT OR REPLACE INTO embeddings (model, hash, vector, created_at) VALUES (?, ?, ?, ?)');
    this.countAll = db.prepare('SELECT COUNT(*) AS n FROM embeddings WHERE model = ?');
  }

  async get(model: string, hashes: string[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    for (const hash of hashes) {
      const row = this.selectOne.get(model, hash);
      // Copied out: the Buffer's memory may be shared and is not 4-byte aligned.
      if (row) found.set(hash, new Float32Array(new Uint8Array(row.vector).buffer));
    }
    return found;
  }

  async put(model: string, entries: Array<[hash: string, vector: Float32Array]>): Promise<void> {
    const now = Date.now();
    this.db
      .transaction(() => {
        for (const [hash, vector] of entries)
          this.upsert.run(model, hash, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength), now);
      })
      .immediate();
  }

  count(model: string): number {
    return this.countAll.get(model)?.n ?? 0;
  }
}
