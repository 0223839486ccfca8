import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { test } from 'node:test';

const repoRoot = resolve(import.meta.dirname, '../../..');
// electron-builder validates its config against this schema at packaging time;
// checking it here catches mistakes on machines that cannot package (no Electron download).
const builderRequire = createRequire(resolve(repoRoot, 'node_modules/app-builder-lib/package.json'));

test('electron-builder.yml is valid for electron-builder and unpacks the native modules', () => {
  const yaml = builderRequire('js-yaml') as { load(text: string): Record<string, unknown> };
  const Ajv = builderRequire('ajv') as new (options: object) => {
    compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown };
  };
  const config = yaml.load(readFileSync(resolve(repoRoot, 'electron-builder.yml'), 'utf8'));
  const schema = JSON.parse(
    readFileSync(resolve(repoRoot, 'node_modules/app-builder-lib/scheme.json'), 'utf8'),
  ) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  assert.ok(validate(config), JSON.stringify(validate.errors));
  const unpacked = (config.asarUnpack as string[]).join(' ');
  for (const name of ['better-sqlite3', 'sharp', '@tensorflow/tfjs-node'])
    assert.ok(unpacked.includes(name), `${name} must be unpacked from asar`);
  assert.ok((config.files as string[]).includes('resources/**'));
});
