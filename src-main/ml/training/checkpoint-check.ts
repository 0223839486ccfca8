/**
 * Whether a run's checkpoint can be resumed from, read from the files alone (no
 * tfjs): a project opening after a crash must not load a model to find out. A
 * checkpoint whose JSON does not parse, or whose weight files are shorter or longer
 * than their specs need, cannot be resumed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const CHECKPOINT_DIR = 'checkpoint';
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

interface StoredSpec {
  name: string;
  shape: number[];
  dtype: string;
}

/** `none`: there is no checkpoint; `ok`: it is whole; otherwise what is wrong with it. */
export function inspectCheckpoint(
  runDir: string,
): { state: 'none' } | { state: 'ok' } | { state: 'damaged'; problem: string } {
  const dir = join(runDir, CHECKPOINT_DIR);
  const jsonFile = join(dir, 'checkpoint.json');
  if (!existsSync(jsonFile)) return { state: 'none' };
  let json: { version?: unknown; groups?: Record<string, { file?: unknown; specs?: StoredSpec[] } | null> };
  try {
    json = JSON.parse(readFileSync(jsonFile, 'utf8')) as typeof json;
  } catch (error) {
    return { state: 'damaged', problem: `${jsonFile} is not valid JSON (${(error as Error).message})` };
  }
  if (json.version !== 1 || typeof json.groups !== 'object' || json.groups === null) {
    return { state: 'damaged', problem: `${jsonFile} is not a Seshat checkpoint (version ${String(json.version)})` };
  }
  for (const [name, group] of Object.entries(json.groups)) {
    if (group === null) continue;
    if (typeof group.file !== 'string' || !Array.isArray(group.specs)) {
      return { state: 'damaged', problem: `${jsonFile}: its ${name} group lists no file` };
    }
    const file = join(dir, group.file);
    if (!existsSync(file)) return { state: 'damaged', problem: `${file} is missing` };
    let expected = 0;
    for (const spec of group.specs) expected += spec.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[spec.dtype] ?? 4);
    const actual = statSync(file).size;
    if (actual !== expected)
      return { state: 'damaged', problem: `${file} has ${actual} bytes where its specs need ${expected}` };
  }
  return { state: 'ok' };
}
