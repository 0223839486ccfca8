/**
 * A small seeded PRNG so that a split is reproducible on every platform and
 * Node version: Math.random cannot be seeded, and all arithmetic below is
 * 32-bit integer maths (Math.imul, >>>), which JavaScript defines exactly.
 */
import type { SplitSeed } from './types.js';

/** FNV-1a over UTF-16 code units: turns a string seed or a class key into 32 bits. */
export function hashString(text: string, basis = 0x811c9dc5): number {
  let hash = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function seedToUint32(seed: SplitSeed): number {
  if (typeof seed === 'string') return hashString(seed);
  if (!Number.isFinite(seed)) return 0;
  // Keep integers up to 2^53 distinct in the low and high halves.
  const value = Math.trunc(seed);
  return (value ^ Math.floor(value / 0x100000000)) >>> 0;
}

/**
 * Derives an independent stream per class (or group set), so adding one class
 * to a project does not reshuffle every other class.
 */
export function deriveSeed(seed: SplitSeed, salt: string): number {
  return hashString(salt, seedToUint32(seed) ^ 0x811c9dc5);
}

/** mulberry32: 32-bit state, good enough statistical quality for shuffling. Returns [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates in place. */
export function shuffleInPlace<T>(array: T[], random: () => number): T[] {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = array[i]!;
    array[i] = array[j]!;
    array[j] = tmp;
  }
  return array;
}
