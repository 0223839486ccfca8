/**
 * Registers tfjs's `webgpu` backend on a Dawn device that we chose.
 *
 * tfjs-backend-webgpu registers its own factory when imported, but that factory asks
 * `navigator.gpu` for whatever adapter comes first and requests only six limits — it
 * would happily take llvmpipe, and on compatibility adapters it gets limits too low
 * for the kernels. So we pick the adapter and device ourselves (dawn.ts) and replace
 * the factory with one that wraps them in `new WebGPUBackend(device, adapterInfo)`.
 * The kernels are registered under the backend name, independent of the factory.
 */
import * as tf from '@tensorflow/tfjs';
import { findDawnAdapter, openDevice, type DawnAdapter, type FindAdapterOptions } from './dawn.js';
import type { AdapterSummary } from './adapter-kind.js';

export interface WebGpuSetup {
  adapter: AdapterSummary;
  /** Dawn's backend that found it, e.g. "Vulkan". */
  via: string;
}

interface Active {
  dawn: DawnAdapter;
  device: GPUDevice;
  setup: WebGpuSetup;
}

let active: Active | null = null;

export const SYNC_READ_MESSAGE =
  'The webgpu backend cannot read GPU data synchronously in Node (dataSync/arraySync/bufferSync): use `await tensor.data()`';

/**
 * tfjs-backend-webgpu reads `navigator.gpu` (at import, and in WebGPUBackend's
 * constructor) and the WebGPU constant objects (GPUBufferUsage, GPUMapMode…) as
 * globals. Node 20 has no navigator; Node 21+ (and Electron) has one without `gpu`.
 */
function installGlobals(gpu: GPU, globals: object): void {
  const scope = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(globals)) {
    if (!(name in scope)) Object.defineProperty(scope, name, { value, configurable: true, writable: true });
  }
  const existing = scope.navigator as Record<string, unknown> | undefined;
  if (existing && typeof existing === 'object') {
    try {
      Object.defineProperty(existing, 'gpu', { value: gpu, configurable: true, writable: true });
    } catch {
      // A frozen navigator: replaced below.
    }
  }
  if ((scope.navigator as { gpu?: unknown } | undefined)?.gpu !== gpu) {
    Object.defineProperty(scope, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
}

function uninstallNavigatorGpu(): void {
  const navigator = (globalThis as Record<string, unknown>).navigator as Record<string, unknown> | undefined;
  // Dawn's instance keeps Node alive while referenced; dropping it lets the process exit.
  if (navigator && typeof navigator === 'object') delete navigator.gpu;
}

/**
 * Finds an adapter (hardware first; software only with `allowSoftware`), opens a device
 * with the adapter's limits and registers the `webgpu` tfjs backend on it. Call
 * `tf.setBackend('webgpu')` afterwards. Idempotent: a second call returns the first setup.
 */
export async function registerWebGpuBackend(options: FindAdapterOptions): Promise<WebGpuSetup> {
  if (active) return active.setup;
  const dawn = await findDawnAdapter(options);
  installGlobals(dawn.gpu, dawn.globals);
  try {
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    /**
     * WebGPU has no synchronous readback: tfjs fakes one in browsers by drawing into an
     * OffscreenCanvas, which Node lacks. Say what to do instead of "OffscreenCanvas is
     * not defined" (values already on the CPU are still returned synchronously).
     */
    class NodeWebGpuBackend extends WebGPUBackend {
      override readSync(dataId: object): ReturnType<InstanceType<typeof WebGPUBackend>['readSync']> {
        try {
          return super.readSync(dataId);
        } catch (error) {
          if (!(error instanceof ReferenceError && /OffscreenCanvas/.test(error.message))) throw error;
          throw new Error(SYNC_READ_MESSAGE, { cause: error });
        }
      }
    }
    const device = await openDevice(dawn.adapter, options.timeoutMs);
    const setup: WebGpuSetup = { adapter: dawn.summary, via: dawn.route.label };
    active = { dawn, device, setup };
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    // Priority 1: below wasm (2), so tfjs never picks it by itself; we call setBackend.
    tf.registerBackend('webgpu', () => new NodeWebGpuBackend(device, dawn.adapter.info), 1);
    return setup;
  } catch (error) {
    releaseWebGpuBackend();
    throw error;
  }
}

/** The adapter in use, once registerWebGpuBackend has succeeded. */
export function activeWebGpu(): WebGpuSetup | null {
  return active?.setup ?? null;
}

/**
 * Undoes registerWebGpuBackend: removes the backend (disposing its tensors), destroys
 * the device and drops the Dawn instance, so a failed probe leaves nothing running.
 */
export function releaseWebGpuBackend(): void {
  if (tf.findBackendFactory('webgpu')) {
    try {
      tf.removeBackend('webgpu');
    } catch {
      // Disposing a half-initialised backend can throw; the device is destroyed below anyway.
    }
  }
  active?.device.destroy();
  active = null;
  uninstallNavigatorGpu();
}
