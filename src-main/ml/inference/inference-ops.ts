/**
 * The compiled form of an inference graph (see inference-graph.ts) and how it runs:
 * a flat list of ops per model, linear ops (convolution, depthwise convolution,
 * dense) carrying their folded weights, nested models as subgraphs.
 */
import * as tf from '@tensorflow/tfjs';

export type Activation = 'linear' | 'relu' | 'relu6';
export type Padding = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

/** A convolution, depthwise convolution or dense layer: the ops folding can change. */
export interface LinearOp {
  kind: 'conv' | 'depthwise' | 'dense';
  input: number;
  output: number;
  kernel: tf.Tensor;
  bias: tf.Tensor | null;
  strides: [number, number];
  dilations: [number, number];
  padding: Padding;
  activation: Activation;
}

export interface PadOp {
  kind: 'pad';
  input: number;
  output: number;
  /** [[top, bottom], [left, right]] */
  padding: [[number, number], [number, number]];
}

export interface GenericOp {
  kind: 'generic';
  inputs: number[];
  output: number;
  run: (inputs: tf.Tensor[]) => tf.Tensor;
}

export interface SubgraphOp {
  kind: 'subgraph';
  inputs: number[];
  output: number;
  graph: CompiledGraph;
}

export type Op = LinearOp | PadOp | GenericOp | SubgraphOp;

export interface CompiledGraph {
  inputs: number[];
  output: number;
  ops: Op[];
  /** Tensors held by generic ops (an unfolded batch norm's scale and shift). */
  held: tf.Tensor[];
}

export function applyActivation(x: tf.Tensor, activation: string): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'softmax':
      return tf.softmax(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'tanh':
      return tf.tanh(x);
    default:
      return x;
  }
}

export function runLinear(op: LinearOp, x: tf.Tensor): tf.Tensor {
  const bias = op.bias ?? undefined;
  if (op.kind === 'dense')
    return tf.fused.matMul({ a: x as tf.Tensor2D, b: op.kernel as tf.Tensor2D, bias, activation: op.activation });
  const common = { x: x as tf.Tensor4D, strides: op.strides, dilations: op.dilations, bias, activation: op.activation };
  if (op.kind === 'conv') return tf.fused.conv2d({ ...common, filter: op.kernel as tf.Tensor4D, pad: op.padding });
  // The fused depthwise op's types omit explicit padding, which its kernel accepts.
  return tf.fused.depthwiseConv2d({ ...common, filter: op.kernel as tf.Tensor4D, pad: op.padding as 'same' });
}

export function runGraph(graph: CompiledGraph, inputs: tf.Tensor[]): tf.Tensor {
  const values = new Map<number, tf.Tensor>();
  graph.inputs.forEach((id, i) => values.set(id, inputs[i]!));
  const get = (id: number): tf.Tensor => {
    const value = values.get(id);
    if (!value) throw new Error(`inference graph: tensor ${id} has no value`);
    return value;
  };
  for (const op of graph.ops) {
    switch (op.kind) {
      case 'pad': {
        const [[top, bottom], [left, right]] = op.padding;
        values.set(
          op.output,
          tf.pad(get(op.input), [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ]),
        );
        break;
      }
      case 'generic':
        values.set(op.output, op.run(op.inputs.map(get)));
        break;
      case 'subgraph':
        values.set(op.output, runGraph(op.graph, op.inputs.map(get)));
        break;
      default:
        values.set(op.output, runLinear(op, get(op.input)));
    }
  }
  return get(graph.output);
}

export function freeGraph(graph: CompiledGraph): void {
  for (const op of graph.ops) {
    if (op.kind === 'subgraph') freeGraph(op.graph);
    else if (op.kind !== 'pad' && op.kind !== 'generic') {
      op.kernel.dispose();
      op.bias?.dispose();
    }
  }
  for (const t of graph.held) t.dispose();
}

export function countOps(graph: CompiledGraph): number {
  return graph.ops.reduce((n, op) => n + (op.kind === 'subgraph' ? countOps(op.graph) : 1), 0);
}
