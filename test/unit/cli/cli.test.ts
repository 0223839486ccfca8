import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const repoRoot = resolve(import.meta.dirname, '../../..');

/** Runs the CLI from source in its own process, as a user would run the bin. */
function seshat(args: string[], env: Record<string, string> = {}) {
  const userData = mkdtempSync(join(tmpdir(), 'seshat-cli-user-'));
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src-main/cli/main.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, SESHAT_USER_DATA: userData, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('seshat info --json prints one JSON document with the backend it chose', () => {
  const project = mkdtempSync(join(tmpdir(), 'seshat-cli-project-'));
  const { code, stdout } = seshat(['info', '--project', project, '--json']);
  assert.equal(code, 0);
  const report = JSON.parse(stdout) as {
    project: { dir: string };
    backend: { name: string; skipped: { name: string }[] };
  };
  assert.equal(report.project.dir, project);
  // The CLI runs the kernels the bench measures: fused multiply-adds on, on Node 20 too
  // (where V8 has them only behind a flag, which the kernels turn on).
  assert.equal((report as unknown as { kernels: { fusedMultiplyAdds: boolean } }).kernels.fusedMultiplyAdds, true);
  // Here the native packages are absent and there is no GPU (at most llvmpipe, which the
  // probe never picks), so the probe lands on wasm and says why.
  assert.equal(report.backend.name, 'wasm');
  assert.deepEqual(
    report.backend.skipped.map((attempt) => attempt.name),
    ['tensorflow-gpu', 'webgpu', 'tensorflow'],
  );
});

test('--backend cpu forces the pure-JS backend and says it is forced and slow', () => {
  const project = mkdtempSync(join(tmpdir(), 'seshat-cli-project-'));
  const { code, stdout } = seshat(['info', '--project', project, '--backend', 'cpu', '--json']);
  assert.equal(code, 0);
  const report = JSON.parse(stdout) as { backend: { name: string; forced: boolean; slowForTraining: boolean } };
  assert.deepEqual([report.backend.name, report.backend.forced, report.backend.slowForTraining], ['cpu', true, true]);
});

test('errors exit non-zero with a one-line reason', () => {
  const unknownOption = seshat(['info', '--bogus']);
  assert.equal(unknownOption.code, 2);
  assert.equal(unknownOption.stderr.trim().split('\n').length, 1);
  assert.match(unknownOption.stderr, /--bogus/);

  const badBackend = seshat(['info', '--backend', 'quantum', '--json']);
  assert.equal(badBackend.code, 2);
  assert.equal((JSON.parse(badBackend.stdout) as { error: { code: string } }).error.code, 'INVALID_INPUT');

  const unknownCommand = seshat(['frobnicate']);
  assert.notEqual(unknownCommand.code, 0);
  assert.match(unknownCommand.stderr, /frobnicate/);
});

test('a project path that is a file is refused with its name', () => {
  const { code, stderr } = seshat(['info', '--project', join(repoRoot, 'package.json')]);
  assert.equal(code, 1);
  assert.match(stderr, /package\.json is a file/);
});

test('train refuses a schedule, label smoothing or fine-tuning mode it does not know, naming the value', () => {
  const project = mkdtempSync(join(tmpdir(), 'seshat-cli-project-'));
  for (const [flag, value] of [
    ['--schedule', 'weekly'],
    ['--label-smoothing', '0.9'],
    ['--label-smoothing', ' '],
    ['--fine-tune', 'everything'],
  ] as const) {
    const { code, stdout } = seshat(['train', '--project', project, flag, value, '--json']);
    assert.equal(code, 2, `${flag} ${value}`);
    const error = (JSON.parse(stdout) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'INVALID_INPUT');
    assert.ok(error.message.includes(flag) && error.message.includes(`"${value}"`), error.message);
  }
});
