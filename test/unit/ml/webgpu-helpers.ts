/**
 * Runs webgpu-child.ts in its own process (one tfjs backend per process) and decides
 * when a webgpu test must skip: no adapter at all here is a missing system package,
 * not a bug.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../../..');
const child = join(repoRoot, 'test/unit/ml/webgpu-child.ts');

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The JSON document the child printed, when it printed one. */
  json: unknown;
}

/** `env` entries set to undefined are removed from the child's environment. */
export function runChild(args: string[], env: Record<string, string | undefined> = {}): Promise<ChildResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[key];
    else childEnv[key] = value;
  }
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, ...args], { cwd: repoRoot, env: childEnv });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      let json: unknown = null;
      try {
        json = JSON.parse(last);
      } catch {
        // No JSON: the caller reports stderr.
      }
      resolvePromise({ code, stdout, stderr, json });
    });
  });
}

export const MESA_HINT =
  "no WebGPU adapter here, not even a software one: on Debian/Ubuntu install Mesa's llvmpipe for EGL/GLES " +
  '(apt-get install libegl-mesa0 libegl1 libgles2 libgl1-mesa-dri)';

/**
 * The skip reason when a child that forced webgpu failed only because this machine
 * has no adapter; null when it succeeded or failed for any other reason (a real failure).
 */
export function skipReason(result: ChildResult): string | null {
  if (result.code === 0) return null;
  return /No TensorFlow\.js backend could start \(webgpu: (no hardware WebGPU adapter|the webgpu package)/.test(
    result.stderr,
  )
    ? `${MESA_HINT} — ${(result.stderr.match(/webgpu: [^\n]*/)?.[0] ?? '').replace(/\)$/, '')}`
    : null;
}

/** A failed child's message for an assertion. */
export function describeFailure(result: ChildResult): string {
  return `child exited ${result.code}:\n${result.stderr.slice(-2000)}`;
}
