// Runs every test/unit/**/*.test.ts with Node's test runner through tsx.
// Node 20's --test does not expand globs itself, so the file list is built here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = findTests('test/unit').sort();
if (filter.length) files = files.filter((f) => filter.some((word) => f.includes(word)));
if (files.length === 0) {
  console.error('No unit test files matched.');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { stdio: 'inherit', env: { ...process.env, SESHAT_TEST: '1' } },
);
process.exit(result.status ?? 1);
