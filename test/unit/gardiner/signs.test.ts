import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gardinerSignsPath, loadGardinerSigns } from '../../helpers/load-signs.js';
import { buildSignSearchIndex, searchSigns } from '../../../src-shared/gardiner/sign-search.js';
import { buildClassSearchIndex, type SearchableClass } from '../../../src-shared/gardiner/class-search.js';
import { pickerRows } from '../../../src-shared/gardiner/picker-options.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');
// The shared Unicode data lives beside the repository, as the generator expects.
const UNIKEMET = resolve(REPO_ROOT, '..', 'shared', 'unicode', 'Unikemet.txt');
const table = loadGardinerSigns();
const signIndex = buildSignSearchIndex(table);
const codes = (query: string, limit = 50): string[] => searchSigns(signIndex, query, limit).map((match) => match.code);

test(
  'the shipped sign table is exactly what the generator makes from Unikemet.txt',
  { skip: existsSync(UNIKEMET) ? false : `${UNIKEMET} is not here, so the table cannot be regenerated` },
  () => {
    const scratch = mkdtempSync(join(tmpdir(), 'seshat-signs-'));
    try {
      const out = join(scratch, 'signs.json');
      const run = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/generate-gardiner.mjs'), UNIKEMET, out], {
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      assert.ok(
        readFileSync(out).equals(readFileSync(gardinerSignsPath())),
        'regenerate with: node scripts/generate-gardiner.mjs',
      );
      // Unicode's licence travels with the data, unchanged.
      const licence = join(dirname(gardinerSignsPath()), 'LICENSE');
      assert.ok(readFileSync(join(scratch, 'LICENSE')).equals(readFileSync(licence)));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
);

test('the table holds every sign with its description, function, sound and JSesh code', () => {
  assert.ok(Object.keys(table.signs).length > 5000);
  assert.match(table.source, /Unikemet\.txt/);
  assert.match(readFileSync(join(dirname(gardinerSignsPath()), 'LICENSE'), 'utf8'), /UNICODE LICENSE V3/);
  assert.deepEqual(table.signs.G17, {
    char: '𓅓',
    cp: '13153',
    description: 'An owl.',
    function: 'Phonemogram',
    phonetic: 'm',
    jsesh: 'G17',
    core: 'C',
  });
  // Extended-A signs keep their Hieroglyphica numbers (kEH_UniK `HJ A426B`).
  assert.equal(table.signs.A426B?.cp, '13466');
});

test('sign search finds G17 by description, code, sound and JSesh code', () => {
  assert.equal(codes('owl')[0], 'G17');
  assert.equal(codes('an owl')[0], 'G17');
  for (const query of ['g17', 'G17', 'g017']) {
    const [first] = searchSigns(signIndex, query);
    assert.equal(first?.code, 'G17', query);
    assert.equal(first?.reason, 'exact', query);
  }
  // `m` is the owl's only value, and a few other signs': G17 is among the first.
  assert.ok(codes('m', 5).includes('G17'), codes('m', 5).join(' '));
  assert.equal(searchSigns(signIndex, 'm')[0]?.reason, 'phonetic');
  // JSesh calls G20A `G90` and F45A `Aa56`.
  assert.deepEqual(
    searchSigns(signIndex, 'G90').map((match) => [match.code, match.reason]),
    [['G20A', 'jsesh']],
  );
  assert.ok(codes('aa56').includes('F45A'));
});

test('sounds are found with or without diacritics', () => {
  // R4 is ḥtp; a keyboard gives htp.
  assert.ok(codes('ḥtp', 5).includes('R4'));
  assert.ok(codes('htp', 5).includes('R4'));
  // Aleph as 3 or a, the optional (y) of n(y)-sw.t either way.
  assert.ok(codes('w3').length > 0 && codes('wa').includes('A426B'));
  assert.ok(codes('nswt').includes('A42'));
  assert.ok(codes('nyswt').includes('A42'));
  assert.deepEqual(codes(''), []);
});

test('in an empty project the picker offers signs, with descriptions, before "Create class"', () => {
  const empty = buildClassSearchIndex<SearchableClass>([], { categories: table.categories });
  const rows = pickerRows(empty, signIndex, 'owl');
  const first = rows[0];
  assert.equal(first?.kind, 'sign');
  assert.equal(first?.kind === 'sign' && first.code, 'G17');
  assert.equal(first?.kind === 'sign' && first.sign.description, 'An owl.');
  assert.deepEqual(rows.at(-1), { kind: 'create', key: 'create', name: 'owl' });
  assert.ok(rows.slice(0, -1).every((row) => row.kind === 'sign'));
  // A code that is a sign needs no "Create class": the sign row creates it, spelt G17.
  assert.ok(pickerRows(empty, signIndex, 'g17').every((row) => row.kind !== 'create'));
});

test('a sign whose class exists is offered as that class, once', () => {
  const classes: SearchableClass[] = [
    { id: 1, name: 'G17' },
    { id: 2, name: 'G43', description: 'quail chick' },
  ];
  const index = buildClassSearchIndex(classes, { categories: table.categories });
  const rows = pickerRows(index, signIndex, 'owl');
  // G17 has no description of its own, but Unicode's finds it.
  assert.deepEqual(rows[0], { kind: 'class', key: 'class:1', item: classes[0], reason: 'description' });
  assert.equal(rows.filter((row) => row.kind === 'class' || (row.kind === 'sign' && row.code === 'G17')).length, 1);
  // The class's own match comes first and the sign does not repeat it.
  const byCode = pickerRows(index, signIndex, 'g43');
  assert.equal(byCode[0]?.kind === 'class' && byCode[0].item.id, 2);
  assert.ok(!byCode.some((row) => row.kind === 'sign' && row.code === 'G43'));
  assert.ok(!byCode.some((row) => row.kind === 'create'));
});
