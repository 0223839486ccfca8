/**
 * Shared CLI plumbing: every command takes `--project DIR` and `--json`, prints
 * human text by default and exactly one JSON document with `--json`, and exits
 * non-zero with a one-line reason on error.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AppError } from '../../src-shared/errors.js';
import { AppServices } from '../app/app-services.js';
import { defaultUserDataDir } from '../app/paths.js';
import type { BackendName } from '../../src-shared/api/types.js';
import { BACKEND_NAMES } from '../ml/backend.js';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

export const COMMON_OPTIONS = {
  project: { type: 'string', short: 'p' },
  json: { type: 'boolean', default: false },
  backend: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  options: ParseArgsConfig['options'];
  allowPositionals?: boolean;
  run(parsed: ParsedCommand, io: CliIo): Promise<number>;
}

export interface ParsedCommand {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  json: boolean;
  projectDir: string | undefined;
  backend: BackendName | undefined;
}

export function parseCommandArgs(command: CliCommand, argv: string[]): ParsedCommand {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
    const backend = values.backend as string | undefined;
    if (backend !== undefined && !BACKEND_NAMES.includes(backend as BackendName)) {
      throw new AppError('INVALID_INPUT', `--backend must be one of ${BACKEND_NAMES.join(', ')}, not "${backend}"`);
    }
    return {
      values: values as ParsedCommand['values'],
      positionals,
      json: Boolean(values.json),
      projectDir: values.project as string | undefined,
      backend: backend as BackendName | undefined,
    };
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('INVALID_INPUT', (error as Error).message);
  }
}

export function openServices(parsed: ParsedCommand, transport: 'web' | 'cli'): AppServices {
  return AppServices.open({
    userDataDir: defaultUserDataDir(),
    projectDir: parsed.projectDir,
    platform: { transport, electronVersion: null },
    backend: parsed.backend,
    remember: transport === 'web',
  });
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
