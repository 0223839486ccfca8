/**
 * The real backend probe on this machine, each run in its own process: it must never
 * land on a software adapter by itself, and forcing webgpu must work (here through
 * Mesa's llvmpipe) and say that the adapter is software.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BackendInfo } from '../../../src-shared/api/types.js';
import { SYNC_READ_MESSAGE } from '../../../src-main/ml/webgpu/register.js';
import { describeFailure, runChild, skipReason } from './webgpu-helpers.js';

test('the automatic probe never picks a software adapter', async () => {
  const [auto, software] = await Promise.all([
    runChild(['probe'], { SESHAT_BACKEND: undefined }),
    runChild(['software']),
  ]);
  assert.equal(auto.code, 0, describeFailure(auto));
  const info = auto.json as BackendInfo;
  assert.equal(info.forced, false);
  if (info.name === 'webgpu') {
    // A machine with a real GPU: allowed, but only on hardware.
    assert.equal(info.adapter?.software, false, info.device);
    return;
  }
  const webgpu = info.skipped.find((attempt) => attempt.name === 'webgpu');
  assert.ok(webgpu, `webgpu was not tried: ${JSON.stringify(info.skipped)}`);
  assert.equal(info.adapter, undefined);
  // Where Dawn does reach a software adapter here, the probe must say why it passed it
  // over: it found only that adapter, or (Linux) no GPU device node let it look at all.
  const found = (software.json as { found?: { software: boolean } }).found;
  if (found?.software)
    assert.match(webgpu.error, /only a software adapter .*used only when webgpu is forced|no GPU device node/);
});

test('forcing webgpu (SESHAT_BACKEND) uses the software adapter and reports it', async (t) => {
  const [forced, auto] = await Promise.all([
    runChild(['probe'], { SESHAT_BACKEND: 'webgpu' }),
    runChild(['probe'], { SESHAT_BACKEND: undefined }),
  ]);
  const reason = skipReason(forced);
  if (reason) {
    t.skip(reason);
    return;
  }
  assert.equal(forced.code, 0, describeFailure(forced));
  const info = forced.json as BackendInfo;
  assert.equal(info.name, 'webgpu');
  assert.equal(info.forced, true);
  assert.ok(info.adapter, 'the adapter is reported');
  assert.ok(info.adapter.description.length > 0);
  // With no hardware adapter here (the automatic probe skipped webgpu), it must be software.
  const hardwareHere = (auto.json as BackendInfo).name === 'webgpu';
  if (!hardwareHere) assert.equal(info.adapter.software, true, info.device);
  assert.equal(info.slowForTraining, info.adapter.software);
  assert.equal(info.device.startsWith('Software GPU'), info.adapter.software, info.device);
  assert.ok(info.device.includes(info.adapter.description), info.device);
});

test('a synchronous read on webgpu fails with what to do instead, and async reads still work', async (t) => {
  const result = await runChild(['sync-read']);
  const reason = skipReason(result);
  if (reason) {
    t.skip(reason);
    return;
  }
  assert.equal(result.code, 0, describeFailure(result));
  assert.deepEqual(result.json, { error: SYNC_READ_MESSAGE, asyncValue: 64 });
});
