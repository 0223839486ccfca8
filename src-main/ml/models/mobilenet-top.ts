/**
 * MobileNetV2 cut in two for fine-tuning its top blocks on CPU.
 *
 * The lower part (input → `block_12_add`, 14×14 maps) stays frozen and runs once per
 * image; its maps are kept, like embeddings. The top part (blocks 13–16 and the last
 * 1×1 convolution, 7×7 maps) is rebuilt as new, trainable layers with each batch norm
 * folded into the convolution before it. Folding is what "batch-norm statistics
 * frozen" means here: the ImageNet means and variances become part of each kernel and
 * bias, so small photo batches cannot disturb them, and a step runs fewer ops.
 * The top costs about 12 M multiply-adds per image, against about 60 M for the whole
 * network, which is what makes a fine-tuning epoch take seconds instead of minutes.
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../src-shared/errors.js';

/** Where the network is cut: the last 14×14 block's output (32 channels at α 0.35). */
export const MOBILENET_SPLIT_LAYER = 'block_12_add';

export interface SplitMobilenet {
  /** Image (224×224×3, in [-1, 1]) → maps at the split; shares the backbone's frozen weights. */
  lower: tf.LayersModel;
  /** Maps at the split → the 1280-d embedding; new weights, all trainable. */
  top: tf.LayersModel;
  /** One example's map shape at the split, [height, width, channels]. */
  mapShape: [number, number, number];
}

type LayerConfig = Record<string, unknown>;

/** The functional model inside the bundled backbone (a Sequential of that model and pooling). */
function innerModel(backbone: tf.LayersModel): tf.LayersModel {
  const first = backbone.layers[0];
  return first instanceof tf.LayersModel ? first : backbone;
}

/** Names of the layers feeding `layer` inside `model` (the graph is a single-node one). */
function inboundNames(model: tf.LayersModel): Map<string, string[]> {
  const config = model.getConfig() as { layers: Array<{ name: string; inboundNodes: unknown[][][] }> };
  return new Map(
    config.layers.map((layer) => [layer.name, (layer.inboundNodes[0] ?? []).map((entry) => String(entry[0]))]),
  );
}

/** Scale and shift that a batch-norm layer applies per channel, in inference mode. */
function batchNormAffine(layer: tf.layers.Layer): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
  return tf.tidy(() => {
    const config = layer.getConfig() as LayerConfig;
    const byName = new Map(layer.weights.map((w) => [w.originalName.split('/').at(-1)!, w.read()]));
    const mean = byName.get('moving_mean') as tf.Tensor1D;
    const variance = byName.get('moving_variance') as tf.Tensor1D;
    const gamma = (byName.get('gamma') as tf.Tensor1D | undefined) ?? tf.onesLike(mean);
    const beta = (byName.get('beta') as tf.Tensor1D | undefined) ?? tf.zerosLike(mean);
    const scale = tf.div(gamma, tf.sqrt(tf.add(variance, Number(config.epsilon ?? 1e-3)))) as tf.Tensor1D;
    return { scale, shift: tf.sub(beta, tf.mul(mean, scale)) as tf.Tensor1D };
  });
}

/** A new convolution (plain or depthwise) with `norm` folded into its kernel and bias. */
function foldedConvolution(conv: tf.layers.Layer, norm: tf.layers.Layer): tf.layers.Layer {
  const config = conv.getConfig() as LayerConfig;
  const depthwise = conv.getClassName() === 'DepthwiseConv2D';
  const common = {
    name: conv.name,
    kernelSize: config.kernelSize as [number, number],
    strides: config.strides as [number, number],
    padding: config.padding as 'same' | 'valid',
    dilationRate: config.dilationRate as [number, number],
    useBias: true,
  };
  const layer = depthwise
    ? tf.layers.depthwiseConv2d({ ...common, depthMultiplier: Number(config.depthMultiplier ?? 1) })
    : tf.layers.conv2d({ ...common, filters: Number(config.filters) });
  const { scale, shift } = batchNormAffine(norm);
  const weights = tf.tidy(() => {
    const [kernel, bias] = conv.getWeights();
    const folded = depthwise
      ? tf.mul(kernel!, tf.reshape(scale, [1, 1, kernel!.shape[2]!, kernel!.shape[3]!]))
      : tf.mul(kernel!, scale);
    const offset = bias ? tf.add(tf.mul(bias, scale), shift) : shift.clone();
    return [folded, offset];
  });
  scale.dispose();
  shift.dispose();
  return Object.assign(layer, { pendingWeights: weights });
}

/**
 * Cuts `backbone` at `splitLayer`. Throws a clear error for a layer the rebuild does
 * not know (the bundled model has only these kinds above the cut).
 */
export function splitMobilenet(backbone: tf.LayersModel, splitLayer = MOBILENET_SPLIT_LAYER): SplitMobilenet {
  const inner = innerModel(backbone);
  const splitIndex = inner.layers.findIndex((layer) => layer.name === splitLayer);
  if (splitIndex < 0) throw new AppError('INTERNAL', `MobileNet has no layer ${splitLayer} to cut at`);
  const splitOutput = inner.layers[splitIndex]!.output as tf.SymbolicTensor;
  const mapShape = splitOutput.shape.slice(1) as [number, number, number];
  const lower = tf.model({ inputs: inner.inputs, outputs: splitOutput, name: 'mobilenet_lower' });
  const top = rebuildAbove(inner, splitIndex, mapShape);
  return { lower, top, mapShape };
}

/**
 * The whole backbone rebuilt as new trainable layers with every batch norm folded
 * (image 224×224×3 in [-1, 1] → 1280-d embedding): what fine-tuning all of it trains.
 */
export function foldedMobilenet(backbone: tf.LayersModel): tf.LayersModel {
  const inner = innerModel(backbone);
  const shape = inner.inputs[0]!.shape.slice(1) as [number, number, number];
  return rebuildAbove(inner, 0, shape);
}

/** New layers for everything above `inner.layers[splitIndex]`, fed by an input of `mapShape`. */
function rebuildAbove(inner: tf.LayersModel, splitIndex: number, mapShape: [number, number, number]): tf.LayersModel {
  const splitLayer = inner.layers[splitIndex]!.name;

  const inbound = inboundNames(inner);
  const above = inner.layers.slice(splitIndex + 1);
  const readers = new Map<string, number>();
  for (const layer of above)
    for (const name of inbound.get(layer.name) ?? []) readers.set(name, (readers.get(name) ?? 0) + 1);

  const input = tf.input({ shape: mapShape, name: 'split_maps' });
  const outputs = new Map<string, tf.SymbolicTensor>([[splitLayer, input]]);
  const created: tf.layers.Layer[] = [];
  const sourceOf = (name: string): tf.SymbolicTensor => {
    const tensor = outputs.get(name);
    if (!tensor) throw new AppError('INTERNAL', `MobileNet layer ${name} is below the cut or unknown`);
    return tensor;
  };
  for (let i = 0; i < above.length; i++) {
    const layer = above[i]!;
    const kind = layer.getClassName();
    const from = inbound.get(layer.name) ?? [];
    const config = layer.getConfig() as LayerConfig;
    let made: tf.layers.Layer;
    if (kind === 'Conv2D' || kind === 'DepthwiseConv2D') {
      const next = above[i + 1];
      const foldable =
        next?.getClassName() === 'BatchNormalization' &&
        inbound.get(next.name)?.[0] === layer.name &&
        readers.get(layer.name) === 1;
      if (!foldable) throw new AppError('INTERNAL', `MobileNet ${layer.name} is not followed by its batch norm`);
      made = foldedConvolution(layer, next);
      outputs.set(next.name, made.apply(sourceOf(from[0]!)) as tf.SymbolicTensor);
      created.push(made);
      i++; // the batch norm is folded in
      continue;
    }
    if (kind === 'ReLU') made = tf.layers.reLU({ name: layer.name, maxValue: config.maxValue as number | undefined });
    else if (kind === 'ZeroPadding2D')
      made = tf.layers.zeroPadding2d({
        name: layer.name,
        padding: config.padding as [[number, number], [number, number]],
      });
    else if (kind === 'Add') made = tf.layers.add({ name: layer.name });
    else throw new AppError('INTERNAL', `MobileNet ${layer.name}: cannot rebuild a ${kind} layer above the cut`);
    const inputs = from.map(sourceOf);
    outputs.set(layer.name, made.apply(inputs.length === 1 ? inputs[0]! : inputs) as tf.SymbolicTensor);
  }
  const last = sourceOf(inner.layers.at(-1)!.name);
  const pooled = tf.layers.globalAveragePooling2d({ name: 'top_pool' }).apply(last) as tf.SymbolicTensor;
  const top = tf.model({ inputs: input, outputs: pooled, name: 'mobilenet_top' });
  for (const layer of created) {
    const pending = (layer as unknown as { pendingWeights: tf.Tensor[] }).pendingWeights;
    layer.setWeights(pending);
    pending.forEach((t) => t.dispose());
  }
  return top;
}

/** Maps at the cut → class probabilities: what fine-tuning trains (top, then head). */
export function mapClassifier(split: SplitMobilenet, head: tf.LayersModel): tf.LayersModel {
  const input = tf.input({ shape: split.mapShape, name: 'maps' });
  const features = split.top.apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: head.apply(features) as tf.SymbolicTensor, name: 'mobilenet_maps' });
}

/** Image → class probabilities with the fine-tuned top: what a run exports. Shares every weight. */
export function composeFineTunedClassifier(split: SplitMobilenet, head: tf.LayersModel): tf.LayersModel {
  const input = tf.input({ shape: [224, 224, 3], name: 'image' });
  const maps = split.lower.apply(input) as tf.SymbolicTensor;
  const features = split.top.apply(maps) as tf.SymbolicTensor;
  const probabilities = head.apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: probabilities, name: 'mobilenet_classifier' });
}
