/**
 * Which classes score low for want of training images. On unas-glyphs (random
 * 80/20, CNN+ with its companion) classes with more than 40 training crops were
 * right 99.7% of the time and classes with 5 or fewer 74%: half of all mistakes.
 * Saying so, with the classes to label next, tells a user what helps most.
 */
import type { RunEvaluation } from '../../../src-shared/api/contract.js';

export const FEW_TRAINING_IMAGES = 5;

export interface RareClassSummary {
  /** Classes with at most FEW_TRAINING_IMAGES training images, among those with at least one evaluated image. */
  classes: number;
  images: number;
  /** Share of those images the model got right. */
  accuracy: number;
  /** The same share over every other class's images (null when there are none). */
  otherAccuracy: number | null;
  /** Rare classes the model got wrong at least once: lowest recall first, then fewest training images, then by name. */
  labelNext: Array<{ label: string; trainingImages: number; recall: number }>;
}

type Counted = Pick<RunEvaluation, 'classes' | 'perClass' | 'trainingImages'>;

/** Null when the evaluation has no training counts or no class with few of them. */
export function rareClassSummary(evaluation: Counted, few = FEW_TRAINING_IMAGES): RareClassSummary | null {
  const counts = evaluation.trainingImages;
  if (!counts) return null;
  const trained = new Map(evaluation.classes.map((label, i) => [label, counts[i] ?? 0]));
  const tally = { rare: { images: 0, correct: 0, classes: 0 }, other: { images: 0, correct: 0 } };
  const missed: RareClassSummary['labelNext'] = [];
  for (const row of evaluation.perClass) {
    if (row.support === 0) continue;
    const trainingImages = trained.get(row.label) ?? 0;
    const correct = Math.round(row.recall * row.support);
    if (trainingImages <= few) {
      tally.rare.classes++;
      tally.rare.images += row.support;
      tally.rare.correct += correct;
      if (correct < row.support) missed.push({ label: row.label, trainingImages, recall: row.recall });
    } else {
      tally.other.images += row.support;
      tally.other.correct += correct;
    }
  }
  if (tally.rare.classes === 0) return null;
  missed.sort((a, b) => a.recall - b.recall || a.trainingImages - b.trainingImages || a.label.localeCompare(b.label));
  return {
    classes: tally.rare.classes,
    images: tally.rare.images,
    accuracy: tally.rare.correct / tally.rare.images,
    otherAccuracy: tally.other.images > 0 ? tally.other.correct / tally.other.images : null,
    labelNext: missed,
  };
}
