/**
 * Gives the wasm backend a shared heap, so that helper threads can run the GEMM
 * kernels on its tensors where they lie (gemm-team.ts).
 *
 * Why this way: tfjs runs its single-threaded wasm build under Node and in Electron's
 * main process (its threaded build needs browser workers). That module declares its
 * own memory; declared shared instead, the same code runs unchanged (plain loads and
 * stores are valid on shared memory; only the heap's buffer becomes a
 * SharedArrayBuffer), and a shared WebAssembly.Memory can be posted to worker threads.
 * The patch applies once, to the backend's module only (found by its `register_tensor`
 * export), while that module is instantiated; anything else passes through untouched.
 */
import { concatenated } from '../../../../src-shared/typed-arrays.js';

const MEMORY_SECTION = 5;
/** wasm32's ceiling in 64 KiB pages: a shared memory must declare a maximum. */
const MAX_PAGES = 65536;
const MARKER = new TextEncoder().encode('register_tensor');

function readUleb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  let byte: number;
  do {
    byte = bytes[at++]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
  } while (byte & 0x80);
  return [value, at];
}

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

/**
 * `bytes` with its one declared memory made shared (same initial size, its maximum or
 * wasm32's); null when the module declares no memory, several, or an already shared one.
 */
export function withSharedMemory(bytes: Uint8Array): Uint8Array<ArrayBuffer> | null {
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let changed = false;
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at]!;
    const [size, body] = readUleb(bytes, at + 1);
    const end = body + size;
    if (id === MEMORY_SECTION) {
      let [count, p] = readUleb(bytes, body);
      const flags = bytes[p++]!;
      if (count !== 1 || flags & 0x02) return null;
      let initial: number;
      [initial, p] = readUleb(bytes, p);
      let maximum = MAX_PAGES;
      if (flags & 0x01) [maximum] = readUleb(bytes, p);
      const section = [...uleb(1), 0x03, ...uleb(initial), ...uleb(maximum)];
      parts.push(Uint8Array.from([MEMORY_SECTION, ...uleb(section.length), ...section]));
      changed = true;
    } else {
      parts.push(bytes.subarray(at, end));
    }
    at = end;
  }
  if (!changed) return null;
  return concatenated(parts, (length) => new Uint8Array(length));
}

function isBackendModule(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(MARKER) >= 0;
}

type Instantiate = (source: unknown, imports?: unknown) => Promise<unknown>;
let installed = false;

/**
 * Until the wasm backend's module is instantiated, hands WebAssembly.instantiate its
 * bytes with a shared memory; then steps aside. Call before the backend initialises
 * (tf.setBackend('wasm')): importing the kernels does. SESHAT_SHARED_HEAP=0 turns it off.
 */
export function shareWasmBackendHeap(): void {
  if (installed || process.env['SESHAT_SHARED_HEAP'] === '0') return;
  if (typeof SharedArrayBuffer === 'undefined') return;
  installed = true;
  const wasm = (globalThis as unknown as { WebAssembly: { instantiate: Instantiate } }).WebAssembly;
  const original = wasm.instantiate;
  wasm.instantiate = function (source: unknown, imports?: unknown) {
    const bytes = source instanceof Uint8Array ? source : source instanceof ArrayBuffer ? new Uint8Array(source) : null;
    if (bytes && isBackendModule(bytes)) {
      wasm.instantiate = original;
      const shared = withSharedMemory(bytes);
      return original.call(this, shared ?? bytes, imports);
    }
    return original.call(this, source, imports);
  };
}
