/**
 * `npm run bench -- <name> [options]`: runs one benchmark; each prints one JSON document.
 *   import    import rate vs a bare sharp loop (unas-glyphs and generated images)
 *   import-scale  a million small files: import memory, re-scan of the unchanged tree
 *   catalog   grid page latency on a synthetic catalog of 1M images
 *   train     training images/s per backend beside PyTorch's figures;
 *             with --backend NAME, one backend's images/s and its adapter
 *   library   key-to-update latency and scroll frame times in Chromium
 *   predict   folder classification rate and drop-to-result latency
 *   walls     the Unas wall photographs read from their boxes (order, crop accuracy)
 *   detector  the learned sign detector, leave one wall out (precision, recall at IoU 0.5)
 *   sweep     a 12-trial Small CNN grid with successive halving against every trial to the end
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const [name, ...rest] = process.argv.slice(2);
const here = import.meta.dirname;
// Bench names that run a script of another name (walls.ts is the training bench's helper).
const SCRIPTS: Record<string, string> = { walls: 'wall-photos', detector: 'sign-detector' };
const available = [
  'import',
  'import-scale',
  'catalog',
  'train',
  'backend-train',
  'library',
  'predict',
  'walls',
  'detector',
  'sweep',
].filter((bench) => existsSync(join(here, `${SCRIPTS[bench] ?? bench}.ts`)));
if (!name || !available.includes(name)) {
  process.stderr.write(`Usage: npm run bench -- <${available.join('|')}> [options]\n`);
  process.exit(2);
}
// `train --backend NAME` is the one-backend training bench (images/s and the adapter).
const script =
  name === 'train' && rest.some((arg) => arg === '--backend' || arg.startsWith('--backend='))
    ? 'backend-train'
    : (SCRIPTS[name] ?? name);
// Electron's Chromium runs our SIMD kernels with fused multiply-adds (relaxed SIMD);
// Node has them on from version 22 and behind this V8 flag before. The benches
// measure what the app runs, and each reports whether the kernels used them.
const nodeMajor = Number(process.versions.node.split('.')[0]);
const v8Flags = nodeMajor < 22 ? ['--experimental-wasm-relaxed-simd'] : [];
const result = spawnSync(process.execPath, [...v8Flags, '--import', 'tsx', join(here, `${script}.ts`), ...rest], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
