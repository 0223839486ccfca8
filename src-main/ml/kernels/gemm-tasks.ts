/**
 * The GEMM loops a training step runs, written once for every thread that runs them.
 *
 * A task is a few numbers (heap addresses and sizes) in a Float64Array, so that it can
 * be handed to helper threads through shared memory without a message. `runTask(…,
 * part, parts)` runs one thread's share: the convolution's output rows split between
 * threads (each row is written by one call), the filter gradient's and a product's
 * columns (their calls accumulate into the same rows, so threads own columns instead).
 */
import type { GemmKernels } from './gemm-kernel.js';

export const TASK_FLOATS = 16;

export const TaskKind = { Stop: 0, ConvForward: 1, ConvFilterGradient: 2, Product: 3 } as const;

/** A convolution's geometry over its padded input (see conv2d-simd.ts). */
export interface ConvGeometry {
  batch: number;
  inChannels: number;
  outChannels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  paddedHeight: number;
  paddedWidth: number;
}

/** C[rows, cols] += A·B (or Aᵀ·B), operands at heap addresses with row strides in floats. */
export interface ProductTask {
  a: number;
  aRowStride: number;
  transposedA: boolean;
  b: number;
  bRowStride: number;
  c: number;
  cRowStride: number;
  rows: number;
  cols: number;
  depth: number;
}

export function convTask(
  kind: typeof TaskKind.ConvForward | typeof TaskKind.ConvFilterGradient,
  input: number,
  second: number,
  output: number,
  g: ConvGeometry,
  into = new Float64Array(TASK_FLOATS),
): Float64Array {
  into.set([
    kind,
    input,
    second,
    output,
    g.batch,
    g.inChannels,
    g.outChannels,
    g.outHeight,
    g.outWidth,
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    g.paddedHeight,
    g.paddedWidth,
  ]);
  return into;
}

export function productTask(p: ProductTask, into = new Float64Array(TASK_FLOATS)): Float64Array {
  into.set([
    TaskKind.Product,
    p.a,
    p.aRowStride,
    p.transposedA ? 1 : 0,
    p.b,
    p.bRowStride,
    p.c,
    p.cRowStride,
    p.rows,
    p.cols,
    p.depth,
  ]);
  return into;
}

/** Multiply-adds the task does, to judge whether sharing it is worth a wake-up. */
export function taskWork(task: Float64Array): number {
  switch (task[0]) {
    case TaskKind.ConvForward:
    case TaskKind.ConvFilterGradient:
      // batch · OH · OW · Cout · FH · FW · Cin
      return task[4]! * task[7]! * task[8]! * task[6]! * task[9]! * task[10]! * task[5]!;
    case TaskKind.Product:
      return task[8]! * task[9]! * task[10]!;
    default:
      return 0;
  }
}

/** [from, to) of `count` items for thread `part` of `parts`, in whole units of `unit`. */
export function share(count: number, part: number, parts: number, unit = 1): [number, number] {
  const units = Math.ceil(count / unit);
  const per = Math.ceil(units / parts);
  const from = Math.min(count, part * per * unit);
  const to = Math.min(count, (part + 1) * per * unit);
  return [from, to];
}

/**
 * Columns are shared in eights where each thread still gets some (the kernel's widest
 * block), else in fours (its narrowest).
 */
function columnShare(cols: number, part: number, parts: number): [number, number] {
  return share(cols, part, parts, cols >= 8 * parts ? 8 : 4);
}

/** Runs thread `part`'s share of `task` (of `parts` threads). */
export function runTask(kernels: GemmKernels, task: Float64Array, part: number, parts: number): void {
  switch (task[0]) {
    case TaskKind.ConvForward:
      return convForward(kernels, task, part, parts);
    case TaskKind.ConvFilterGradient:
      return convFilterGradient(kernels, task, part, parts);
    case TaskKind.Product:
      return product(kernels, task, part, parts);
    default:
      throw new Error(`Unknown GEMM task kind ${task[0]}`);
  }
}

function geometry(task: Float64Array) {
  return {
    N: task[4]!,
    Cin: task[5]!,
    Cout: task[6]!,
    OH: task[7]!,
    OW: task[8]!,
    FH: task[9]!,
    FW: task[10]!,
    sh: task[11]!,
    sw: task[12]!,
    height: task[13]!,
    width: task[14]!,
  };
}

/** out[n, oh, ow, co] = Σ x[n, oh·sh+fh, ow·sw+fw, ci] · W[fh, fw, ci, co]: one call per output row. */
function convForward(kernels: GemmKernels, task: Float64Array, part: number, parts: number): void {
  const [xAt, filterAt, outAt] = [task[1]!, task[2]!, task[3]!];
  const { N, Cin, Cout, OH, OW, FH, FW, sh, sw, height, width } = geometry(task);
  const rowBytes = width * Cin * 4;
  const [from, to] = share(N * OH, part, parts);
  for (let row = from; row < to; row++) {
    const n = Math.floor(row / OH);
    const oh = row - n * OH;
    kernels.gemm(
      xAt + (n * height + oh * sh) * rowBytes, // A(ow, fh, (fw,ci))
      sw * Cin * 4,
      4,
      rowBytes,
      filterAt, // B(fh, (fw,ci), co)
      Cout * 4,
      FW * Cin * Cout * 4,
      outAt + row * OW * Cout * 4,
      Cout * 4,
      OW,
      Cout,
      FW * Cin,
      FH,
    );
  }
}

/** dW[fh, (fw,ci), co] += Σ_n Σ_oh Σ_ow x[…] · dy[n, oh, ow, co]; each thread owns some of co. */
function convFilterGradient(kernels: GemmKernels, task: Float64Array, part: number, parts: number): void {
  const [xAt, dyAt, dWAt] = [task[1]!, task[2]!, task[3]!];
  const { N, Cin, Cout, OH, OW, FH, FW, sh, sw, width } = geometry(task);
  const height = task[13]!;
  const [c0, c1] = columnShare(Cout, part, parts);
  if (c1 <= c0) return;
  const rowBytes = width * Cin * 4;
  for (let n = 0; n < N; n++) {
    for (let fh = 0; fh < FH; fh++) {
      kernels.gemmTransposedA(
        xAt + (n * height + fh) * rowBytes, // A((fw,ci), oh, ow)
        4,
        sw * Cin * 4,
        sh * rowBytes,
        dyAt + n * OH * OW * Cout * 4 + c0 * 4, // B(oh, ow, co)
        Cout * 4,
        OW * Cout * 4,
        dWAt + fh * FW * Cin * Cout * 4 + c0 * 4,
        Cout * 4,
        FW * Cin,
        c1 - c0,
        OW,
        OH,
      );
    }
  }
}

/**
 * Shared-dimension steps per call, so that the slice of B one call streams (for
 * each band of rows) stays near 128 KiB, in L2, instead of coming from memory again.
 */
function depthBlock(cols: number): number {
  return Math.max(64, Math.floor((128 * 1024) / (cols * 4)));
}

/** C += A·B over this thread's columns, the shared dimension in L2-sized blocks. */
function product(kernels: GemmKernels, task: Float64Array, part: number, parts: number): void {
  const [a, aRowStride, transposedA, b, bRowStride, c, cRowStride] = [
    task[1]!,
    task[2]!,
    task[3] === 1,
    task[4]!,
    task[5]!,
    task[6]!,
    task[7]!,
  ];
  const [rows, cols, depth] = [task[8]!, task[9]!, task[10]!];
  const [c0, c1] = columnShare(cols, part, parts);
  if (c1 <= c0 || rows === 0 || depth === 0) return;
  const kernel = transposedA ? kernels.gemmTransposedA : kernels.gemm;
  const aStep = transposedA ? aRowStride * 4 : 4; // bytes from one depth step of A to the next
  const aRow = transposedA ? 4 : aRowStride * 4; // bytes from one row of C's A to the next
  const block = depthBlock(cols);
  for (let k0 = 0; k0 < depth; k0 += block) {
    const steps = Math.min(block, depth - k0);
    kernel(
      a + k0 * aStep,
      aRow,
      aStep,
      0,
      b + k0 * bRowStride * 4 + c0 * 4,
      bRowStride * 4,
      0,
      c + c0 * 4,
      cRowStride * 4,
      rows,
      c1 - c0,
      steps,
      1,
    );
  }
}
