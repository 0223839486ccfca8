/**
 * A GEMM helper thread (kernels/gemm-team.ts): compiles the kernels on the wasm
 * backend's shared heap, then, each time the team's sequence number moves, takes
 * chunks of the task until none are left. It never touches tfjs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { instantiateGemm } from '../kernels/gemm-kernel.js';
import { Control, takeUnits, type GemmHelperInput } from '../kernels/gemm-team.js';

const port = parentPort;
if (!port) throw new Error('gemm-helper.ts must run in a worker thread');
const input = workerData as GemmHelperInput;
const control = new Int32Array(input.control);
const task = new Float64Array(input.task);

let kernels: ReturnType<typeof instantiateGemm>;
try {
  kernels = instantiateGemm(input.memory, input.relaxed);
} catch (error) {
  port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  throw error;
}
port.postMessage({ type: 'ready' });

/**
 * A step's tasks come a few hundred microseconds apart: waiting for the next one
 * awake for a moment saves most wake-ups. After that, sleep.
 */
const SPINS = 20_000;

let seen = Atomics.load(control, Control.Sequence);
while (Atomics.load(control, Control.Stop) === 0) {
  // Taking from a task that has none left is harmless (see Control), so a missed or late wake-up costs nothing.
  takeUnits(kernels, control, task, input.thread);
  for (let spin = 0; spin < SPINS && Atomics.load(control, Control.Sequence) === seen; spin++);
  Atomics.wait(control, Control.Sequence, seen);
  seen = Atomics.load(control, Control.Sequence);
}
