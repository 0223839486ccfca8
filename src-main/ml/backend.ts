/**
 * Picks the TensorFlow.js backend once per process and says which one it is.
 *
 * Order: tfjs-node-gpu (CUDA) → webgpu on a hardware adapter (Dawn: Vulkan, Metal,
 * D3D12, GLES) → tfjs-node (native CPU) → wasm (SIMD) → pure-JS cpu.
 * The two native packages are optional dependencies: their install downloads
 * libtensorflow and may fail, in which case importing them throws and the next one
 * is tried. WebGPU never lands on a software adapter (llvmpipe, SwiftShader…) unless
 * forced: those are far slower than wasm. Model code imports only `@tensorflow/tfjs`;
 * this module is the one place that knows about backend packages.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { trainingCores } from './cores.js';
import { heapIsShared } from './kernels/gemm-team.js';
import { inferenceThreads } from './inference/inference-helpers.js';
import { shareWasmBackendHeap } from './kernels/wasm/shared-heap.js';
import type { BackendWasm } from './kernels/wasm/wasm-heap.js';
import { AppError } from '../../src-shared/errors.js';
import type { BackendAttempt, BackendInfo, BackendName } from '../../src-shared/api/types.js';
import { describeWebGpuDevice } from './webgpu/adapter-kind.js';
import { activeWebGpu, registerWebGpuBackend, releaseWebGpuBackend } from './webgpu/register.js';

const require = createRequire(import.meta.url);

/** Imports a package that may be absent; the name is a variable so bundlers and tsc leave it alone. */
async function importOptional(packageName: string): Promise<void> {
  await import(packageName);
}

interface Candidate {
  name: BackendName;
  packageName: string;
  /** The name tfjs registers the backend under. */
  tfName: string;
  /** `forced` is true when the user asked for exactly this backend. */
  load: (forced: boolean) => Promise<void>;
  /** Runs on the backend once it is set; throws when it computes wrongly. */
  check?: () => Promise<void>;
  /** Undoes `load` when the candidate is passed over, so nothing keeps running. */
  release?: () => void;
  describe: () => Promise<string>;
  slowForTraining: () => boolean;
  adapter?: () => BackendInfo['adapter'];
}

function packageVersion(packageName: string): string {
  try {
    return (require(`${packageName}/package.json`) as { version: string }).version;
  } catch {
    return tf.version.tfjs;
  }
}

const CANDIDATES: Candidate[] = [
  {
    name: 'tensorflow-gpu',
    packageName: '@tensorflow/tfjs-node-gpu',
    tfName: 'tensorflow',
    load: () => importOptional('@tensorflow/tfjs-node-gpu'),
    describe: async () => 'GPU · CUDA (libtensorflow)',
    slowForTraining: () => false,
  },
  {
    name: 'webgpu',
    packageName: '@tensorflow/tfjs-backend-webgpu',
    tfName: 'webgpu',
    load: async (forced) => {
      await registerWebGpuBackend({ allowSoftware: forced });
    },
    check: checkWebGpu,
    release: releaseWebGpuBackend,
    describe: async () => {
      const setup = activeWebGpu();
      return setup ? describeWebGpuDevice(setup.adapter, setup.via) : 'GPU · WebGPU';
    },
    slowForTraining: () => activeWebGpu()?.adapter.software ?? false,
    adapter: () => activeWebGpu()?.adapter,
  },
  {
    name: 'tensorflow',
    packageName: '@tensorflow/tfjs-node',
    tfName: 'tensorflow',
    load: () => importOptional('@tensorflow/tfjs-node'),
    describe: async () => 'CPU · native libtensorflow',
    slowForTraining: () => false,
  },
  {
    name: 'wasm',
    packageName: '@tensorflow/tfjs-backend-wasm',
    tfName: 'wasm',
    load: async () => {
      // Before the backend instantiates its module: helper threads multiply on its heap.
      shareWasmBackendHeap();
      await import('@tensorflow/tfjs-backend-wasm');
    },
    describe: async () => {
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      // Under Node tfjs runs on one thread; training shares each product of a step between
      // cores on the shared heap (kernels/gemm-team.ts), or splits batches where it cannot.
      const cores = trainingCores();
      const shared = tf.getBackend() === 'wasm' && heapIsShared(tf.backend() as BackendWasm);
      // Prediction shares each batch with inference helpers, one per other core (inference-helpers.ts).
      const predicting = inferenceThreads();
      const heap = shared ? ' (shared heap)' : '';
      const spread =
        cores <= 1 && predicting <= 1
          ? '1 thread'
          : predicting === cores
            ? `training and predicting on ${cores} cores${heap}`
            : `training on ${cores} cores${heap}, predicting on ${predicting}`;
      return `CPU · WebAssembly${simd ? ' SIMD' : ''} · ${threads ? 'multi-threaded' : spread}`;
    },
    slowForTraining: () => false,
  },
  {
    name: 'cpu',
    packageName: '@tensorflow/tfjs-backend-cpu',
    tfName: 'cpu',
    load: async () => {},
    describe: async () => 'CPU · plain JavaScript (slow: training is not practical)',
    slowForTraining: () => true,
  },
];

export const BACKEND_NAMES: readonly BackendName[] = CANDIDATES.map((candidate) => candidate.name);

let selected: Promise<BackendInfo> | null = null;

/**
 * WebGPU's smoke test must reach the GPU: tfjs-backend-webgpu runs ops on tiny
 * CPU-resident tensors on the CPU, so 1 + 1 alone would prove nothing.
 */
async function checkWebGpu(): Promise<void> {
  const product = tf.tidy(() => tf.matMul(tf.ones([64, 64]), tf.fill([64, 64], 2)).sum());
  const value = (await product.data())[0];
  product.dispose();
  if (value !== 64 * 64 * 128) throw new Error(`the GPU computed a 64×64 matMul wrongly (sum ${value})`);
}

async function tryCandidate(candidate: Candidate, forced: boolean): Promise<void> {
  await candidate.load(forced);
  const ok = await tf.setBackend(candidate.tfName);
  if (!ok) throw new Error(`tfjs could not initialise the "${candidate.tfName}" backend`);
  await tf.ready();
  // A smoke test: some broken installs register a backend that fails on first use.
  const probe = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)));
  const value = (await probe.data())[0];
  probe.dispose();
  if (value !== 2) throw new Error('the backend computed 1 + 1 wrongly');
  await candidate.check?.();
}

function shortReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Cannot find (module|package)/.test(message)) return 'not installed';
  return message.split('\n')[0]!.slice(0, 300);
}

async function select(force: BackendName | undefined): Promise<BackendInfo> {
  // Production mode: no debug checks and no console banner (which would corrupt --json output).
  tf.enableProdMode();
  const skipped: BackendAttempt[] = [];
  const order = force ? CANDIDATES.filter((candidate) => candidate.name === force) : CANDIDATES;
  if (order.length === 0)
    throw new AppError('INVALID_INPUT', `Unknown backend "${force}"; use one of ${BACKEND_NAMES.join(', ')}`);
  for (const candidate of order) {
    try {
      await tryCandidate(candidate, Boolean(force));
      const adapter = candidate.adapter?.();
      return {
        name: candidate.name,
        packageName: candidate.packageName,
        version: packageVersion(candidate.packageName),
        device: await candidate.describe(),
        slowForTraining: candidate.slowForTraining(),
        skipped,
        forced: Boolean(force),
        ...(adapter ? { adapter } : {}),
      };
    } catch (error) {
      candidate.release?.();
      skipped.push({ name: candidate.name, error: shortReason(error) });
    }
  }
  const reasons = skipped.map((attempt) => `${attempt.name}: ${attempt.error}`).join('; ');
  throw new AppError('BACKEND_UNAVAILABLE', `No TensorFlow.js backend could start (${reasons})`);
}

/**
 * Selects the backend once for this process. `force` (from settings, the CLI's
 * `--backend`, or SESHAT_BACKEND) skips the automatic order; a later call with a
 * different `force` is refused because tfjs state is per process.
 */
export function selectBackend(force?: BackendName): Promise<BackendInfo> {
  const wanted = force ?? (process.env.SESHAT_BACKEND as BackendName | undefined);
  if (!selected) {
    selected = select(wanted);
    selected.catch(() => {
      selected = null; // allow a retry after a failure
    });
  }
  return selected;
}

/** The backend chosen so far, without starting a probe. */
export async function currentBackend(): Promise<BackendInfo | null> {
  return selected ? selected.catch(() => null) : null;
}
