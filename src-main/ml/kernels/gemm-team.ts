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
import { gemmFor } from './gemm-kernel.js';
import { runTask, TASK_FLOATS, TaskKind, taskWork } from './gemm-tasks.js';
import { backendMemory, type WasmMemory } from './wasm/wasm-api.js';
import type { BackendWasm } from './wasm/wasm-heap.js';

/** Control words in the shared Int32Array. */
export const Control = { Sequence: 0, Done: 1, Failed: 2, Words: 4 } as const;

/** What a helper thread is started with. */
export interface GemmHelperInput {
  memory: WasmMemory;
  control: SharedArrayBuffer;
  task: SharedArrayBuffer;
  part: number;
  parts: number;
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

/** The backend's running team, or null: kernels then run their tasks on this thread. */
export function gemmTeamFor(backend: BackendWasm): GemmTeam | null {
  return teams.get(backend) ?? null;
}

/** Runs `task` with the backend's team, or on this thread where it has none. False where the kernels are unavailable. */
export function runGemmTask(backend: BackendWasm, task: Float64Array): boolean {
  const team = teams.get(backend);
  if (team) {
    team.run(task);
    return true;
  }
  const kernels = gemmFor(backend);
  if (!kernels) return false;
  runTask(kernels, task, 0, 1);
  return true;
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
  if (threads <= 1 || !memory || !kernels || !(memory.buffer instanceof SharedArrayBuffer)) return null;
  const control = new SharedArrayBuffer(Control.Words * 4);
  const taskBuffer = new SharedArrayBuffer(TASK_FLOATS * 8);
  const helpers: Worker[] = [];
  try {
    for (let part = 1; part < threads; part++) {
      const input: GemmHelperInput = {
        memory,
        control,
        task: taskBuffer,
        part,
        parts: threads,
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

function createTeam(
  kernels: NonNullable<ReturnType<typeof gemmFor>>,
  control: Int32Array,
  task: Float64Array,
  helpers: Worker[],
): GemmTeam {
  const threads = helpers.length + 1;
  let stopped = false;
  return {
    threads,
    run(next: Float64Array): void {
      if (stopped || taskWork(next) < MIN_SHARED_WORK) {
        runTask(kernels, next, 0, 1);
        return;
      }
      task.set(next.subarray(0, TASK_FLOATS));
      Atomics.store(control, Control.Done, 0);
      Atomics.add(control, Control.Sequence, 1);
      Atomics.notify(control, Control.Sequence);
      runTask(kernels, task, 0, threads);
      // Helpers usually finish within microseconds of this thread: spin a little, then sleep.
      for (let spin = 0; spin < 2000 && Atomics.load(control, Control.Done) < helpers.length; spin++);
      let done = Atomics.load(control, Control.Done);
      while (done < helpers.length) {
        Atomics.wait(control, Control.Done, done, 1000);
        done = Atomics.load(control, Control.Done);
      }
      if (Atomics.load(control, Control.Failed) !== 0) {
        stopped = true;
        throw new Error('A GEMM helper thread failed; the team is stopped and tasks run on one thread');
      }
    },
    async stop(): Promise<void> {
      if (stopped && helpers.length === 0) return;
      stopped = true;
      task[0] = TaskKind.Stop;
      Atomics.add(control, Control.Sequence, 1);
      Atomics.notify(control, Control.Sequence);
      await Promise.all(helpers.map((helper) => helper.terminate()));
      helpers.length = 0;
    },
  };
}
