/**
 * A training run is never left "running" by a trainer that is gone: kill -9 of the
 * CLI trainer or SIGTERM of web mode leaves it `interrupted` and resumable from its
 * checkpoint; a damaged checkpoint makes it `failed`, not offered for resume.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, truncateSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/index.js';
import { importFolders } from '../../../src-main/import/index.js';
import { repoRoot, tempDir } from '../../helpers/images.js';
import { writeClassFolders } from '../../helpers/tiny-images.js';

const CLI = path.join(repoRoot, 'src-main/cli/main.ts');

function start(args: string[]): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return Object.assign(child, { output: () => output });
}

async function runCli(args: string[]): Promise<{ code: number | null; stdout: string }> {
  const child = start(args);
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout };
}

async function runsOf(
  project: string,
): Promise<Array<{ id: number; status: string; resumable: boolean; epochs: number }>> {
  const result = await runCli(['runs', '--project', project, '--json']);
  assert.equal(result.code, 0, result.stdout);
  return (
    JSON.parse(result.stdout) as { runs: Array<{ id: number; status: string; resumable: boolean; epochs: number }> }
  ).runs;
}

async function project(t: Parameters<typeof tempDir>[0]): Promise<string> {
  const dir = tempDir(t);
  const projectDir = path.join(dir, 'project');
  mkdirSync(projectDir);
  await writeClassFolders(path.join(dir, 'crops'), { G17: 14, M17: 14, X1: 14 }, 20);
  const catalog = Catalog.open(path.join(projectDir, 'seshat.sqlite'));
  await importFolders(catalog, {
    roots: [path.join(dir, 'crops')],
    labelSource: { kind: 'folders' },
    thumbnailsDir: null,
  });
  catalog.close();
  return projectDir;
}

/** Starts a long CLI training and resolves once `epochs` epochs have finished (their checkpoints written). */
async function trainUntil(projectDir: string, epochs: number): Promise<ChildProcess> {
  const child = start([
    'train',
    '--project',
    projectDir,
    '--preset',
    'small-cnn',
    '--epochs',
    '500',
    '--backend',
    'wasm',
  ]);
  for await (const line of createInterface({ input: child.stdout! })) {
    const match = /^epoch (\d+)\//.exec(line);
    if (match && Number(match[1]) >= epochs) return child;
  }
  throw new Error(`training ended before epoch ${epochs}: ${child.output().slice(-2000)}`);
}

test(
  'kill -9 of the trainer leaves the run interrupted and resumable, never running',
  { timeout: 240_000 },
  async (t) => {
    if (process.platform === 'win32') return t.skip('SIGKILL semantics are POSIX');
    const projectDir = await project(t);
    const child = await trainUntil(projectDir, 2);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));

    const [run] = await runsOf(projectDir);
    assert.equal(run?.status, 'interrupted');
    assert.equal(run?.resumable, true);
    assert.ok(run!.epochs >= 2);

    // A damaged checkpoint: the run fails and is no longer offered for resume.
    const checkpoint = path.join(projectDir, 'models', `run-${run!.id}`, 'checkpoint');
    const weights = path.join(
      checkpoint,
      readdirSync(checkpoint).find((name) => name === 'weights.bin')!,
    );
    truncateSync(weights, Math.floor(statSync(weights).size / 2));
    const [failed] = await runsOf(projectDir);
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.resumable, false);
    const catalog = Catalog.open(path.join(projectDir, 'seshat.sqlite'));
    t.after(() => catalog.close());
    assert.match(String((catalog.runs.get(run!.id)!.metrics as { error?: string }).error), /weights\.bin/);
  },
);

test('SIGTERM of web mode while it trains leaves the run interrupted', { timeout: 240_000 }, async (t) => {
  if (process.platform === 'win32') return t.skip('POSIX signals');
  const projectDir = await project(t);
  const server = start(['serve', '--project', projectDir, '--json', '--backend', 'wasm']);
  let text = '';
  for await (const chunk of server.stdout!) {
    text += String(chunk);
    if (text.trim().endsWith('}')) break;
  }
  const { url, openUrl } = JSON.parse(text) as { url: string; openUrl: string };
  const token = new URL(openUrl).searchParams.get('token')!;
  const call = async (method: string, input: unknown) => {
    const response = await fetch(`${url}api/call/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    });
    return (await response.json()) as { ok: boolean; value: unknown };
  };
  assert.equal((await call('startTraining', { settings: { preset: 'small-cnn', epochs: 500 } })).ok, true);
  for (let i = 0; i < 600; i++) {
    const runs = (await call('listRuns', {})).value as Array<{ id: number; status: string }>;
    const epochs = runs[0]
      ? ((await call('getRun', { runId: runs[0].id })).value as { epochs: unknown[] }).epochs.length
      : 0;
    if (epochs >= 1) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  server.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => server.on('exit', resolve));
  assert.equal(code, 0, server.output().slice(-2000));
  const [run] = await runsOf(projectDir);
  assert.equal(run?.status, 'interrupted');
  assert.equal(run?.resumable, true);
});
