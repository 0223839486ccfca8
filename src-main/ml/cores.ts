/**
 * How many cores model work may use. tfjs runs wasm on one thread under Node;
 * training spreads its batches over this many threads (training/parallel-step.ts).
 */
import { availableParallelism } from 'node:os';

/** Every core, up to four: beyond that a batch's shards get too small to pay for their messages. */
export function trainingCores(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}
