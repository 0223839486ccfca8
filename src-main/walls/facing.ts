/**
 * Which way a wall's signs face, and so which way it is read. Hieroglyphs face the start
 * of their line, and a glyph classifier never sees mirrored crops in training (mirroring
 * changes the reading direction), so it knows the signs only as its training walls face
 * them. Shown a wall written the other way, it is surer of the mirrored crops than of the
 * crops as cut: each asymmetric sign votes, symmetric ones (bread, water, a bar) abstain.
 * The answer is relative to the training walls: "as trained" keeps their reading
 * direction, "mirrored" reverses both the columns and the signs within a quadrat row.
 */
import sharp from 'sharp';
import { throwIfAborted } from '../../src-shared/errors.js';
import type { PixelSource } from '../ml/data/dataset.js';
import { predictImages, type Classifier } from '../ml/inference/predict.js';
import { UNAS_DIRECTION, type ReadingDirection } from './reading-order.js';

/** Crops judged per wall: enough asymmetric signs to outvote noise, in a fraction of the read's time. */
const DEFAULT_SAMPLE = 128;
/**
 * A crop votes when one side is this much surer than the other (log of the confidence
 * ratio, about 1.2×): a symmetric sign's two confidences differ by noise only.
 */
const VOTE_MARGIN = Math.log(1.2);

export interface FacingJudgement {
  /** The signs face the other way from the training walls' (read in the mirrored direction). */
  mirrored: boolean;
  /** Crops compared, and how many were clearly surer as cut or mirrored (the rest abstained). */
  compared: number;
  asCutVotes: number;
  mirroredVotes: number;
}

/** The top-1 confidence of each image, or null where it could not be read. */
export type ConfidenceOf = (images: PixelSource[]) => Promise<(number | null)[]>;

/** The other way round: the last column first, and the other sign of a quadrat row first. */
export function mirrorDirection(direction: ReadingDirection): ReadingDirection {
  const other = (side: ReadingDirection['columns']) => (side === 'left-first' ? 'right-first' : 'left-first');
  return { columns: other(direction.columns), withinRow: other(direction.withinRow) };
}

/** A wall's reading direction from its facing: the training walls' own (Unas), or mirrored. */
export function directionOf(mirrored: boolean | null | undefined): ReadingDirection {
  return mirrored ? mirrorDirection(UNAS_DIRECTION) : UNAS_DIRECTION;
}

/** Votes on paired confidences (as cut, mirrored); a tie keeps the training walls' direction. */
export function judgeFacing(asCut: readonly (number | null)[], mirrored: readonly (number | null)[]): FacingJudgement {
  let compared = 0;
  let asCutVotes = 0;
  let mirroredVotes = 0;
  asCut.forEach((a, i) => {
    const m = mirrored[i];
    if (a == null || m == null || !(a > 0) || !(m > 0)) return;
    compared++;
    const margin = Math.log(m) - Math.log(a);
    if (margin > VOTE_MARGIN) mirroredVotes++;
    else if (margin < -VOTE_MARGIN) asCutVotes++;
  });
  return { mirrored: mirroredVotes > asCutVotes, compared, asCutVotes, mirroredVotes };
}

/** Every `step`-th of `items` so that at most `count` are taken, spread over the whole wall. */
function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)]!);
}

/** A crop's pixels as cut and mirrored left to right. */
async function cutAndMirrored(file: string): Promise<[PixelSource, PixelSource] | null> {
  try {
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    const { width, height, channels } = info;
    const flipped = new Uint8Array(data.length);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const from = (y * width + x) * channels;
        const to = (y * width + (width - 1 - x)) * channels;
        for (let c = 0; c < channels; c++) flipped[to + c] = data[from + c]!;
      }
    const raw = (pixels: Uint8Array): PixelSource => ({
      kind: 'raw',
      data: pixels,
      width,
      height,
      channels: channels as 1 | 3 | 4,
    });
    return [raw(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)), raw(flipped)];
  } catch {
    return null; // An unreadable crop abstains; the read itself reports it.
  }
}

/**
 * A classifier's top-1 confidence for each image, through the same treatment Predict
 * gives. With `firstMemberOnly`, an ensemble's first member (the conv model) answers
 * alone: facing is a vote of many crops, and the MobileNet companion cost four fifths of
 * the time of judging it.
 */
export function classifierConfidence(
  classifier: Classifier,
  options: { signal?: AbortSignal | undefined; firstMemberOnly?: boolean } = {},
): ConfidenceOf {
  const { signal, firstMemberOnly = false } = options;
  const judge =
    firstMemberOnly && classifier.members.length > 1
      ? { ...classifier, members: [classifier.members[0]!] }
      : classifier;
  return async (images) => {
    const predictions = await predictImages(
      judge,
      images.map((source, i) => ({ id: String(i), source })),
      { topK: 1, ...(signal ? { signal } : {}) },
    );
    return predictions.map((prediction) => ('top' in prediction ? (prediction.top[0]?.probability ?? null) : null));
  };
}

/** Judges a wall's facing from its crop files (at most `sample` of them, spread over the wall). */
export async function estimateFacing(
  files: readonly string[],
  confidenceOf: ConfidenceOf,
  options: { sample?: number; signal?: AbortSignal } = {},
): Promise<FacingJudgement> {
  const pairs: [PixelSource, PixelSource][] = [];
  for (const file of spread(files, options.sample ?? DEFAULT_SAMPLE)) {
    throwIfAborted(options.signal);
    const pair = await cutAndMirrored(file);
    if (pair) pairs.push(pair);
  }
  if (pairs.length === 0) return { mirrored: false, compared: 0, asCutVotes: 0, mirroredVotes: 0 };
  const confidences = await confidenceOf(pairs.flat());
  return judgeFacing(
    confidences.filter((_, i) => i % 2 === 0),
    confidences.filter((_, i) => i % 2 === 1),
  );
}
