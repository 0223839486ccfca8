/**
 * PyTorch's figures for the bench models, from ../shared/bench/peer_torch.py run
 * by Debian's python3-torch (a bench-only peer, never an app dependency).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';

export type PeerRow = Record<string, unknown> & { model?: string; threads?: number };

export type PeerResult = { available: true; rows: PeerRow[] } | { available: false; reason: string };

/** Runs peer_torch.py with `args` (e.g. --threads 1,2) and returns its JSON lines, or why it could not. */
export function runPeerTorch(shared: string, args: string[], log: (message: string) => void): PeerResult {
  const script = join(shared, 'bench', 'peer_torch.py');
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
  } catch {
    return {
      available: false,
      reason: `${PYTHON} cannot import torch (apt-get install python3-torch libopenblas0-pthread)`,
    };
  }
  if (!existsSync(script)) return { available: false, reason: `${script} not found` };
  log(`torch: peer_torch.py ${args.join(' ')}`);
  let out: string;
  try {
    out = execFileSync(PYTHON, [script, ...args], { encoding: 'utf8', timeout: 900_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').at(-1);
    return { available: false, reason: `peer_torch.py ${args.join(' ')} failed: ${stderr ?? String(error)}` };
  }
  const rows = out
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as PeerRow);
  // Debian's torch multiplies through whatever libblas.so.3 points at: the reference BLAS
  // (no libopenblas0-pthread) is several times slower and would flatter every ratio.
  if (rows.some((row) => row.model && row['openblas_threads'] == null))
    return {
      available: false,
      reason: 'PyTorch runs on the reference BLAS here: apt-get install libopenblas0-pthread for a fair peer',
    };
  return { available: true, rows };
}
