/**
 * A preset trained on webgpu reaches the same accuracy as on wasm: 3 classes of
 * generated 8×8 patterns, same seed, same batches, each backend in its own process.
 * Small CNN has no randomness left, so its loss curve must match too; CNN+ has unseeded
 * dropout, so only its accuracy is compared. Skips where no WebGPU adapter exists.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeFailure, runChild, skipReason } from './webgpu-helpers.js';

interface Outcome {
  accuracy: number;
  firstLoss: number;
  lastLoss: number;
}

async function trainBoth(preset: string): Promise<{ wasm: Outcome; webgpu: Outcome } | { skip: string }> {
  const [wasm, webgpu] = await Promise.all([
    runChild(['train', 'wasm', preset]),
    runChild(['train', 'webgpu', preset]),
  ]);
  assert.equal(wasm.code, 0, describeFailure(wasm));
  const reason = skipReason(webgpu);
  if (reason) return { skip: reason };
  assert.equal(webgpu.code, 0, describeFailure(webgpu));
  return { wasm: wasm.json as Outcome, webgpu: webgpu.json as Outcome };
}

test('Small CNN trains to the same accuracy and loss on webgpu as on wasm', async (t) => {
  const result = await trainBoth('small-cnn');
  if ('skip' in result) {
    t.skip(result.skip);
    return;
  }
  const { wasm, webgpu } = result;
  assert.ok(wasm.accuracy >= 0.9, `wasm learned the task (accuracy ${wasm.accuracy})`);
  assert.ok(
    Math.abs(webgpu.accuracy - wasm.accuracy) <= 2 / 48,
    `accuracy webgpu ${webgpu.accuracy} vs wasm ${wasm.accuracy}`,
  );
  assert.ok(
    Math.abs(webgpu.firstLoss - wasm.firstLoss) <= 1e-3 * wasm.firstLoss,
    `first-epoch loss ${webgpu.firstLoss} vs ${wasm.firstLoss}`,
  );
  assert.ok(webgpu.lastLoss < webgpu.firstLoss / 2, `webgpu loss fell: ${webgpu.firstLoss} → ${webgpu.lastLoss}`);
});

test('CNN+ (batch norm, global pooling, dropout) trains to the same accuracy on webgpu as on wasm', async (t) => {
  const result = await trainBoth('cnn-plus');
  if ('skip' in result) {
    t.skip(result.skip);
    return;
  }
  const { wasm, webgpu } = result;
  assert.ok(wasm.accuracy >= 0.8, `wasm learned the task (accuracy ${wasm.accuracy})`);
  // Dropout masks differ between the runs: allow a few test images either way.
  assert.ok(
    Math.abs(webgpu.accuracy - wasm.accuracy) <= 6 / 48,
    `accuracy webgpu ${webgpu.accuracy} vs wasm ${wasm.accuracy}`,
  );
  assert.ok(webgpu.lastLoss < webgpu.firstLoss / 2, `webgpu loss fell: ${webgpu.firstLoss} → ${webgpu.lastLoss}`);
});
