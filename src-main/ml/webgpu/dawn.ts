/**
 * Finds a WebGPU adapter through Dawn's Node binding (the `webgpu` npm package,
 * which ships prebuilt `dawn.node` for linux/macOS/Windows, so a plain `npm install`
 * is enough) and opens a device on it.
 *
 * Two routes are tried, in order:
 *  1. Dawn's native backend for the platform (Vulkan, Metal, D3D12), high-performance
 *     adapter first;
 *  2. on Linux, Dawn's OpenGL ES backend in compatibility mode over EGL's surfaceless
 *     platform: the route for GPUs without a Vulkan driver, and the one that reaches
 *     Mesa's llvmpipe on GPU-less machines (used by the tests and only when forced).
 * Every step fails soft (an Error whose message says why) and every wait is time-limited:
 * a driver that never answers must not hang the backend probe.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type * as Dawn from 'webgpu';
import { softwareAdapterReason, summarizeAdapter, type AdapterSummary } from './adapter-kind.js';

type DawnModule = typeof Dawn;

export interface DawnRoute {
  /** Dawn's backend, shown to users: "Vulkan", "OpenGL ES, compatibility mode"… */
  label: string;
  flags: string[];
  options: GPURequestAdapterOptions;
  /** Environment Dawn's GL backend needs while it opens EGL. */
  env?: Record<string, string>;
}

export interface DawnAdapter {
  /** Dawn's GPU object; it must stay referenced while the device is in use. */
  gpu: GPU;
  adapter: GPUAdapter;
  globals: object;
  route: DawnRoute;
  summary: AdapterSummary;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

function nativeBackendName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Metal';
  if (platform === 'win32') return 'D3D12';
  return 'Vulkan';
}

/** The routes worth trying on this platform, best first. */
export function dawnRoutes(platform: NodeJS.Platform = process.platform): DawnRoute[] {
  const routes: DawnRoute[] = [
    { label: nativeBackendName(platform), flags: [], options: { powerPreference: 'high-performance' } },
  ];
  // Dawn's GLES backend needs EGL: native on Linux; on Windows it would need ANGLE,
  // which the npm package does not ship, and macOS has no GLES.
  if (platform === 'linux') {
    routes.push({
      label: 'OpenGL ES, compatibility mode',
      flags: ['backend=opengles'],
      options: { featureLevel: 'compatibility', powerPreference: 'high-performance' } as GPURequestAdapterOptions,
      // Mesa's EGL defaults to X11, which fails without DISPLAY (servers, CI, Wayland-only
      // sessions) and proved flaky under Xvfb; its surfaceless platform (render nodes
      // for a real GPU, or llvmpipe) needs no display server at all.
      env: { EGL_PLATFORM: 'surfaceless' },
    });
  }
  return routes;
}

/**
 * Settles like `promise`, or rejects once `ms` have passed. The timer is deliberately
 * not unref'd: it is what keeps the event loop alive while a native request is pending
 * (otherwise Node could exit mid-probe); it is cleared as soon as the promise settles.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${(ms / 1000).toFixed(ms < 1000 ? 2 : 0)} s`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let dawnModule: Promise<DawnModule> | null = null;

/** Loads dawn.node once; a missing package or a binary for another platform rejects. */
export function loadDawn(): Promise<DawnModule> {
  dawnModule ??= import('webgpu');
  return dawnModule;
}

/**
 * Sets environment variables for the duration of `work`, then restores them, so
 * EGL_PLATFORM=surfaceless does not leak into child processes (in Electron, Chromium's
 * GPU process would inherit it). EGL reads it when the display is opened, during
 * adapter discovery. A worker thread's process.env is a private copy that native code
 * never sees: there the route is tried as the environment is (with a desktop's
 * DISPLAY, Mesa's X11 platform may do), and `unset` lists what could not be set.
 */
async function withEnv<T>(env: Record<string, string> | undefined, work: (unset: string[]) => Promise<T>): Promise<T> {
  const missing = Object.entries(env ?? {}).filter(([key]) => process.env[key] === undefined);
  if (!isMainThread) return work(missing.map(([key, value]) => `${key}=${value}`));
  for (const [key, value] of missing) process.env[key] = value;
  try {
    return await work([]);
  } finally {
    for (const [key] of missing) delete process.env[key];
  }
}

interface RouteOutcome {
  found?: DawnAdapter;
  /** Why the route gave no usable adapter (or why its adapter is software). */
  note: string;
}

async function tryRoute(dawn: DawnModule, route: DawnRoute, timeoutMs: number): Promise<RouteOutcome> {
  try {
    return await withEnv(route.env, async (unset) => {
      const gpu = dawn.create(route.flags);
      const adapter = await withTimeout(gpu.requestAdapter(route.options), timeoutMs, `${route.label} requestAdapter`);
      const hint = unset.length
        ? ` (in a worker thread it may need ${unset.join(' ')} in the real environment: a worker cannot set it)`
        : '';
      if (!adapter) return { note: `${route.label}: no adapter${hint}` };
      const legacyFallback = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
      const summary = summarizeAdapter(adapter.info, legacyFallback);
      const software = softwareAdapterReason(adapter.info, legacyFallback);
      const found: DawnAdapter = { gpu, adapter, globals: dawn.globals, route, summary };
      return {
        found,
        note: software
          ? `${route.label}: only a software adapter (${software})`
          : `${route.label}: ${summary.description}`,
      };
    });
  } catch (error) {
    return { note: `${route.label}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}

/** False only on Linux without any GPU device node; other platforms always may have one. */
export function linuxHasGpuDeviceNode(platform: NodeJS.Platform = process.platform, dev = '/dev'): boolean {
  if (platform !== 'linux') return true;
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  return (
    list(join(dev, 'dri')).some((name) => name.startsWith('renderD')) ||
    list(dev).some((name) => /^nvidia\d+$/.test(name) || name === 'dxg')
  );
}

export interface FindAdapterOptions {
  /** Accept a software adapter when no hardware one exists (only when the user forced webgpu). */
  allowSoftware: boolean;
  timeoutMs?: number;
  routes?: DawnRoute[];
  /** Look for a GPU device node first on Linux (default true; tests of the route logic turn it off). */
  requireDeviceNode?: boolean;
}

/**
 * The first hardware adapter over the routes; with `allowSoftware`, the first software
 * adapter when there is no hardware one. Throws an Error listing what each route found.
 */
export async function findDawnAdapter(options: FindAdapterOptions): Promise<DawnAdapter> {
  // On Linux a hardware adapter needs a device node; without one, Dawn could only find a
  // software adapter (never chosen automatically), and loading it prints driver warnings.
  if (!options.allowSoftware && options.requireDeviceNode !== false && !linuxHasGpuDeviceNode())
    throw new Error('no GPU device node (/dev/dri/renderD*, /dev/nvidia*, /dev/dxg)');
  let dawn: DawnModule;
  try {
    dawn = await loadDawn();
  } catch (error) {
    dawnModule = null;
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      /Cannot find (module|package)/.test(message)
        ? 'the webgpu package (Dawn) is not installed'
        : `Dawn could not load: ${message.split('\n')[0]}`,
      {
        cause: error,
      },
    );
  }
  const notes: string[] = [];
  let software: DawnAdapter | undefined;
  for (const route of options.routes ?? dawnRoutes()) {
    const outcome = await tryRoute(dawn, route, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    notes.push(outcome.note);
    if (!outcome.found) continue;
    if (!outcome.found.summary.software) return outcome.found;
    software ??= outcome.found;
  }
  if (software && options.allowSoftware) return software;
  const hint = software ? ' — software adapters are used only when webgpu is forced' : '';
  throw new Error(`no hardware WebGPU adapter (${notes.join('; ')})${hint}`);
}

/**
 * Opens a device with the adapter's own limits. Compatibility-mode adapters hand out
 * low defaults (e.g. 4 storage buffers per stage) unless the limits are requested, and
 * tfjs's kernels need more; on hardware the higher limits let big layers fit.
 */
export async function openDevice(adapter: GPUAdapter, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<GPUDevice> {
  const requiredLimits: Record<string, number> = {};
  const limits = adapter.limits as unknown as Record<string, unknown>;
  for (const key in limits) {
    const value = limits[key];
    if (typeof value === 'number') requiredLimits[key] = value;
  }
  // timestamp-query lets tfjs's profiler time kernels; nothing else is needed.
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  return withTimeout(adapter.requestDevice({ requiredLimits, requiredFeatures }), timeoutMs, 'requestDevice');
}
