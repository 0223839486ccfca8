/**
 * Tells hardware WebGPU adapters from software ones, and names them for people.
 *
 * Pure functions over the adapter's info strings so they can be tested with made-up
 * adapters: a software rasteriser is 10-100× slower than the wasm backend for
 * training, so the automatic probe must never pick one (issue #8).
 */
import type { BackendInfo } from '../../../src-shared/api/types.js';

/** What a WebGPU adapter says about itself (`GPUAdapterInfo`, all fields optional). */
export interface AdapterInfoLike {
  vendor?: string | undefined;
  architecture?: string | undefined;
  device?: string | undefined;
  description?: string | undefined;
  /** Newer spelling (on `adapter.info`); older implementations put it on the adapter. */
  isFallbackAdapter?: boolean | undefined;
}

export type AdapterSummary = NonNullable<BackendInfo['adapter']>;

/**
 * CPU implementations of Vulkan/GL/D3D that Dawn can end up on: Mesa's llvmpipe
 * (GL) and lavapipe (Vulkan, reports "llvmpipe" as its device), softpipe, Google's
 * SwiftShader, Windows' WARP ("Microsoft Basic Render Driver"), and Dawn's own null
 * backend ("null-backend"), which computes nothing at all.
 */
const SOFTWARE_NAMES =
  /\b(llvmpipe|lavapipe|softpipe|swiftshader|swrast|null-backend)|microsoft basic render driver|software (rasteri[sz]er|renderer|adapter)/i;

/**
 * Why this adapter is a software one, or null when it looks like real hardware.
 * `adapterIsFallback` is the older `GPUAdapter.isFallbackAdapter` flag.
 */
export function softwareAdapterReason(info: AdapterInfoLike, adapterIsFallback?: boolean): string | null {
  if (info.isFallbackAdapter === true || adapterIsFallback === true)
    return 'the implementation marks it as a fallback (software) adapter';
  for (const field of ['device', 'description', 'architecture', 'vendor'] as const) {
    const match = SOFTWARE_NAMES.exec(info[field] ?? '');
    if (match)
      return `${match[0]} is ${/null-backend/i.test(match[0]) ? "Dawn's null backend" : 'a software rasteriser'}`;
  }
  return null;
}

export function isSoftwareAdapter(info: AdapterInfoLike, adapterIsFallback?: boolean): boolean {
  return softwareAdapterReason(info, adapterIsFallback) !== null;
}

/** Joins the device name and the driver description, which Dawn reports separately. */
function adapterDescription(info: AdapterInfoLike): string {
  const device = (info.device ?? '').trim();
  const description = (info.description ?? '').trim();
  if (device && description && !description.includes(device)) return `${device} (${description})`;
  return device || description || 'unnamed adapter';
}

export function summarizeAdapter(info: AdapterInfoLike, adapterIsFallback?: boolean): AdapterSummary {
  return {
    vendor: (info.vendor ?? '').trim(),
    architecture: (info.architecture ?? '').trim(),
    description: adapterDescription(info),
    software: isSoftwareAdapter(info, adapterIsFallback),
  };
}

/**
 * The status-bar text, e.g. "GPU · WebGPU via Dawn (Vulkan) · nvidia ampere · NVIDIA GeForce RTX 3060"
 * or "Software GPU · WebGPU via Dawn (OpenGL ES…) · llvmpipe … (slow: training is not practical)".
 * `via` names Dawn's backend.
 */
export function describeWebGpuDevice(adapter: AdapterSummary, via: string): string {
  const kind = [adapter.vendor, adapter.architecture].filter(Boolean).join(' ');
  const parts = [
    adapter.software ? 'Software GPU' : 'GPU',
    `WebGPU via Dawn (${via})`,
    kind,
    adapter.description,
  ].filter(Boolean);
  const text = parts.join(' · ');
  return adapter.software ? `${text} (slow: training is not practical)` : text;
}
