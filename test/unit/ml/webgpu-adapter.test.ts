/**
 * Telling software adapters from hardware ones, and the adapter search's fail-soft
 * behaviour, without needing any GPU: made-up adapter infos, and Dawn's null backend
 * (built into dawn.node, no drivers needed) standing in for a software adapter.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  describeWebGpuDevice,
  isSoftwareAdapter,
  softwareAdapterReason,
  summarizeAdapter,
} from '../../../src-main/ml/webgpu/adapter-kind.js';
import { dawnRoutes, findDawnAdapter, linuxHasGpuDeviceNode, withTimeout } from '../../../src-main/ml/webgpu/dawn.js';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// What real implementations report (Dawn's adapter.info; Chrome's for SwiftShader/WARP).
const SOFTWARE = {
  'llvmpipe via Dawn GLES': {
    vendor: '',
    architecture: '',
    device: 'llvmpipe-llvm-15-0-6-256-bits-',
    description: 'OpenGL version OpenGL ES 3.2 Mesa 22.3.6',
  },
  'lavapipe via Dawn Vulkan': {
    vendor: 'mesa',
    architecture: '',
    device: 'llvmpipe (LLVM 19.1.7, 256 bits)',
    description: 'Mesa 25.0.7 (LLVM 19.1.7)',
  },
  SwiftShader: {
    vendor: 'google',
    architecture: 'swiftshader',
    device: '',
    description: 'SwiftShader Device (Subzero)',
  },
  WARP: { vendor: 'microsoft', architecture: '', device: 'Microsoft Basic Render Driver', description: '' },
  softpipe: { vendor: 'mesa', architecture: '', device: 'softpipe', description: '' },
  'fallback flag only': {
    vendor: 'acme',
    architecture: 'x',
    device: 'Acme GPU',
    description: '',
    isFallbackAdapter: true,
  },
  "Dawn's null backend": { vendor: '', architecture: '', device: 'null-backend', description: '' },
};

const HARDWARE = {
  NVIDIA: {
    vendor: 'nvidia',
    architecture: 'ampere',
    device: 'NVIDIA GeForce RTX 3060',
    description: 'NVIDIA: 550.54.14',
  },
  AMD: {
    vendor: 'amd',
    architecture: 'rdna-2',
    device: 'AMD Radeon RX 6700 XT (RADV NAVI22)',
    description: 'Mesa 24.0.5',
  },
  Intel: {
    vendor: 'intel',
    architecture: 'gen-12lp',
    device: 'Intel(R) UHD Graphics 770 (ADL-S GT1)',
    description: 'Intel open-source Mesa driver: Mesa 24.0.5',
  },
  Apple: { vendor: 'apple', architecture: 'metal-3', device: 'Apple M2', description: '' },
  'Intel via Mesa GLES': {
    vendor: '',
    architecture: '',
    device: 'Mesa Intel(R) UHD Graphics 620 (KBL GT2)',
    description: 'OpenGL version OpenGL ES 3.2 Mesa 22.3.6',
  },
};

test('software rasterisers and fallback adapters are classified as software', () => {
  for (const [name, info] of Object.entries(SOFTWARE)) {
    assert.equal(isSoftwareAdapter(info), true, name);
    assert.ok(softwareAdapterReason(info), name);
  }
  // The older spelling: GPUAdapter.isFallbackAdapter instead of adapter.info's.
  assert.equal(isSoftwareAdapter(HARDWARE.NVIDIA, true), true);
});

test('real GPUs are classified as hardware', () => {
  for (const [name, info] of Object.entries(HARDWARE)) {
    assert.equal(softwareAdapterReason(info), null, name);
    assert.equal(summarizeAdapter(info).software, false, name);
  }
});

test('the summary and the status-bar text name the adapter and flag software ones as slow', () => {
  const nvidia = summarizeAdapter(HARDWARE.NVIDIA);
  assert.deepEqual(nvidia, {
    vendor: 'nvidia',
    architecture: 'ampere',
    description: 'NVIDIA GeForce RTX 3060 (NVIDIA: 550.54.14)',
    software: false,
  });
  const text = describeWebGpuDevice(nvidia, 'Vulkan');
  assert.match(text, /^GPU · WebGPU via Dawn \(Vulkan\) · nvidia ampere · NVIDIA GeForce RTX 3060/);
  assert.doesNotMatch(text, /slow/);

  const llvmpipe = summarizeAdapter(SOFTWARE['llvmpipe via Dawn GLES']);
  assert.equal(llvmpipe.software, true);
  assert.match(
    describeWebGpuDevice(llvmpipe, 'OpenGL ES, compatibility mode'),
    /^Software GPU · .*llvmpipe.*\(slow: training is not practical\)$/,
  );
  assert.equal(summarizeAdapter({}).description, 'unnamed adapter');
});

test('Linux also tries the OpenGL ES route; other platforms only their native backend', () => {
  assert.deepEqual(
    dawnRoutes('linux').map((route) => route.label),
    ['Vulkan', 'OpenGL ES, compatibility mode'],
  );
  assert.equal(dawnRoutes('linux')[1]?.env?.EGL_PLATFORM, 'surfaceless');
  assert.deepEqual(
    dawnRoutes('darwin').map((route) => route.label),
    ['Metal'],
  );
  assert.deepEqual(
    dawnRoutes('win32').map((route) => route.label),
    ['D3D12'],
  );
});

test('a request that never answers is cut off instead of hanging the probe', async () => {
  await assert.rejects(
    withTimeout(new Promise<never>(() => {}), 20, 'requestAdapter'),
    /requestAdapter did not answer/,
  );
  assert.equal(await withTimeout(Promise.resolve(42), 1000, 'x'), 42);
});

const nullRoute = { label: 'null backend', flags: ['backend=null'], options: {} };

test('the adapter search passes over a software adapter unless software is allowed', async () => {
  await assert.rejects(
    findDawnAdapter({ allowSoftware: false, routes: [nullRoute], requireDeviceNode: false }),
    /no hardware WebGPU adapter \(null backend: only a software adapter .*\) — software adapters are used only when webgpu is forced/,
  );
  const found = await findDawnAdapter({ allowSoftware: true, routes: [nullRoute] });
  assert.equal(found.summary.software, true);
  assert.equal(found.route.label, 'null backend');
});

test('a route that fails is reported by name, and the search moves on to the next', async () => {
  const broken = { label: 'broken', flags: ['backend=bogus'], options: {} };
  await assert.rejects(
    findDawnAdapter({ allowSoftware: false, routes: [broken], requireDeviceNode: false }),
    /broken: unrecognised backend 'bogus'/,
  );
  const found = await findDawnAdapter({ allowSoftware: true, routes: [broken, nullRoute] });
  assert.equal(found.route.label, 'null backend');
});

test('on Linux, a GPU needs a device node; other platforms are always worth probing', () => {
  const dev = mkdtempSync(join(tmpdir(), 'seshat-dev-'));
  assert.equal(linuxHasGpuDeviceNode('linux', dev), false);
  assert.equal(linuxHasGpuDeviceNode('darwin', dev), true);
  writeFileSync(join(dev, 'nvidia0'), '');
  assert.equal(linuxHasGpuDeviceNode('linux', dev), true);
  const other = mkdtempSync(join(tmpdir(), 'seshat-dev-'));
  mkdirSync(join(other, 'dri'));
  writeFileSync(join(other, 'dri', 'card0'), '');
  assert.equal(linuxHasGpuDeviceNode('linux', other), false, 'card0 alone (no render node) is display only');
  writeFileSync(join(other, 'dri', 'renderD128'), '');
  assert.equal(linuxHasGpuDeviceNode('linux', other), true);
});
