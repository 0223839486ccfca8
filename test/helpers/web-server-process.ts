/**
 * Starts `seshat serve` (the built CLI, exactly as a user runs it) on a random port
 * for a temporary project, and reads the URL it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface ServedApp {
  url: string;
  openUrl: string;
  token: string;
  projectDir: string;
  userDataDir: string;
  stop(): Promise<void>;
}

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

export async function serveTestProject(
  options: { projectDir?: string; env?: Record<string, string> } = {},
): Promise<ServedApp> {
  const scratch = mkdtempSync(join(tmpdir(), 'seshat-e2e-'));
  const projectDir = options.projectDir ?? join(scratch, 'project');
  const userDataDir = join(scratch, 'user-data');
  const child: ChildProcess = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin/seshat.js'), 'serve', '--project', projectDir, '--json'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, SESHAT_USER_DATA: userDataDir, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  let stopping = false;
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  // A server that dies mid-test explains itself in the test output.
  child.once('exit', (code, signal) => {
    if (!stopping)
      console.error(`seshat serve exited unexpectedly (code ${code}, signal ${signal}):\n${stderr.slice(-4000)}`);
  });
  const started = await new Promise<{ url: string; openUrl: string }>((resolvePromise, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`seshat serve did not start in time: ${stderr}`)), 30_000);
    child.stdout?.on('data', (chunk) => {
      stdout += String(chunk);
      try {
        const parsed = JSON.parse(stdout) as { url: string; openUrl: string };
        clearTimeout(timer);
        resolvePromise(parsed);
      } catch {
        // not the whole document yet
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`seshat serve exited with ${code}: ${stderr}`));
    });
  });
  return {
    ...started,
    token: new URL(started.openUrl).searchParams.get('token') ?? '',
    projectDir,
    userDataDir,
    async stop() {
      stopping = true;
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
