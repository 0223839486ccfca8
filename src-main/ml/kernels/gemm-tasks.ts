/**
 * The GEMM loops a training step runs, written once for every thread that runs them.
 *
 * A task is a few numbers (heap addresses and sizes) in a Float64Array, so that it can
 * be handed to helper threads through shared memory without a message. It is cut into
 * units (a convolution's output rows, an image of its filter gradient, a product's
 * column group or depth slice); threads take units from a shared counter until none
 * are left, so a helper that wakes late takes fewer rather than holding the step up.
 * Where units accumulate into the same outputs (the filter gradient over images, a
 * product over its depth), each thread sums into its own buffer: thread 0 into the
 * output, thread t > 0 into `partials` + (t − 1)·outputSize, which the caller adds up.
 */
import type { GemmKernels } from './gemm-kernel.js';

export const TASK_FLOATS = 16;
/** Where a task keeps the address of its helpers' partial outputs (0: none, columns are shared instead). */
export const PARTIALS = 15;

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
  into.fill(0);
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
  into.fill(0);
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

/** The output a task writes: where, its rows and columns, and its row stride in floats. */
export interface TaskOutput {
  address: number;
  rows: number;
  cols: number;
  rowStride: number;
}

export function taskOutput(task: Float64Array): TaskOutput {
  if (task[0] === TaskKind.Product) return { address: task[6]!, rows: task[8]!, cols: task[9]!, rowStride: task[7]! };
  const { Cin, Cout, OH, OW, FH, FW, N } = geometry(task);
  if (task[0] === TaskKind.ConvFilterGradient)
    return { address: task[3]!, rows: FH * FW * Cin, cols: Cout, rowStride: Cout };
  return { address: task[3]!, rows: N * OH * OW, cols: Cout, rowStride: Cout };
}

/**
 * Whether threads should each sum into their own output (then added up) rather than
 * share the output: the filter gradient always (its images all add into one small
 * dW), a product when its C is small beside its operands (a dense layer's forward
 * pass: sharing columns would have every thread read all of A).
 */
export function sumsPartials(task: Float64Array): boolean {
  if (task[0] === TaskKind.ConvFilterGradient) return true;
  if (task[0] !== TaskKind.Product) return false;
  const [rows, cols, depth] = [task[8]!, task[9]!, task[10]!];
  return rows * cols * 4 <= depth * Math.min(rows, cols);
}

/** Depth steps per unit of a product summed in partials: a multiple of 4, about 8 units in all. */
function depthUnit(depth: number): number {
  return Math.max(4, Math.ceil(depth / 8 / 4) * 4);
}

/** Column-group width of a product sharing its columns: the kernel's widest block (8) where there are enough. */
function columnUnit(cols: number): number {
  return cols >= 32 ? 8 : 4;
}

/** How many units `task` is cut into. */
export function taskUnits(task: Float64Array): number {
  switch (task[0]) {
    case TaskKind.ConvForward:
      return task[4]! * task[7]!; // output rows of every image
    case TaskKind.ConvFilterGradient:
      return task[4]!; // images
    case TaskKind.Product:
      return task[PARTIALS] ? Math.ceil(task[10]! / depthUnit(task[10]!)) : Math.ceil(task[9]! / columnUnit(task[9]!));
    default:
      return 0;
  }
}

/**
 * Runs units [from, to) of `task` as thread `thread` (0: the caller, whose sums go
 * to the output itself; others to their partial buffer where the task has one).
 */
export function runUnits(kernels: GemmKernels, task: Float64Array, from: number, to: number, thread: number): void {
  if (to <= from) return;
  switch (task[0]) {
    case TaskKind.ConvForward:
      return convForward(kernels, task, from, to);
    case TaskKind.ConvFilterGradient:
      return convFilterGradient(kernels, task, from, to, thread);
    case TaskKind.Product:
      return product(kernels, task, from, to, thread);
    default:
      throw new Error(`Unknown GEMM task kind ${task[0]}`);
  }
}

/** Runs the whole task on this thread. */
export function runTask(kernels: GemmKernels, task: Float64Array): void {
  const partials = task[PARTIALS]!;
  task[PARTIALS] = 0;
  try {
    runUnits(kernels, task, 0, taskUnits(task), 0);
  } finally {
    task[PARTIALS] = partials;
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

/** Where thread `thread` sums an output of `floats` floats: the output itself, or its partial buffer. */
function sumTarget(task: Float64Array, output: number, floats: number, thread: number): number {
  const partials = task[PARTIALS]!;
  return thread === 0 || !partials ? output : partials + (thread - 1) * floats * 4;
}

/** out[n, oh, ow, co] = Σ x[n, oh·sh+fh, ow·sw+fw, ci] · W[fh, fw, ci, co]: one call per output row. */
function convForward(kernels: GemmKernels, task: Float64Array, from: number, to: number): void {
  const [xAt, filterAt, outAt] = [task[1]!, task[2]!, task[3]!];
  const { Cin, Cout, OH, OW, FH, FW, sh, sw, height, width } = geometry(task);
  const rowBytes = width * Cin * 4;
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

/** dW[fh, (fw,ci), co] += Σ_oh Σ_ow x[n, …] · dy[n, oh, ow, co] for images n in [from, to). */
function convFilterGradient(kernels: GemmKernels, task: Float64Array, from: number, to: number, thread: number): void {
  const [xAt, dyAt] = [task[1]!, task[2]!];
  const { Cin, Cout, OH, OW, FH, FW, sh, sw, height, width } = geometry(task);
  const dWAt = sumTarget(task, task[3]!, FH * FW * Cin * Cout, thread);
  const rowBytes = width * Cin * 4;
  for (let n = from; n < to; n++) {
    for (let fh = 0; fh < FH; fh++) {
      kernels.gemmTransposedA(
        xAt + (n * height + fh) * rowBytes, // A((fw,ci), oh, ow)
        4,
        sw * Cin * 4,
        sh * rowBytes,
        dyAt + n * OH * OW * Cout * 4, // B(oh, ow, co)
        Cout * 4,
        OW * Cout * 4,
        dWAt + fh * FW * Cin * Cout * 4,
        Cout * 4,
        FW * Cin,
        Cout,
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

/** C += A·B over units of columns, or (summing partials) of depth; the depth in L2-sized blocks. */
function product(kernels: GemmKernels, task: Float64Array, from: number, to: number, thread: number): void {
  const [a, aRowStride, transposedA, b, bRowStride] = [task[1]!, task[2]!, task[3] === 1, task[4]!, task[5]!];
  const [rows, cols, depth] = [task[8]!, task[9]!, task[10]!];
  let [c, cRowStride] = [task[6]!, task[7]!];
  let [c0, c1, k0, k1] = [0, cols, 0, depth];
  if (task[PARTIALS]) {
    const unit = depthUnit(depth);
    [k0, k1] = [from * unit, Math.min(depth, to * unit)];
    if (thread > 0) [c, cRowStride] = [sumTarget(task, c, rows * cols, thread), cols];
  } else {
    const unit = columnUnit(cols);
    [c0, c1] = [from * unit, Math.min(cols, to * unit)];
  }
  if (c1 <= c0 || k1 <= k0 || rows === 0) return;
  const kernel = transposedA ? kernels.gemmTransposedA : kernels.gemm;
  const aStep = transposedA ? aRowStride * 4 : 4; // bytes from one depth step of A to the next
  const aRow = transposedA ? 4 : aRowStride * 4; // bytes from one row of C's A to the next
  const block = depthBlock(cols);
  for (let k = k0; k < k1; k += block) {
    const steps = Math.min(block, k1 - k);
    kernel(
      a + k * aStep,
      aRow,
      aStep,
      0,
      b + k * bRowStride * 4 + c0 * 4,
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
