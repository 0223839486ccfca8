/**
 * A Layers model compiled for inference: batch normalisation folded into the
 * convolution or dense layer before it, ReLU/ReLU6 fused into that op, and a
 * zero-padding layer merged into the 'valid' convolution after it.
 *
 * Why: tfjs-layers runs every BatchNormalization layer as its own kernel, and
 * the wasm FusedBatchNorm kernel is slow. In the bundled MobileNetV2 it took
 * 254 of 482 ms per batch of 16, more than all convolutions together; padding
 * and ReLU6 took another 70 ms. Folded, each block is one fused convolution.
 * Inference only: the folded weights are copies, training still uses the model.
 *
 * Walks the model's own graph (nested models included) by its symbolic tensors.
 * A layer type it does not know makes `compileInference` return null, and the
 * caller keeps using `model.predict`.
 */
import * as tf from '@tensorflow/tfjs';
import {
  applyActivation,
  countOps,
  freeGraph,
  runGraph,
  type Activation,
  type CompiledGraph,
  type LinearOp,
  type Op,
} from './inference-ops.js';

class UnsupportedLayer extends Error {}

interface SymbolicLike {
  id: number;
  shape: Array<number | null>;
}
interface NodeLike {
  inputTensors: SymbolicLike[];
  outputTensors: SymbolicLike[];
}

function pair(value: number | number[] | undefined, fallback: number): [number, number] {
  if (value === undefined || value === null) return [fallback, fallback];
  if (typeof value === 'number') return [value, value];
  return [value[0] ?? fallback, value[1] ?? value[0] ?? fallback];
}

/** Copies a layer's weights (the compiled graph owns its tensors). */
function weightsOf(layer: tf.layers.Layer): tf.Tensor[] {
  return layer.getWeights().map((w) => tf.keep(w.clone()));
}

function activationOf(name: unknown): Activation | 'softmax' | 'sigmoid' | 'tanh' {
  const value = typeof name === 'string' ? name : 'linear';
  if (['linear', 'relu', 'relu6', 'softmax', 'sigmoid', 'tanh'].includes(value)) return value as Activation | 'softmax';
  throw new UnsupportedLayer(`activation ${value}`);
}

/** The nodes of `layer` that belong to `container` (a layer may be used by several models). */
function nodesIn(container: tf.LayersModel, layer: tf.layers.Layer): NodeLike[] {
  const own = (container as unknown as { containerNodes: Set<string> }).containerNodes;
  const inbound = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes;
  return inbound.filter((_, k) => own.has(`${layer.name}_ib-${k}`));
}

class GraphBuilder {
  readonly ops: Op[] = [];
  readonly held: tf.Tensor[] = [];
  /** Which op produces each tensor id, and how many ops (or the output) read it. */
  private readonly producer = new Map<number, Op>();
  private readonly readers = new Map<number, number>();
  /** Tensor ids that are another id under a new name (dropout, folded layers). */
  private readonly alias = new Map<number, number>();

  private readonly container: tf.LayersModel;

  constructor(model: tf.LayersModel) {
    // A Sequential keeps its graph in a private inner model (same inputs and outputs),
    // made on first use.
    if (model instanceof tf.Sequential) {
      const sequential = model as unknown as { model: tf.LayersModel | null; build(shape: Array<number | null>): void };
      if (!sequential.model) sequential.build(model.inputs[0]!.shape);
      this.container = sequential.model!;
    } else {
      this.container = model;
    }
  }

  private resolve(id: number): number {
    let current = id;
    while (this.alias.has(current)) current = this.alias.get(current)!;
    return current;
  }

  /** Builds the graph; on failure frees what it had copied and rethrows. */
  build(): CompiledGraph {
    try {
      return this.buildOps();
    } catch (error) {
      freeGraph({ inputs: [], output: -1, ops: this.ops, held: this.held });
      throw error;
    }
  }

  private buildOps(): CompiledGraph {
    const { container } = this;
    if (container.outputs.length !== 1) throw new UnsupportedLayer('a model with several outputs');
    for (const layer of container.layers) {
      for (const node of nodesIn(container, layer)) {
        for (const t of node.inputTensors) this.readers.set(t.id, (this.readers.get(t.id) ?? 0) + 1);
      }
    }
    const outputId = container.outputs[0]!.id;
    this.readers.set(outputId, (this.readers.get(outputId) ?? 0) + 1);
    for (const layer of container.layers) {
      for (const node of nodesIn(container, layer)) this.addLayer(layer, node);
    }
    return {
      inputs: container.inputs.map((t) => t.id),
      output: this.resolve(outputId),
      ops: this.ops,
      held: this.held,
    };
  }

  /** `id` is now `target` under another name: `target` loses the one reader that produced `id`. */
  private rename(id: number, target: number): void {
    this.alias.set(id, target);
    this.readers.set(target, (this.readers.get(target) ?? 0) - 1 + (this.readers.get(id) ?? 0));
  }

  private push(op: Op): void {
    this.ops.push(op);
    this.producer.set(op.output, op);
  }

  /** The linear op that alone feeds `id`, if it is read by nothing else. */
  private soleLinearProducer(id: number): LinearOp | null {
    const op = this.producer.get(id);
    if (!op || op.kind === 'generic' || op.kind === 'subgraph' || op.kind === 'pad') return null;
    return this.readers.get(id) === 1 ? op : null;
  }

  private addLayer(layer: tf.layers.Layer, node: NodeLike): void {
    const inputs = node.inputTensors.map((t) => this.resolve(t.id));
    const output = node.outputTensors[0]!.id;
    if (node.outputTensors.length !== 1) throw new UnsupportedLayer(`${layer.name}: several outputs`);
    if (layer instanceof tf.LayersModel) {
      this.push({ kind: 'subgraph', inputs, output, graph: new GraphBuilder(layer).build() });
      return;
    }
    const config = layer.getConfig() as Record<string, unknown>;
    const className = layer.getClassName();
    if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast')
      throw new UnsupportedLayer(`${layer.name}: channels first`);
    switch (className) {
      case 'InputLayer':
        return;
      case 'Dropout':
      case 'SpatialDropout1D':
        this.rename(output, inputs[0]!);
        return;
      case 'ZeroPadding2D': {
        const p = config.padding as [[number, number], [number, number]];
        this.push({ kind: 'pad', input: inputs[0]!, output, padding: [pair(p[0], 0), pair(p[1], 0)] });
        return;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D':
      case 'Dense':
        if (className === 'Dense' && node.inputTensors[0]!.shape.length !== 2)
          throw new UnsupportedLayer(`${layer.name}: dense on a rank > 2 input`);
        this.addLinear(layer, className, config, inputs[0]!, output);
        return;
      case 'BatchNormalization':
        this.addBatchNorm(layer, config, inputs[0]!, node.inputTensors[0]!.shape.length, output);
        return;
      case 'ReLU':
      case 'Activation': {
        const activation = className === 'ReLU' ? reluKind(config) : activationOf(config.activation);
        const source = this.soleLinearProducer(inputs[0]!);
        if (
          source &&
          source.activation === 'linear' &&
          (activation === 'relu' || activation === 'relu6' || activation === 'linear')
        ) {
          source.activation = activation;
          this.rename(output, source.output);
          return;
        }
        this.push({ kind: 'generic', inputs, output, run: ([x]) => applyActivation(x!, activation) });
        return;
      }
      case 'Add':
        this.push({
          kind: 'generic',
          inputs,
          output,
          run: (xs) => (xs.length === 2 ? tf.add(xs[0]!, xs[1]!) : tf.addN(xs)),
        });
        return;
      case 'GlobalAveragePooling2D':
        this.push({ kind: 'generic', inputs, output, run: ([x]) => tf.mean(x!, [1, 2]) });
        return;
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const size = pair(config.poolSize as number[], 2);
        const strides = pair((config.strides as number[] | null) ?? size, 2);
        const padding = config.padding as 'same' | 'valid';
        const pool = className === 'MaxPooling2D' ? tf.maxPool : tf.avgPool;
        this.push({ kind: 'generic', inputs, output, run: ([x]) => pool(x as tf.Tensor4D, size, strides, padding) });
        return;
      }
      case 'Flatten':
        this.push({ kind: 'generic', inputs, output, run: ([x]) => tf.reshape(x!, [x!.shape[0]!, -1]) });
        return;
      default:
        throw new UnsupportedLayer(`${layer.name}: ${className}`);
    }
  }

  private addLinear(
    layer: tf.layers.Layer,
    className: string,
    config: Record<string, unknown>,
    input: number,
    output: number,
  ): void {
    // Checked before copying any weight, so a refusal leaves nothing to free.
    const activation = activationOf(config.activation);
    const [kernel, bias = null] = weightsOf(layer);
    const kind = className === 'Conv2D' ? 'conv' : className === 'DepthwiseConv2D' ? 'depthwise' : 'dense';
    let padding = (config.padding as 'same' | 'valid' | undefined) ?? 'valid';
    let source = input;
    // A ZeroPadding2D read only by this 'valid' convolution becomes its explicit padding.
    const padOp = this.producer.get(input);
    if (kind !== 'dense' && padding === 'valid' && padOp?.kind === 'pad' && this.readers.get(input) === 1) {
      const [[top, bottom], [left, right]] = padOp.padding;
      this.ops.splice(this.ops.indexOf(padOp), 1);
      source = padOp.input;
      padding = [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ] as unknown as 'valid';
    }
    const fusable = activation === 'linear' || activation === 'relu' || activation === 'relu6';
    const op: LinearOp = {
      kind,
      input: source,
      output: fusable ? output : -output - 1,
      kernel: kernel!,
      bias,
      strides: pair(config.strides as number[], 1),
      dilations: pair(config.dilationRate as number[], 1),
      padding,
      activation: fusable ? (activation as Activation) : 'linear',
    };
    this.push(op);
    if (!fusable) {
      // softmax and friends run after the op; the op's own result gets a private id.
      this.readers.set(op.output, 1);
      this.push({ kind: 'generic', inputs: [op.output], output, run: ([x]) => applyActivation(x!, activation) });
    }
  }

  private addBatchNorm(
    layer: tf.layers.Layer,
    config: Record<string, unknown>,
    input: number,
    rank: number,
    output: number,
  ): void {
    const axis = config.axis as number;
    if (axis !== -1 && axis !== rank - 1) throw new UnsupportedLayer(`${layer.name}: batch norm on axis ${axis}`);
    const weights = weightsOf(layer);
    const gamma = config.scale ? weights.shift()! : null;
    const beta = config.center ? weights.shift()! : null;
    const [mean, variance] = weights as [tf.Tensor, tf.Tensor];
    const epsilon = config.epsilon as number;
    const scale = tf.tidy(() => tf.keep(tf.div(gamma ?? tf.scalar(1), tf.sqrt(tf.add(variance, epsilon)))));
    const shift = tf.tidy(() => tf.keep(tf.sub(beta ?? tf.scalar(0), tf.mul(mean, scale))));
    for (const t of [gamma, beta, mean, variance]) t?.dispose();

    const source = this.soleLinearProducer(input);
    if (source && source.activation === 'linear') {
      // y = (x·W + b − μ)·s + β  =  x·(W·s) + ((b − μ)·s + β)
      const channelScale = source.kind === 'depthwise' ? tf.reshape(scale, source.kernel.shape.slice(2)) : scale;
      const kernel = tf.tidy(() => tf.keep(tf.mul(source.kernel, channelScale)));
      const bias = tf.tidy(() => tf.keep(source.bias ? tf.add(tf.mul(source.bias, scale), shift) : shift.clone()));
      if (channelScale !== scale) channelScale.dispose();
      source.kernel.dispose();
      source.bias?.dispose();
      scale.dispose();
      shift.dispose();
      source.kernel = kernel;
      source.bias = bias;
      this.rename(output, source.output);
      return;
    }
    this.held.push(scale, shift);
    this.push({ kind: 'generic', inputs: [input], output, run: ([x]) => tf.add(tf.mul(x!, scale), shift) });
  }
}

function reluKind(config: Record<string, unknown>): Activation {
  const max = config.maxValue as number | null | undefined;
  if (max === null || max === undefined) return 'relu';
  if (max === 6) return 'relu6';
  throw new UnsupportedLayer(`ReLU with max value ${max}`);
}

export interface InferenceGraph {
  /** The model's output for `x`; the caller disposes it. */
  predict(x: tf.Tensor): tf.Tensor;
  /** How many ops run per call (after folding), for tests and logs. */
  readonly opCount: number;
  dispose(): void;
}

/**
 * Compiles `model` for inference, or returns null (with the reason) when it holds
 * a layer this compiler does not handle, or anything else goes wrong; the caller
 * then runs `model.predict`. The model stays usable and unchanged.
 */
export function compileInference(model: tf.LayersModel): { graph: InferenceGraph } | { graph: null; reason: string } {
  if (model.inputs.length !== 1) return { graph: null, reason: 'a model with several inputs' };
  let compiled: CompiledGraph;
  try {
    compiled = new GraphBuilder(model).build();
  } catch (error) {
    // Anything unexpected in a model's graph is a reason to run it unfolded, not to fail.
    const reason =
      error instanceof UnsupportedLayer
        ? error.message
        : `unexpected: ${error instanceof Error ? error.message : String(error)}`;
    return { graph: null, reason };
  }
  let disposed = false;
  return {
    graph: {
      predict: (x) => tf.tidy(() => runGraph(compiled, [x])),
      opCount: countOps(compiled),
      dispose: () => {
        if (!disposed) freeGraph(compiled);
        disposed = true;
      },
    },
  };
}

/**
 * What to run `model` with for inference: its compiled graph, or the model itself
 * (opCount 0) where it cannot be compiled. Disposing it never frees the model.
 */
export function inferenceRunner(model: tf.LayersModel): InferenceGraph {
  return (
    compileInference(model).graph ?? { predict: (x) => model.predict(x) as tf.Tensor, opCount: 0, dispose: () => {} }
  );
}
