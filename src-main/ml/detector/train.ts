/**
 * Training the sign detector: random crops of the training walls, Adam with a cosine
 * schedule, every step's tensors released. Cancellable between steps; progress after
 * every few.
 */
import * as tf from '@tensorflow/tfjs';
import { detachedJob, type JobContext } from '../../../src-shared/progress.js';
import { Rng } from '../data/rng.js';
import { buildDetector, detectorLoss, type DetectorShape } from './model.js';
import { DETECTOR_STRIDE, REGRESSION_CHANNELS, sampleBatch, type TrainingWall } from './targets.js';

export interface DetectorTraining {
  steps: number;
  batchSize: number;
  /** Side of the square crops, in network pixels (a multiple of 16). */
  crop: number;
  learningRate: number;
  seed: number;
  shape?: DetectorShape;
}

/** What measured best on the Unas walls (leave one wall out; bench walls). */
export const DEFAULT_DETECTOR_TRAINING: DetectorTraining = {
  steps: 1000,
  batchSize: 8,
  crop: 192,
  learningRate: 2e-3,
  seed: 7,
};

const PROGRESS_EVERY = 10;

export async function trainDetector(
  walls: readonly TrainingWall[],
  training: DetectorTraining = DEFAULT_DETECTOR_TRAINING,
  job: JobContext = detachedJob(),
): Promise<{ model: tf.LayersModel; finalLoss: number }> {
  if (walls.length === 0 || walls.every((wall) => wall.boxes.length === 0))
    throw new Error('The sign detector needs at least one wall with boxes to learn from');
  const model = buildDetector(training.shape);
  const optimizer = tf.train.adam(training.learningRate);
  const random = new Rng(training.seed);
  const cells = training.crop / DETECTOR_STRIDE;
  const shape = (channels: number) => [training.batchSize, cells, cells, channels] as [number, number, number, number];
  let finalLoss = Number.NaN;
  try {
    for (let step = 1; step <= training.steps; step++) {
      job.signal.throwIfAborted();
      // Cosine decay: big steps early, fine ones at the end.
      const rate = training.learningRate * 0.5 * (1 + Math.cos((Math.PI * (step - 1)) / training.steps));
      (optimizer as unknown as { learningRate: number }).learningRate = rate;
      const batch = sampleBatch(walls, training.batchSize, training.crop, () => random.next());
      const loss = tf.tidy(() => {
        const inputs = tf.tensor4d(batch.inputs, [training.batchSize, training.crop, training.crop, 1]);
        const targets = {
          heat: tf.tensor4d(batch.heat, shape(1)),
          regression: tf.tensor4d(batch.regression, shape(REGRESSION_CHANNELS)),
          centres: tf.tensor4d(batch.centres, shape(1)),
        };
        return optimizer.minimize(
          () => detectorLoss(model.apply(inputs, { training: true }) as tf.Tensor4D, targets),
          true,
        ) as tf.Scalar;
      });
      if (step % PROGRESS_EVERY === 0 || step === training.steps) {
        finalLoss = (await loss.data())[0]!;
        job.onProgress({
          done: step,
          total: training.steps,
          message: `Sign detector: step ${step}, loss ${finalLoss.toFixed(3)}`,
        });
      }
      loss.dispose();
    }
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }
  return { model, finalLoss };
}
