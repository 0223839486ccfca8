/**
 * A GEMM helper thread (kernels/gemm-team.ts): compiles the kernels on the wasm
 * backend's shared heap, then, each time the team's sequence number moves, runs its
 * share of the task and counts itself done. It never touches tfjs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { instantiateGemm } from '../kernels/gemm-kernel.js';
import { runTask, TaskKind } from '../kernels/gemm-tasks.js';
import { Control, type GemmHelperInput } from '../kernels/gemm-team.js';

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
 * awake (a short spin) saves the wake-up a sleeping thread needs, which cost MNIST's
 * small step most of what the second core gave. After that, sleep.
 */
const SPINS = 50_000;

// The team's control words are fresh: sequence 0 means no task yet. (Reading it here
// instead could miss a task posted between 'ready' and this line.)
let seen = 0;
for (;;) {
  for (let spin = 0; spin < SPINS && Atomics.load(control, Control.Sequence) === seen; spin++);
  Atomics.wait(control, Control.Sequence, seen);
  const now = Atomics.load(control, Control.Sequence);
  if (now === seen) continue;
  seen = now;
  if (task[0] === TaskKind.Stop) break;
  try {
    runTask(kernels, task, input.part, input.parts);
  } catch {
    Atomics.store(control, Control.Failed, 1);
  }
  Atomics.add(control, Control.Done, 1);
  Atomics.notify(control, Control.Done);
}
