/**
 * The webgpu backend agrees with cpu on every forward and gradient kernel the presets
 * train with (webgpu-kernel-cases.ts), at tiny shapes. Without a GPU this runs on
 * Mesa's llvmpipe through Dawn's OpenGL ES backend; without that either, it skips.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { KERNEL_CASES } from './webgpu-kernel-cases.js';
import { describeFailure, runChild, skipReason, type ChildResult } from './webgpu-helpers.js';

/** |webgpu − cpu| ≤ TOLERANCE · (1 + |cpu|): absolute near zero, relative for large gradients. */
const TOLERANCE = 1e-4;

type Outputs = Record<string, number[][]>;
let cpu: ChildResult;
let webgpu: ChildResult;

before(async () => {
  [cpu, webgpu] = await Promise.all([runChild(['kernels', 'cpu']), runChild(['kernels', 'webgpu'])]);
});

/** The largest scaled difference between two output lists, and where it is. */
function worstDifference(expected: number[][], actual: number[][]): { error: number; at: string } {
  let worst = { error: 0, at: '' };
  assert.equal(actual.length, expected.length, 'number of outputs');
  expected.forEach((reference, output) => {
    const values = actual[output]!;
    assert.equal(values.length, reference.length, `size of output ${output}`);
    reference.forEach((want, i) => {
      const got = values[i]!;
      const error = Number.isNaN(got) ? Infinity : Math.abs(got - want) / (1 + Math.abs(want));
      if (error > worst.error) worst = { error, at: `output ${output}[${i}]: webgpu ${got}, cpu ${want}` };
    });
  });
  return worst;
}

test('the cpu reference ran', () => {
  assert.equal(cpu.code, 0, describeFailure(cpu));
});

for (const name of Object.keys(KERNEL_CASES)) {
  test(`webgpu agrees with cpu: ${name}`, (t) => {
    const reason = skipReason(webgpu);
    if (reason) {
      t.skip(reason);
      return;
    }
    assert.equal(webgpu.code, 0, describeFailure(webgpu));
    const expected = (cpu.json as Outputs)[name];
    const actual = (webgpu.json as Outputs)[name];
    assert.ok(expected && actual, `${name} missing from a child's output`);
    const worst = worstDifference(expected, actual);
    assert.ok(worst.error <= TOLERANCE, `${name}: scaled error ${worst.error.toExponential(2)} at ${worst.at}`);
  });
}
