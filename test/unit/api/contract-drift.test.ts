/**
 * The contract is enforced by the type checker: a handler, preload bridge or
 * renderer client that drifts from it must fail `tsc`. This test writes small
 * drifting programs and checks that tsc rejects each of them (and accepts a
 * faithful one, so the test can tell the difference).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';

const repoRoot = resolve(import.meta.dirname, '../../..');
const scratch = join(repoRoot, 'test', `.drift-${process.pid}`);
mkdirSync(scratch, { recursive: true });
after(() => rmSync(scratch, { recursive: true, force: true }));

const header = `import type { ApiHandlers, SeshatApi, SeshatApiEnvelopes } from '../../src-shared/api/contract.js';\nimport { createHandlers } from '../../src-main/api/handlers/index.js';\nimport type { AppServices } from '../../src-main/app/app-services.js';\ndeclare const services: AppServices;\ndeclare const api: SeshatApi;\ndeclare const bridge: SeshatApiEnvelopes;\nexport {};\n`;

const programs: Record<string, string> = {
  faithful: `const handlers: ApiHandlers = createHandlers(services);\nconst tasks: Promise<{ id: string }[]> = api.listTasks({});\nvoid handlers; void tasks; void bridge;\n`,
  handlerMissing: `const { cancelTask, ...rest } = createHandlers(services);\nconst handlers: ApiHandlers = rest;\nvoid cancelTask; void handlers;\n`,
  handlerWrongOutput: `const handlers: ApiHandlers = { ...createHandlers(services), listTasks: () => 'not a list' };\nvoid handlers;\n`,
  rendererWrongInput: `void api.cancelTask({ task: 'abc' });\n`,
  rendererUnknownMethod: `void (api as SeshatApi).deleteEverything({});\n`,
  bridgeWrongResult: `const fn: SeshatApiEnvelopes['getProject'] = async () => ({ ok: true, value: 42 });\nvoid fn;\n`,
};

function typecheck(name: string, body: string): { ok: boolean; output: string } {
  const file = join(scratch, `${name}.ts`);
  writeFileSync(file, header + body);
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(
    process.execPath,
    [
      tsc,
      '--noEmit',
      '--strict',
      '--module',
      'NodeNext',
      '--moduleResolution',
      'NodeNext',
      '--target',
      'ES2022',
      '--types',
      'node',
      '--skipLibCheck',
      '--verbatimModuleSyntax',
      file,
    ],
    { encoding: 'utf8', cwd: repoRoot },
  );
  return { ok: result.status === 0, output: result.stdout + result.stderr };
}

test('a program faithful to the contract type-checks', () => {
  const { ok, output } = typecheck('faithful', programs.faithful!);
  assert.ok(ok, output);
});

for (const name of Object.keys(programs).filter((key) => key !== 'faithful')) {
  test(`drift is a type error: ${name}`, () => {
    const { ok, output } = typecheck(name, programs[name]!);
    assert.equal(ok, false, `expected tsc to reject ${name}`);
    assert.match(output, /error TS\d+/);
  });
}
