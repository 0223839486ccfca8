/**
 * C += A·B in WebAssembly SIMD, directly on the wasm backend's heap, without packing.
 *
 * Why not the backend's matmul: XNNPACK packs its B operand ("weights") on every
 * call with a new B, at about 1 GB/s. The gradient products of training have a new
 * B each time and, for the filter gradient of a convolution, a B far larger than the
 * result (dy: 37,500 × 16 floats for a 27 × 16 gradient): packing alone took 2.6 of
 * the 6.7 ms such a product cost. This kernel reads both operands where they lie
 * (row-major, any row stride) and accumulates into C, so a caller can also sum
 * partial products in place.
 *
 * Micro-kernel: MR rows × 8 columns of C in eight (MR = 4) f32x4 accumulators; per
 * step of the shared dimension, MR broadcast loads of A and two vector loads of B.
 * Bands of 4 rows, then single rows; blocks of 8 columns, then one of 4. Columns
 * must be a multiple of 4 (callers fall back to the native matmul otherwise).
 */
import { setFlagsFromString } from 'node:v8';
import { buildModule, FunctionBuilder, I32, V128, type ModuleFunction } from './wasm/wasm-emit.js';
import { instantiateOnMemory, kernelsOnBackend, validateModule, type WasmMemory } from './wasm/wasm-api.js';
import type { BackendWasm } from './wasm/wasm-heap.js';
import { productTask, runTask } from './gemm-tasks.js';

/**
 * (a, aRow, aStep, aOuter, b, ldb, bOuter, c, ldc, rows, cols, inner, outer), all
 * addresses and strides in bytes:
 *   C[r, j] += Σ_{o<outer} Σ_{i<inner} A(r, o, i) · B(o, i, j)
 *   A(r, o, i) at a + r·aRow + o·aOuter + i·aStep;  B(o, i, j) at b + o·bOuter + i·ldb + 4j;
 *   C[r, j] at c + r·ldc + 4j.
 * One of A's strides is fixed at 4 bytes and its argument ignored: `gemm` takes
 * aStep = 4 (a row of A is contiguous), `gemm_at` aRow = 4 (A given transposed).
 * The two-level shared dimension lets a convolution read its input in place: the
 * inner steps walk a row of the image, the outer ones jump to the next row (which
 * padding or the filter's reach puts further on than one step).
 */
type KernelFunction = (
  a: number,
  aRow: number,
  aStep: number,
  aOuter: number,
  b: number,
  ldb: number,
  bOuter: number,
  c: number,
  ldc: number,
  rows: number,
  cols: number,
  inner: number,
  outer: number,
) => void;

const PARAMS = [
  'a',
  'aRow',
  'aStep',
  'aOuter',
  'b',
  'ldb',
  'bOuter',
  'c',
  'ldc',
  'rows',
  'cols',
  'inner',
  'outer',
] as const;

/** Emits the column loop for one band of `rows` rows with `vectors` f32x4 per row (8 or 4 columns). */
function emitColumnLoop(
  f: FunctionBuilder,
  v: Record<string, number>,
  rows: number,
  vectors: number,
  shape: KernelShape,
): void {
  const acc = Array.from({ length: rows * vectors }, () => f.local(V128));
  const bv = Array.from({ length: vectors }, () => f.local(V128));
  const splat = f.local(V128);
  // Rows apart (A's steps 4 bytes apart): one pointer per row. Rows adjacent (A
  // transposed, steps aStep apart): the band's values for one step are side by
  // side, so one pointer with constant offsets.
  const pa = Array.from({ length: shape.transposedA ? 1 : rows }, () => f.local(I32));
  const width = vectors * 16;
  f.block().loop();
  // while (j + width <= colBytes)
  f.get(v.j!).i32(width).add().get(v.colBytes!).lessOrEqual().eqz().brIf(1);
  // Accumulators start from C.
  f.get(v.rowC!).get(v.j!).add().set(v.pc!);
  f.get(v.pc!).set(v.t!);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < vectors; q++)
      f.get(v.t!)
        .load(q * 16)
        .set(acc[r * vectors + q]!);
    if (r < rows - 1) f.get(v.t!).get(v.ldc!).add().set(v.t!);
  }
  f.get(v.rowA!).set(v.aOuterAt!);
  f.get(v.b!).get(v.j!).add().set(v.bOuterAt!);
  f.get(v.outer!).set(v.o!);
  f.loop(); // outer steps
  f.get(v.aOuterAt!).set(pa[0]!);
  for (let r = 1; r < pa.length; r++)
    f.get(pa[r - 1]!)
      .get(v.aRow!)
      .add()
      .set(pa[r]!);
  f.get(v.bOuterAt!).set(v.pb!);
  f.get(v.inner!).set(v.k!);
  f.loop(); // inner steps
  for (let q = 0; q < vectors; q++)
    f.get(v.pb!)
      .load(q * 16)
      .set(bv[q]!);
  for (let r = 0; r < rows; r++) {
    if (shape.transposedA) {
      f.get(pa[0]!)
        .loadSplat(r * 4)
        .set(splat);
    } else {
      f.get(pa[r]!).loadSplat().set(splat);
      f.get(pa[r]!).i32(4).add().set(pa[r]!);
    }
    for (let q = 0; q < vectors; q++) {
      const a = acc[r * vectors + q]!;
      if (shape.relaxed) f.get(splat).get(bv[q]!).get(a).f32x4MulAdd().set(a);
      else f.get(a).get(splat).get(bv[q]!).f32x4Mul().f32x4Add().set(a);
    }
  }
  if (shape.transposedA) f.get(pa[0]!).get(v.aStep!).add().set(pa[0]!);
  f.get(v.pb!).get(v.ldb!).add().set(v.pb!);
  f.get(v.k!).i32(1).sub().set(v.k!);
  f.get(v.k!).brIf(0);
  f.end();
  f.get(v.aOuterAt!).get(v.aOuter!).add().set(v.aOuterAt!);
  f.get(v.bOuterAt!).get(v.bOuter!).add().set(v.bOuterAt!);
  f.get(v.o!).i32(1).sub().set(v.o!);
  f.get(v.o!).brIf(0);
  f.end();
  // Store back.
  f.get(v.pc!).set(v.t!);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < vectors; q++)
      f.get(v.t!)
        .get(acc[r * vectors + q]!)
        .store(q * 16);
    if (r < rows - 1) f.get(v.t!).get(v.ldc!).add().set(v.t!);
  }
  f.get(v.j!).i32(width).add().set(v.j!);
  f.br(0).end().end();
}

/** Emits the loop over bands of `rows` rows (continuing from the current row). */
function emitRowBand(f: FunctionBuilder, v: Record<string, number>, rows: number, shape: KernelShape): void {
  f.block().loop();
  // while (i + rows <= rowCount)
  f.get(v.i!).i32(rows).add().get(v.rows!).lessOrEqual().eqz().brIf(1);
  f.i32(0).set(v.j!);
  emitColumnLoop(f, v, rows, 2, shape);
  emitColumnLoop(f, v, rows, 1, shape);
  f.get(v.i!).i32(rows).add().set(v.i!);
  f.get(v.rowA!).get(v.aRow!).i32(rows).mul().add().set(v.rowA!);
  f.get(v.rowC!).get(v.ldc!).i32(rows).mul().add().set(v.rowC!);
  f.br(0).end().end();
}

interface KernelShape {
  /** A's rows are adjacent floats (aRow = 4) and its steps aStep apart; otherwise the reverse. */
  transposedA: boolean;
  /** Use f32x4.relaxed_madd. */
  relaxed: boolean;
}

/** One kernel (see KernelFunction); inner ≥ 1, outer ≥ 1, cols a multiple of 4. */
function emitGemm(shape: KernelShape): FunctionBuilder {
  const f = new FunctionBuilder(PARAMS.map(() => I32));
  const v: Record<string, number> = Object.fromEntries(PARAMS.map((name, i) => [name, i]));
  for (const key of ['i', 'j', 'k', 'o', 'colBytes', 'rowA', 'rowC', 'aOuterAt', 'bOuterAt', 'pb', 'pc', 't'])
    v[key] = f.local(I32);
  f.get(v.cols!).i32(4).mul().set(v.colBytes!);
  f.get(v.a!).set(v.rowA!);
  f.get(v.c!).set(v.rowC!);
  // Bands of 4 rows, then single rows: measured ahead of 5- and 6-row bands (which
  // spill registers) and level with an extra 2-row band.
  emitRowBand(f, v, 4, shape);
  emitRowBand(f, v, 1, shape);
  return f;
}

/** The module's functions: `gemm` (A's steps adjacent) and `gemm_at` (A's rows adjacent: C += Aᵀ·B). */
function gemmFunctions(relaxed: boolean): ModuleFunction[] {
  return [
    { exportName: 'gemm', builder: emitGemm({ transposedA: false, relaxed }) },
    { exportName: 'gemm_at', builder: emitGemm({ transposedA: true, relaxed }) },
  ];
}

/** The module's bytes (for validation). */
export function gemmModuleBytes(relaxed: boolean, sharedMemory: boolean): Uint8Array<ArrayBuffer> {
  return buildModule(gemmFunctions(relaxed), sharedMemory);
}

/** Both kernels, bound to one backend's heap. */
export interface GemmKernels {
  gemm: KernelFunction;
  gemmTransposedA: KernelFunction;
  /** Whether they use fused multiply-adds (relaxed SIMD). */
  relaxed: boolean;
}

const compiled = new WeakMap<BackendWasm, GemmKernels | null>();

let relaxedSimd: boolean | null = null;

/**
 * Whether this engine runs relaxed SIMD (fused multiply-adds). Electron and Node 22+ do by
 * default; Node 20 only behind a V8 flag, which is turned on here, before the first kernel
 * compiles, so the CLI, web mode and trainer processes run what the bench measures (V8
 * reads wasm feature flags per compile, and flags are per process: workers and forked
 * trainers ask here too).
 */
export function relaxedSimdAvailable(): boolean {
  if (relaxedSimd !== null) return relaxedSimd;
  const bytes = gemmModuleBytes(true, false);
  try {
    if (!validateModule(bytes)) setFlagsFromString('--experimental-wasm-relaxed-simd');
    relaxedSimd = validateModule(bytes);
  } catch {
    relaxedSimd = false;
  }
  return relaxedSimd;
}

/** Compiles the kernels against `memory`; throws where the engine lacks (relaxed) SIMD. */
export function instantiateGemm(memory: WasmMemory, relaxed: boolean): GemmKernels {
  const exports = instantiateOnMemory(memory, gemmFunctions(relaxed));
  return { gemm: exports['gemm'] as KernelFunction, gemmTransposedA: exports['gemm_at'] as KernelFunction, relaxed };
}

/**
 * The kernels bound to `backend`'s heap, or null where they cannot be (no exported
 * memory, no SIMD). Fused multiply-adds (relaxed SIMD) where the engine has them.
 */
export function gemmFor(backend: BackendWasm): GemmKernels | null {
  return kernelsOnBackend(compiled, backend, (memory) => instantiateGemm(memory, relaxedSimdAvailable()));
}

export interface MatrixOperand {
  /** Byte address of element [0, 0]. */
  address: number;
  /** Floats between the starts of consecutive rows. */
  rowStride: number;
}

/**
 * C[rows, cols] += A·B, B being [depth, cols]. A is [rows, depth], or with
 * `transposedA` [depth, rows] (then C += Aᵀ·B). Returns false, having done nothing,
 * when cols is not a multiple of 4 (the caller falls back to the native matmul).
 */
export function gemmAccumulate(
  kernels: GemmKernels,
  a: MatrixOperand & { transposed?: boolean },
  b: MatrixOperand,
  c: MatrixOperand,
  rows: number,
  cols: number,
  depth: number,
): boolean {
  if (cols % 4 !== 0) return false;
  const task = productTask({
    a: a.address,
    aRowStride: a.rowStride,
    transposedA: Boolean(a.transposed),
    b: b.address,
    bRowStride: b.rowStride,
    c: c.address,
    cRowStride: c.rowStride,
    rows,
    cols,
    depth,
  });
  runTask(kernels, task);
  return true;
}
