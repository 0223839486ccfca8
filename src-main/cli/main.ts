/**
 * The `seshat` command line: the same services as the app, without Electron.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toErrorPayload } from '../../src-shared/errors.js';
import { APP_VERSION } from '../app/version.js';
import { parseCommandArgs, processIo, type CliCommand, type CliIo } from './cli-io.js';
import { importCommand } from './commands/import-command.js';
import { exportCommand } from './commands/export-command.js';
import { infoCommand } from './commands/info-command.js';
import { splitCommand } from './commands/split-command.js';
import { evalCommand } from './commands/eval-command.js';
import { predictCommand } from './commands/predict-command.js';
import { sweepCommand } from './commands/sweep-command.js';
import { trainCommand } from './commands/train-command.js';
import { serveCommand } from './commands/serve-command.js';
import { runsCommand } from './commands/runs-command.js';
import { wallCommand } from './commands/wall-command.js';

export const COMMANDS: CliCommand[] = [
  serveCommand,
  infoCommand,
  importCommand,
  splitCommand,
  exportCommand,
  trainCommand,
  sweepCommand,
  runsCommand,
  evalCommand,
  predictCommand,
  wallCommand,
];

function usage(): string {
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(8)} ${command.summary}`);
  return [
    `seshat ${APP_VERSION}`,
    '',
    'Usage: seshat <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Every command takes --project DIR and --json.',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.out(APP_VERSION);
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  const wantsJson = rest.includes('--json');
  try {
    if (!command)
      throw Object.assign(new Error(`Unknown command "${name}". Run "seshat --help" for the list.`), {
        code: 'INVALID_INPUT',
      });
    const parsed = parseCommandArgs(command, rest);
    if (parsed.values.help) {
      io.out(`${command.usage}\n\n${command.summary}`);
      return 0;
    }
    return await command.run(parsed, io);
  } catch (error) {
    const payload = toErrorPayload(error);
    const code = (error as { code?: string }).code === 'INVALID_INPUT' ? 'INVALID_INPUT' : payload.code;
    if (wantsJson) io.out(JSON.stringify({ error: { code, message: payload.message } }));
    io.err(`seshat ${name}: ${payload.message}`);
    return code === 'INVALID_INPUT' ? 2 : 1;
  }
}

// Run when executed directly (bin/seshat.js or `node --import tsx src-main/cli/main.ts`).
const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1]);
if (invokedDirectly) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`seshat: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
