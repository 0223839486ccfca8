/**
 * The layering is enforced, not hoped for: eslint.config.js's import zones refuse an
 * import that breaks it. Each case is a file that would break one zone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function zoneErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const BROKEN: Array<[file: string, code: string, why: RegExp]> = [
  [
    'src-shared/api/zone-case.ts',
    "import { Catalog } from '../../src-main/catalog/catalog.js';\nvoid Catalog;\n",
    /imports nothing of ours/,
  ],
  ['src-shared/zone-case.ts', "import { readFileSync } from 'node:fs';\nvoid readFileSync;\n", /pure TypeScript/],
  ['src-main/catalog/zone-case.ts', "import { app } from 'electron';\nvoid app;\n", /Only src-main\/electron/],
  [
    'src-main/import/zone-case.ts',
    "import Database from 'better-sqlite3';\nvoid Database;\n",
    /SQL lives in src-main\/catalog/,
  ],
  [
    'src-main/runs/zone-case.ts',
    "import { createDispatcher } from '../api/dispatcher.js';\nvoid createDispatcher;\n",
    /below the API/,
  ],
  ['src-main/ml/training/zone-case.ts', "import { runCli } from '../../cli/main.js';\nvoid runCli;\n", /below the API/],
  [
    'src-main/images/zone-case.ts',
    "import { AppServices } from '../app/app-services.js';\nvoid AppServices;\n",
    /below the API/,
  ],
  [
    'src-renderer/src/state/zone-case.ts',
    "import { Catalog } from '../../../src-main/catalog/catalog';\nvoid Catalog;\n",
    /imports only src-shared/,
  ],
  [
    'src-renderer/src/components/ZoneCase.svelte',
    '<script lang="ts">\n  import { createApi } from \'../api/api-client\';\n  void createApi;\n</script>\n',
    /never talk to the API/,
  ],
];

for (const [file, code, why] of BROKEN) {
  test(`the zones refuse: ${file} ← ${code.split('\n')[0]!.replace(/^.*from /, '')}`, async () => {
    const errors = await zoneErrors(file, code);
    assert.equal(errors.length, 1, `expected one zone error, got ${JSON.stringify(errors)}`);
    assert.match(errors[0]!, why);
  });
}

test('imports that keep the layering pass', async () => {
  assert.deepEqual(
    await zoneErrors(
      'src-main/runs/zone-case.ts',
      "import { CONFIDENCE_BINS } from '../ml/inference/metrics.js';\nimport { AppError } from '../../src-shared/errors.js';\nvoid CONFIDENCE_BINS;\nvoid AppError;\n",
    ),
    [],
  );
  assert.deepEqual(
    await zoneErrors('src-main/catalog/zone-case.ts', "import Database from 'better-sqlite3';\nvoid Database;\n"),
    [],
  );
  assert.deepEqual(
    await zoneErrors(
      'src-renderer/src/components/ZoneCase.svelte',
      '<script lang="ts">\n  import type { ConnectionState } from \'../api/api-client\';\n  let state: ConnectionState | null = null;\n  void state;\n</script>\n',
    ),
    [],
  );
});
