/**
 * A nearest-prototype reading of glyph crops (issue 17's "prototype head for classes with
 * 1–5 examples"), for the leave-one-picture-out bench to blend with the model's
 * probabilities: MobileNet embeddings, centred on the training crops' mean and
 * L2-normalised; each class's prototype the normalised mean of its crops; a crop's
 * probabilities a softmax of its cosine similarity to every prototype.
 */
import type { Sample } from '../src-main/ml/data/dataset.js';
import {
  EMBEDDING_SIZE,
  embedSamples,
  loadMobilenetBackbone,
  releaseWeights,
} from '../src-main/ml/models/mobilenet.js';

/** Every crop's embedding, by path (computed once for all pictures). */
export async function embedCrops(paths: string[]): Promise<Map<string, Float32Array>> {
  const backbone = await loadMobilenetBackbone();
  try {
    const samples: Sample[] = paths.map((path) => ({ id: path, label: 0, source: { kind: 'file', path } }));
    const { vectors } = await embedSamples(backbone, samples);
    return new Map(paths.map((path, i) => [path, vectors.slice(i * EMBEDDING_SIZE, (i + 1) * EMBEDDING_SIZE)]));
  } finally {
    releaseWeights(backbone);
  }
}

function normalise(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  return vector.map((v) => v / norm);
}

/** Rows of class probabilities for `held`, from prototypes of `train` (labels 0…classes−1). */
export function prototypeProbabilities(
  embeddings: Map<string, Float32Array>,
  train: Array<{ path: string; label: number }>,
  held: string[],
  classes: number,
  temperature: number,
): Float32Array {
  const mean = new Float32Array(EMBEDDING_SIZE);
  for (const crop of train) embeddings.get(crop.path)!.forEach((v, i) => (mean[i]! += v / train.length));
  const centred = (path: string) => normalise(embeddings.get(path)!.map((v, i) => v - mean[i]!));
  const sums = Array.from({ length: classes }, () => new Float32Array(EMBEDDING_SIZE));
  for (const crop of train) centred(crop.path).forEach((v, i) => (sums[crop.label]![i]! += v));
  const prototypes = sums.map(normalise);
  const out = new Float32Array(held.length * classes);
  held.forEach((path, row) => {
    const query = centred(path);
    const sims = prototypes.map((p) => p.reduce((sum, v, i) => sum + v * query[i]!, 0) / temperature);
    const top = Math.max(...sims);
    const exps = sims.map((s) => Math.exp(s - top));
    const total = exps.reduce((a, b) => a + b, 0);
    exps.forEach((e, c) => (out[row * classes + c] = e / total));
  });
  return out;
}

/** (1 − weight)·model + weight·prototypes, row by row. */
export function blend(model: Float32Array, prototypes: Float32Array, weight: number): Float32Array {
  return model.map((p, i) => (1 - weight) * p + weight * prototypes[i]!);
}
