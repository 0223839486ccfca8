/**
 * Discriminative learning rates: one optimizer for a new head, another at a fraction
 * of its rate for pretrained layers being fine-tuned. A head that starts from random
 * weights needs a large rate; the pretrained blocks under it lose what ImageNet taught
 * them at that rate, so they move `ratio` as fast (ULMFiT, Howard & Ruder 2018).
 * Scaling gradients instead would not do it: Adam's step does not depend on their scale.
 */
import * as tf from '@tensorflow/tfjs';
import { setLearningRate, type NamedTensor } from './optimizers.js';

type Gradients = Parameters<tf.Optimizer['applyGradients']>[0];

const HEAD = 'head:';
const PRETRAINED = 'pretrained:';

export class TwoRateOptimizer extends tf.Optimizer {
  private rate: number;

  /** `pretrained` names the variables that get `ratio` × the rate; every other one gets the rate. */
  constructor(
    private readonly head: tf.Optimizer,
    private readonly pretrained: tf.Optimizer,
    private readonly pretrainedNames: ReadonlySet<string>,
    private readonly ratio: number,
    learningRate: number,
  ) {
    super();
    this.rate = learningRate;
    this.learningRate = learningRate;
  }

  static get className(): string {
    return 'TwoRateOptimizer';
  }

  /** Read by setLearningRate (optimizers.ts) like any tfjs optimizer's field; sets both rates. */
  get learningRate(): number {
    return this.rate;
  }

  set learningRate(rate: number) {
    this.rate = rate;
    setLearningRate(this.head, rate);
    setLearningRate(this.pretrained, rate * this.ratio);
  }

  override applyGradients(variableGradients: Gradients): void {
    const entries: NamedTensor[] = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const toHead: Record<string, tf.Tensor> = {};
    const toPretrained: Record<string, tf.Tensor> = {};
    for (const { name, tensor } of entries) (this.pretrainedNames.has(name) ? toPretrained : toHead)[name] = tensor;
    if (Object.keys(toHead).length > 0) this.head.applyGradients(toHead);
    if (Object.keys(toPretrained).length > 0) this.pretrained.applyGradients(toPretrained);
    this.incrementIterations();
  }

  /**
   * One iteration count first, as tfjs optimizers report it (the checkpoint code frees
   * that fresh tensor and keeps the rest, which are live slots), then each part's slots.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    const [head, pretrained] = await Promise.all([this.head.getWeights(), this.pretrained.getWeights()]);
    pretrained[0]?.tensor.dispose(); // the same count as the head's
    return [
      head[0]!,
      ...head.slice(1).map((w) => ({ name: HEAD + w.name, tensor: w.tensor })),
      ...pretrained.slice(1).map((w) => ({ name: PRETRAINED + w.name, tensor: w.tensor })),
    ];
  }

  override async setWeights(weights: NamedTensor[]): Promise<void> {
    const [iterations, ...slots] = weights;
    if (!iterations) return;
    const part = (prefix: string) =>
      slots.filter((w) => w.name.startsWith(prefix)).map((w) => ({ ...w, name: w.name.slice(prefix.length) }));
    await this.head.setWeights([iterations, ...part(HEAD)]);
    await this.pretrained.setWeights([iterations, ...part(PRETRAINED)]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.rate, ratio: this.ratio };
  }

  override dispose(): void {
    this.head.dispose();
    this.pretrained.dispose();
    super.dispose();
  }
}
