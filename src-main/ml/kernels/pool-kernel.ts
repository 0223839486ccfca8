/**
 * The max-pool gradient for 2×2 windows with stride 2 (every preset's pool) in
 * WebAssembly SIMD, four channels at a time, on the wasm backend's heap.
 *
 * Per window and group of four channels: load the four taps, find which tap holds
 * the first maximum (strictly greater, in window order, as tfjs' cpu backend does)
 * as lane masks, and store dy masked to that tap and zero to the other three. The
 * windows neither overlap nor leave the image, so every covered dx value is written
 * exactly once and nothing is accumulated. The JS loop it replaces compared and
 * branched per channel.
 */
import { instantiateOnMemory, kernelsOnBackend } from './wasm/wasm-api.js';
import { FunctionBuilder, I32, V128 } from './wasm/wasm-emit.js';
import type { BackendWasm } from './wasm/wasm-heap.js';

/** (x, dy, dx, images, height, width, channels, outHeight, outWidth): addresses in bytes, sizes in elements. */
type PoolGradFunction = (
  x: number,
  dy: number,
  dx: number,
  images: number,
  height: number,
  width: number,
  channels: number,
  outHeight: number,
  outWidth: number,
) => void;

function emitPoolGrad(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const x = 0,
    dx = 2,
    images = 3,
    height = 4,
    width = 5,
    channels = 6,
    outHeight = 7,
    outWidth = 8;
  const dy = 1; // advanced as dy is read: windows come in dy's own order
  const int = (): number => f.local(I32);
  const vec = (): number => f.local(V128);
  const n = int(),
    oh = int(),
    ow = int(),
    c = int(),
    tap = int(),
    window = int();
  const rowBytes = int(),
    pixelBytes = int(),
    imageBytes = int(),
    toDx = int();
  const t00 = vec(),
    t01 = vec(),
    t10 = vec(),
    t11 = vec(),
    g = vec(),
    gt1 = vec(),
    gt2 = vec(),
    gt3 = vec(),
    best = vec();
  f.get(width).get(channels).mul().i32(4).mul().set(rowBytes);
  f.get(channels).i32(4).mul().set(pixelBytes);
  f.get(height).get(rowBytes).mul().set(imageBytes);
  f.get(dx).get(x).sub().set(toDx); // dx has x's layout: the same offset addresses both

  f.i32(0).set(n);
  f.block().loop(); // images
  f.get(n).get(images).less().eqz().brIf(1);
  f.i32(0).set(oh);
  f.block().loop(); // window rows
  f.get(oh).get(outHeight).less().eqz().brIf(1);
  // window = x + n·imageBytes + 2·oh·rowBytes
  f.get(x).get(n).get(imageBytes).mul().add().get(oh).get(rowBytes).mul().i32(2).mul().add().set(window);
  f.i32(0).set(ow);
  f.block().loop(); // windows along the row
  f.get(ow).get(outWidth).less().eqz().brIf(1);
  f.i32(0).set(c);
  f.block().loop(); // four channels at a time
  f.get(c).get(pixelBytes).less().eqz().brIf(1);
  f.get(window).get(c).add().set(tap);
  f.get(tap).load().set(t00);
  f.get(tap).get(pixelBytes).add().load().set(t01);
  f.get(tap).get(rowBytes).add().load().set(t10);
  f.get(tap).get(rowBytes).add().get(pixelBytes).add().load().set(t11);
  f.get(dy).load().set(g);
  f.get(dy).i32(16).add().set(dy);
  // Running maximum: a later tap wins only when strictly greater.
  f.get(t01).get(t00).f32x4Greater().set(gt1);
  f.get(t01).get(t00).get(gt1).v128Select().set(best);
  f.get(t10).get(best).f32x4Greater().set(gt2);
  f.get(t10).get(best).get(gt2).v128Select().set(best);
  f.get(t11).get(best).f32x4Greater().set(gt3);
  // Tap 3 wins where gt3; tap 2 where gt2 and not gt3; tap 1 where gt1 and neither; tap 0 otherwise.
  f.get(tap).get(toDx).add().get(g).get(gt1).get(gt2).v128Or().get(gt3).v128Or().v128AndNot().store();
  f.get(tap)
    .get(toDx)
    .add()
    .get(pixelBytes)
    .add()
    .get(g)
    .get(gt1)
    .v128And()
    .get(gt2)
    .get(gt3)
    .v128Or()
    .v128AndNot()
    .store();
  f.get(tap).get(toDx).add().get(rowBytes).add().get(g).get(gt2).v128And().get(gt3).v128AndNot().store();
  f.get(tap).get(toDx).add().get(rowBytes).add().get(pixelBytes).add().get(g).get(gt3).v128And().store();
  f.get(c).i32(16).add().set(c);
  f.br(0).end().end();
  f.get(window).get(pixelBytes).i32(2).mul().add().set(window);
  f.get(ow).i32(1).add().set(ow);
  f.br(0).end().end();
  f.get(oh).i32(1).add().set(oh);
  f.br(0).end().end();
  f.get(n).i32(1).add().set(n);
  f.br(0).end().end();
  return f;
}

const compiled = new WeakMap<BackendWasm, PoolGradFunction | null>();

/** The kernel bound to `backend`'s heap, or null where it cannot be (no exported memory, no SIMD). */
export function poolGradFor(backend: BackendWasm): PoolGradFunction | null {
  return kernelsOnBackend(
    compiled,
    backend,
    (memory) =>
      instantiateOnMemory(memory, [{ exportName: 'max_pool_grad_2x2', builder: emitPoolGrad() }])[
        'max_pool_grad_2x2'
      ] as PoolGradFunction,
  );
}
