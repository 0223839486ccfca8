// `npm test`: type-check, build, unit tests (Node), end-to-end tests in Debian's
// Chromium against web mode, and the Electron suite (which skips, saying why, where
// no Electron binary exists). Stops at the first failing stage.
import { spawnSync } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const stages = [
  ['typecheck', [npm, 'run', 'typecheck']],
  ['build', [npm, 'run', 'build']],
  ['unit', [process.execPath, 'scripts/run-unit-tests.mjs']],
  ['e2e (Chromium, web mode)', [npm, 'run', 'test:e2e']],
  ['e2e (Electron)', [npm, 'run', 'test:electron']],
];

for (const [name, [command, ...args]] of stages) {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit' });
  console.log(`=== ${name}: ${result.status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}
