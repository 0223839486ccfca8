/**
 * Both cores for one GEMM, without messages: helper threads run their share of a task
 * (gemm-tasks.ts) on the wasm backend's shared heap (wasm/shared-heap.ts) while this
 * thread runs its own, then this thread waits for them.
 *
 * Why not messages: a training step runs a few dozen GEMM tasks of 0.1–10 ms each; a
 * message round trip and copying the operands would eat what the second core gives
 * (the data-parallel step showed it). Here a task is 16 numbers written to shared
 * memory, a helper is woken by Atomics.notify, and finishes by counting itself done.
 *
 * A team is started per backend (`startGemmTeam`, async: helpers compile the kernels
 * first) and used synchronously by the kernels (`gemmTeamFor`); until it is ready, or
 * where the heap is not shared, every task runs on this thread alone.
 */
import type { Worker } from 'node:worker_threads';
import { entryScript, startThread } from '../worker/thread.js';
import { gemmFor, type GemmKernels } from './gemm-kernel.js';
import {
  PARTIALS,
  runTask,
  runUnits,
  sumsPartials,
  TASK_FLOATS,
  taskOutput,
  taskUnits,
  taskWork,
} from './gemm-tasks.js';
import { backendMemory, type WasmMemory } from './wasm/wasm-api.js';
import { allocate, f32, heapAddress, release, type BackendWasm } from './wasm/wasm-heap.js';

/**
 * Control words in the shared Int32Array. `Next` counts a task's units up from −units:
 * a thread takes `chunk` units by adding to it, and a value still below zero is a unit
 * of the task now in the buffer (its numbers are written before `Next` is reset, and
 * not rewritten until every unit is `Finished`), so a helper that wakes late, even
 * after the task, can never take a unit twice or read a half-written task.
 */
export const Control = { Sequence: 0, Next: 1, Finished: 2, Failed: 3, Stop: 4, Chunk: 5, Words: 8 } as const;

/** Takes and runs chunks of the task in `task` until none are left; returns how many units this thread ran. */
export function takeUnits(kernels: GemmKernels, control: Int32Array, task: Float64Array, thread: number): number {
  let ran = 0;
  for (;;) {
    const chunk = Atomics.load(control, Control.Chunk);
    const taken = Atomics.add(control, Control.Next, chunk);
    if (taken >= 0) return ran;
    const units = taskUnits(task);
    const from = taken + units;
    const to = Math.min(units, from + chunk);
    try {
      runUnits(kernels, task, from, to, thread);
    } catch (error) {
      Atomics.store(control, Control.Failed, 1);
      if (thread === 0) throw error;
    } finally {
      // Counted even when it failed, so that the caller stops waiting.
      if (Atomics.add(control, Control.Finished, to - from) + (to - from) >= units)
        Atomics.notify(control, Control.Finished);
    }
    ran += to - from;
  }
}

/** What a helper thread is started with. */
export interface GemmHelperInput {
  memory: WasmMemory;
  control: SharedArrayBuffer;
  task: SharedArrayBuffer;
  /** This helper's thread number (1, 2, …): which partial buffer its sums go to. */
  thread: number;
  relaxed: boolean;
}

/**
 * Below this many multiply-adds a task runs on this thread alone: waking a helper
 * costs tens of microseconds, about what 1 M multiply-adds take.
 */
const MIN_SHARED_WORK = 1 << 20;

export interface GemmTeam {
  /** Threads a task is shared between, this one included. */
  readonly threads: number;
  /** Runs `task` on every thread of the team (alone where it is small); returns when all are done. */
  run(task: Float64Array): void;
  stop(): Promise<void>;
}

const teams = new WeakMap<BackendWasm, GemmTeam>();

/** Whether the backend's heap is shared (wasm/shared-heap.ts), so that a team can start on it. */
export function heapIsShared(backend: BackendWasm): boolean {
  return backendMemory(backend)?.buffer instanceof SharedArrayBuffer;
}

/** The backend's running team, or null: kernels then run their tasks on this thread. */
export function gemmTeamFor(backend: BackendWasm): GemmTeam | null {
  return teams.get(backend) ?? null;
}

/** Runs `task` with the backend's team, or on this thread where it has none. False where the kernels are unavailable. */
export function runGemmTask(backend: BackendWasm, task: Float64Array): boolean {
  const team = teams.get(backend);
  if (team) {
    if (sumsPartials(task) && taskWork(task) >= MIN_SHARED_WORK) runWithPartials(backend, team, task);
    else team.run(task);
    return true;
  }
  const kernels = gemmFor(backend);
  if (!kernels) return false;
  runTask(kernels, task);
  return true;
}

/** A task whose threads each sum into their own buffer (gemm-tasks.ts): the helpers' sums are then added to the output. */
function runWithPartials(backend: BackendWasm, team: GemmTeam, task: Float64Array): void {
  const output = taskOutput(task);
  const floats = output.rows * output.cols;
  const scratch = allocate(backend, [team.threads - 1, floats], true);
  try {
    task[PARTIALS] = heapAddress(backend, scratch);
    team.run(task);
    const partials = f32(backend, scratch);
    const out = new Float32Array(partials.buffer, output.address, (output.rows - 1) * output.rowStride + output.cols);
    for (let p = 0; p < team.threads - 1; p++) {
      for (let r = 0; r < output.rows; r++) {
        const from = p * floats + r * output.cols;
        const to = r * output.rowStride;
        for (let j = 0; j < output.cols; j++) out[to + j]! += partials[from + j]!;
      }
    }
  } finally {
    task[PARTIALS] = 0;
    release(backend, scratch);
  }
}

/**
 * Starts `threads - 1` helpers for `backend` (none when threads ≤ 1, the heap is not
 * shared or the kernels are unavailable); resolves to the team, or null. Idempotent.
 */
export async function startGemmTeam(backend: BackendWasm, threads: number): Promise<GemmTeam | null> {
  const existing = teams.get(backend);
  if (existing && existing.threads === threads) return existing;
  if (existing) await stopGemmTeam(backend);
  const memory = backendMemory(backend);
  const kernels = gemmFor(backend);
  if (threads <= 1 || !memory || !kernels || !heapIsShared(backend)) return null;
  const control = new SharedArrayBuffer(Control.Words * 4);
  const taskBuffer = new SharedArrayBuffer(TASK_FLOATS * 8);
  const helpers: Worker[] = [];
  try {
    for (let thread = 1; thread < threads; thread++) {
      const input: GemmHelperInput = {
        memory,
        control,
        task: taskBuffer,
        thread,
        relaxed: kernels.relaxed,
      };
      helpers.push(await startHelper(input));
    }
  } catch (error) {
    await Promise.all(helpers.map((helper) => helper.terminate()));
    throw error;
  }
  const team = createTeam(kernels, new Int32Array(control), new Float64Array(taskBuffer), helpers);
  teams.set(backend, team);
  return team;
}

export async function stopGemmTeam(backend: BackendWasm): Promise<void> {
  const team = teams.get(backend);
  teams.delete(backend);
  await team?.stop();
}

/** Starts one helper and waits until it has compiled its kernels. */
function startHelper(input: GemmHelperInput): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = startThread(entryScript('gemm-helper'), input);
    worker.once('message', (message: { type: string; message?: string }) => {
      if (message.type === 'ready') {
        worker.unref();
        resolve(worker);
      } else reject(new Error(`A GEMM helper thread could not start: ${message.message}`));
    });
    worker.once('error', reject);
  });
}

/** Returns once every unit of the task is done, whichever thread took it. */
function waitUntilFinished(control: Int32Array, units: number): void {
  // What helpers took is usually done within microseconds of this thread's last chunk.
  let finished = Atomics.load(control, Control.Finished);
  for (let spin = 0; spin < 10_000 && finished < units; spin++) finished = Atomics.load(control, Control.Finished);
  while (finished < units) {
    Atomics.wait(control, Control.Finished, finished, 1000);
    finished = Atomics.load(control, Control.Finished);
  }
}

function createTeam(kernels: GemmKernels, control: Int32Array, task: Float64Array, helpers: Worker[]): GemmTeam {
  const threads = helpers.length + 1;
  let stopped = false;
  return {
    threads,
    run(next: Float64Array): void {
      if (stopped || taskWork(next) < MIN_SHARED_WORK) {
        runTask(kernels, next);
        return;
      }
      task.set(next.subarray(0, TASK_FLOATS));
      const units = taskUnits(task);
      // About four chunks per thread: small enough to even out, few enough to cost nothing.
      Atomics.store(control, Control.Chunk, Math.max(1, Math.floor(units / (threads * 4))));
      Atomics.store(control, Control.Finished, 0);
      Atomics.store(control, Control.Failed, 0);
      Atomics.store(control, Control.Next, -units);
      Atomics.add(control, Control.Sequence, 1);
      Atomics.notify(control, Control.Sequence);
      try {
        takeUnits(kernels, control, task, 0);
      } finally {
        // Even when this thread's share failed: the task buffer is not reused while a helper still reads it.
        waitUntilFinished(control, units);
      }
      if (Atomics.load(control, Control.Failed) !== 0) {
        stopped = true;
        throw new Error('A GEMM helper thread failed; the team is stopped and tasks run on one thread');
      }
    },
    async stop(): Promise<void> {
      stopped = true;
      Atomics.store(control, Control.Stop, 1);
      Atomics.add(control, Control.Sequence, 1);
      Atomics.notify(control, Control.Sequence);
      await Promise.all(helpers.map((helper) => helper.terminate()));
      helpers.length = 0;
    },
  };
}
