/** What the CSV label tests share: spellings of one name, scanned files, problem and error checks. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { Catalog } from '../../../src-main/catalog/index.js';
import { AppError } from '../../../src-shared/errors.js';
import type { ScannedFile } from '../../../src-main/import/index.js';
import { tempDir } from '../../helpers/images.js';

export const NFD_CAFE = 'Cafe\u0301';
export const NFC_CAFE = 'Caf\u00e9';

export const scanned = (root: string, relPath: string): ScannedFile => ({
  absPath: path.join(root, relPath),
  relPath,
  size: 1,
  mtimeMs: 1,
});

export function project(t: { after: (fn: () => void) => void }) {
  const dir = tempDir(t);
  const catalog = Catalog.open(path.join(dir, 'seshat.sqlite'));
  t.after(() => catalog.close());
  return { dir, catalog, thumbnailsDir: path.join(dir, 'thumbnails') };
}

/** Problems as `[line, reason]` pairs, so a test can match reasons by pattern. */
export const problemsOf = (problems: readonly unknown[]): Array<[number, string]> =>
  problems.map((p) => {
    const { line, reason } = p as { line?: unknown; reason?: unknown };
    return [typeof line === 'number' ? line : -1, typeof reason === 'string' ? reason : String(p)];
  });

export function assertProblems(actual: readonly unknown[], expected: Array<[number, RegExp]>): void {
  const got = problemsOf(actual);
  assert.equal(got.length, expected.length, `problems: ${JSON.stringify(got)}`);
  expected.forEach(([line, reason], i) => {
    assert.equal(got[i]![0], line, `problem ${i}: ${JSON.stringify(got[i])}`);
    assert.match(got[i]![1], reason);
  });
}

export const refused =
  (code: string, ...mentions: Array<string | RegExp>) =>
  (error: unknown) => {
    assert.ok(error instanceof AppError, `an AppError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const m of mentions) {
      if (typeof m === 'string')
        assert.ok(error.message.includes(m), `${JSON.stringify(m)} in ${JSON.stringify(error.message)}`);
      else assert.match(error.message, m);
    }
    return true;
  };
