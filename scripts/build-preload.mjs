// The sandboxed preload can only `require('electron')`, so it is bundled into one
// CommonJS file; the contract (and zod) are inlined.
import { build } from 'esbuild';

await build({
  entryPoints: ['src-main/electron/preload.ts'],
  outfile: 'out/src-main/electron/preload.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['electron'],
  sourcemap: true,
  logLevel: 'warning',
});
