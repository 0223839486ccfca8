/**
 * A minimal WebAssembly binary writer, enough to generate the SIMD kernels in
 * gemm-kernel.ts at startup.
 *
 * Why generate instead of shipping a compiled .wasm: the kernels are unrolled per
 * tile shape by ordinary TypeScript loops (as XNNPACK generates its micro-kernels
 * from templates), there is no C toolchain or generated binary to keep in step, and
 * the module imports the tfjs wasm backend's own memory, so kernels read and write
 * tensors where they already are. Only the instructions the kernels use are here.
 */

export const I32 = 0x7f;
export const V128 = 0x7b;
type ValueType = typeof I32 | typeof V128;

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  // A local looked up by a misspelt name is undefined; fail here, not in a wrong kernel.
  if (!Number.isInteger(value) || value < 0) throw new Error(`uleb: ${value} is not a non-negative integer`);
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
export function sleb(value: number): number[] {
  if (!Number.isInteger(value)) throw new Error(`sleb: ${value} is not an integer`);
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

/** Builds one function body. Locals are declared up front with `local(type)`. */
export class FunctionBuilder {
  private readonly code: number[] = [];
  private readonly locals: ValueType[] = [];

  constructor(readonly params: ValueType[]) {}

  /** A new local of `type`; returns its index. */
  local(type: ValueType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  private simd(opcode: number, ...immediates: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...immediates);
  }

  get(index: number): this {
    return this.op(0x20, ...uleb(index));
  }
  set(index: number): this {
    return this.op(0x21, ...uleb(index));
  }
  i32(value: number): this {
    return this.op(0x41, ...sleb(value));
  }
  add(): this {
    return this.op(0x6a);
  }
  sub(): this {
    return this.op(0x6b);
  }
  mul(): this {
    return this.op(0x6c);
  }
  /** i32.le_s */
  lessOrEqual(): this {
    return this.op(0x4c);
  }
  /** i32.lt_s */
  less(): this {
    return this.op(0x48);
  }
  /** i32.ne */
  notEqual(): this {
    return this.op(0x47);
  }
  eqz(): this {
    return this.op(0x45);
  }
  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  end(): this {
    return this.op(0x0b);
  }
  /** br to the `depth`-th enclosing block/loop (0 = innermost). */
  br(depth: number): this {
    return this.op(0x0c, ...uleb(depth));
  }
  brIf(depth: number): this {
    return this.op(0x0d, ...uleb(depth));
  }
  /** v128.load from [address on stack + offset]; alignment hint 4 bytes. */
  load(offset = 0): this {
    return this.simd(0x00, 2, ...uleb(offset));
  }
  store(offset = 0): this {
    return this.simd(0x0b, 2, ...uleb(offset));
  }
  /** v128.load32_splat: one float broadcast to all four lanes. */
  loadSplat(offset = 0): this {
    return this.simd(0x09, 2, ...uleb(offset));
  }
  /** i32x4.splat: an i32 from the stack in all four lanes (0 gives +0.0 floats). */
  splatI32(): this {
    return this.simd(0x11);
  }
  /** Any SIMD instruction without immediates, by its opcode (e.g. 0xe4 f32x4.add). */
  simdOp(opcode: number): this {
    return this.simd(opcode);
  }
  /** f32x4.gt: all-ones lanes where a > b (false for NaN). */
  f32x4Greater(): this {
    return this.simd(0x44);
  }
  v128And(): this {
    return this.simd(0x4e);
  }
  /** v128.andnot: a & ~b. */
  v128AndNot(): this {
    return this.simd(0x4f);
  }
  v128Or(): this {
    return this.simd(0x50);
  }
  /** v128.bitselect(a, b, mask): bits of a where mask is set, of b elsewhere. */
  v128Select(): this {
    return this.simd(0x52);
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  /** f32x4.relaxed_madd (a·b + c, fused where the machine can): needs relaxed SIMD. */
  f32x4MulAdd(): this {
    return this.simd(0x105);
  }

  bytes(): number[] {
    const groups: number[][] = [];
    for (const type of this.locals) {
      const last = groups.at(-1);
      if (last && last[1] === type) last[0]!++;
      else groups.push([1, type]);
    }
    const declarations = vector(groups.map(([count, type]) => [...uleb(count!), type!]));
    const body = [...declarations, ...this.code, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

/**
 * Emits: for each of `rows` rows (a parameter, counted down), for each 16-byte
 * column offset below `rowBytes`, store at `out` + column the vector that
 * `value(column)` leaves on the stack; then advance `out` and the locals in
 * `rowPointers` by rowBytes. The loop of the per-channel kernels (elementwise,
 * batch norm), whose operands are either per-row (advanced) or one row (not).
 */
export function emitRowsOfVectors(
  f: FunctionBuilder,
  rows: number,
  rowBytes: number,
  out: number,
  rowPointers: number[],
  value: (column: number) => void,
): void {
  const column = f.local(I32);
  f.block().loop(); // rows
  f.get(rows).eqz().brIf(1);
  f.i32(0).set(column);
  f.block().loop(); // four floats at a time
  f.get(column).get(rowBytes).less().eqz().brIf(1);
  f.get(out).get(column).add();
  value(column);
  f.store();
  f.get(column).i32(16).add().set(column);
  f.br(0).end().end();
  for (const pointer of [...rowPointers, out]) f.get(pointer).get(rowBytes).add().set(pointer);
  f.get(rows).i32(1).sub().set(rows);
  f.br(0).end().end();
}

export interface ModuleFunction {
  exportName: string;
  builder: FunctionBuilder;
}

/**
 * A module with one imported memory (`env.memory`) and the given functions, all
 * returning nothing. `sharedMemory` must match the memory that will be imported.
 */
export function buildModule(functions: ModuleFunction[], sharedMemory: boolean): Uint8Array<ArrayBuffer> {
  const types = vector(functions.map(({ builder }) => [0x60, ...vector(builder.params.map((t) => [t])), 0]));
  // Limits: shared memories must declare a maximum; 65536 pages is wasm32's ceiling.
  const limits = sharedMemory ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  const imports = vector([[...name('env'), ...name('memory'), 0x02, ...limits]]);
  const declared = vector(functions.map((_, i) => uleb(i)));
  const exports = vector(functions.map(({ exportName }, i) => [...name(exportName), 0x00, ...uleb(i)]));
  const code = vector(functions.map(({ builder }) => builder.bytes()));
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, declared),
    ...section(7, exports),
    ...section(10, code),
  ]);
}
