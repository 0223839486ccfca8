/**
 * Starting a worker thread on one of this folder's entry scripts, compiled or not.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../../src-shared/errors.js';

/** The entry script `stem` beside this file: `.js` once compiled to out/, `.ts` under tsx. */
export function entryScript(stem: string): URL {
  for (const name of [`${stem}.js`, `${stem}.ts`]) {
    const url = new URL(`./${name}`, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new AppError('INTERNAL', `The worker script ${stem} is missing`);
}

/**
 * Starts `script` in a worker thread. Compiled, it is the .js file. Under tsx
 * (development, tests) the entry is .ts, and tsx's `--import` hook only registers
 * itself on the main thread (execArgv is passed through, but that is not enough on
 * Node 20), so a one-line bootstrap registers tsx's ESM API inside the worker, then
 * imports the entry.
 */
export function startThread(script: URL, workerData: unknown): Worker {
  // Workers refuse V8 flags in execArgv. The one we pass (the benches'
  // --experimental-wasm-relaxed-simd on Node 20) applies to the whole process anyway.
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--experimental-wasm-'));
  const options = { workerData, execArgv };
  if (!script.pathname.endsWith('.ts')) return new Worker(script, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(script.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
