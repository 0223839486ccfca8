/**
 * Compiling the generated kernels against the wasm backend's memory.
 *
 * The slice of the WebAssembly JS API used here is typed here: Node and Electron
 * have the global, but the main process compiles without the DOM library, and
 * @types/node 20 does not declare it.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { buildModule, type ModuleFunction } from './wasm-emit.js';

export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array<ArrayBuffer>) => object;
  Instance: new (module: object, imports: { env: { memory: WasmMemory } }) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array<ArrayBuffer>): boolean;
}

const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Whether this engine accepts the module (e.g. relaxed SIMD, on by default only from Node 22). */
export function validateModule(bytes: Uint8Array<ArrayBuffer>): boolean {
  return api.validate(bytes);
}

/**
 * The wasm backend's memory, which its single-threaded Emscripten module exports as
 * `memory` (the one tfjs runs under Node and in Electron). The threaded build
 * imports its memory instead; there this returns null and the kernels' callers
 * fall back to the backend's own kernels.
 */
export function backendMemory(backend: BackendWasm): WasmMemory | null {
  const exports = (backend.wasm as unknown as { asm?: Record<string, unknown> }).asm;
  const memory = exports?.['memory'];
  return memory instanceof api.Memory ? memory : null;
}

/** Compiles `functions` into one module importing `memory` as env.memory; returns its exports. Throws where the engine refuses it. */
export function instantiateOnMemory(memory: WasmMemory, functions: ModuleFunction[]): Record<string, unknown> {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  return new api.Instance(new api.Module(buildModule(functions, shared)), { env: { memory } }).exports;
}

/**
 * `build(memory)` once per backend, remembered in `cache`; null where the backend's
 * memory is out of reach or the engine refuses the module (no SIMD), so that callers
 * use the backend's own kernels.
 */
export function kernelsOnBackend<T>(
  cache: WeakMap<BackendWasm, T | null>,
  backend: BackendWasm,
  build: (memory: WasmMemory) => T,
): T | null {
  if (cache.has(backend)) return cache.get(backend)!;
  let kernels: T | null = null;
  const memory = backendMemory(backend);
  if (memory) {
    try {
      kernels = build(memory);
    } catch {
      kernels = null;
    }
  }
  cache.set(backend, kernels);
  return kernels;
}
