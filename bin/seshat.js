#!/usr/bin/env node
// The `seshat` command: runs the compiled CLI from out/src-main (built by `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = fileURLToPath(new URL('../out/src-main/cli/main.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('seshat: not built yet — run "npm run build" first\n');
  process.exit(1);
}
const { runCli } = await import(pathToFileURL(entry).href);
process.exitCode = await runCli(process.argv.slice(2));
