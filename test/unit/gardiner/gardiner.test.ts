import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  categoryOf,
  compareGardinerCodes,
  normaliseGardinerCode,
  parseCategoryCode,
  parseGardinerCode,
  signFor,
} from '../../../src-shared/gardiner/gardiner.js';
import { loadGardinerSigns } from '../../helpers/load-signs.js';
import {
  buildClassSearchIndex,
  searchClasses,
  type SearchableClass,
} from '../../../src-shared/gardiner/class-search.js';

const table = loadGardinerSigns();

test('Gardiner codes are normalised from the usual spellings', () => {
  const cases: Array<[string, string]> = [
    ['G43', 'G43'],
    ['g43', 'G43'],
    ['G043', 'G43'],
    ['Aa1', 'Aa1'],
    ['AA1', 'Aa1'],
    ['aa001', 'Aa1'],
    ['V31A', 'V31A'],
    ['v31a', 'V31A'],
    ['N35A', 'N35A'],
    [' D58 ', 'D58'],
    ['NL5A', 'NL5A'],
  ];
  for (const [input, expected] of cases) assert.equal(normaliseGardinerCode(input), expected, input);
  assert.deepEqual(parseGardinerCode('v031a'), { code: 'V31A', category: 'V', number: 31, variant: 'A' });
  assert.equal(parseGardinerCode('aa15')?.category, 'Aa');
});

test('non-codes are not parsed as Gardiner codes', () => {
  for (const input of ['UNKNOWN', 'cat', '', 'G', 'G0', '43', 'J1', 'G43-2', 'Aa', 'G 43']) {
    assert.equal(parseGardinerCode(input), null, input);
  }
});

test('category codes are recognised, J is not one', () => {
  assert.equal(parseCategoryCode('g'), 'G');
  assert.equal(parseCategoryCode('AA'), 'Aa');
  assert.equal(parseCategoryCode('j'), null);
  assert.equal(parseCategoryCode('birds'), null);
});

test('signs come out as the right Unicode characters', () => {
  assert.equal(signFor(table, 'G43'), '\u{13171}');
  assert.equal(signFor(table, 'G43'), '𓅱');
  assert.equal(signFor(table, 'g043'), '𓅱');
  assert.equal(signFor(table, 'A1'), '\u{13000}');
  assert.equal(table.signs.A1?.cp, '13000');
  assert.equal(signFor(table, 'Aa1'), '\u{1340D}');
  assert.equal(signFor(table, 'V31A'), '\u{133A2}');
  assert.equal(signFor(table, 'V31'), '\u{133A1}');
  assert.equal(signFor(table, 'UNKNOWN'), null);
  assert.equal(signFor(table, 'G999'), null);
});

test('the table covers the Egyptian Hieroglyphs block and says where it came from', () => {
  assert.ok(Object.keys(table.signs).length > 1000);
  assert.match(table.source, /Unicode Character Database/);
  assert.equal(table.generatedBy, 'scripts/generate-gardiner.mjs');
  for (const [code, sign] of Object.entries(table.signs)) {
    assert.equal(normaliseGardinerCode(code), code, `${code} is stored in normal form`);
    assert.equal(sign.char.codePointAt(0), Number.parseInt(sign.cp, 16), code);
  }
});

test('categories have English names and J is absent', () => {
  assert.equal(categoryOf(table, 'G43')?.name, 'Birds');
  assert.equal(categoryOf(table, 'a1')?.name, 'Man and his occupations');
  assert.equal(categoryOf(table, 'Aa1')?.name, 'Unclassified');
  assert.equal(categoryOf(table, 'cat'), null);
  const codes = table.categories.map((category) => category.code);
  assert.ok(!codes.includes('J'));
  for (const code of ['A', 'B', 'G', 'N', 'Z', 'Aa']) assert.ok(codes.includes(code), code);
});

test('codes sort in Gardiner order with non-codes last', () => {
  const sorted = ['Aa1', 'cat', 'G43', 'A10', 'A2', 'N35A', 'N35', 'NL1', 'O1'].sort(compareGardinerCodes);
  assert.deepEqual(sorted, ['A2', 'A10', 'G43', 'N35', 'N35A', 'NL1', 'O1', 'Aa1', 'cat']);
});

// A picker's worth of classes: codes, a description, and a class that is not a code.
const classes: SearchableClass[] = [
  { id: 1, name: 'G4' },
  { id: 2, name: 'G43' },
  { id: 3, name: 'G17', description: 'Owl (m)' },
  { id: 4, name: 'G1', description: 'Egyptian vulture' },
  { id: 5, name: 'H6', description: 'Feather' },
  { id: 6, name: 'A1', description: 'Seated man' },
  { id: 7, name: 'Aa1', description: 'Placenta (?)' },
  { id: 8, name: 'UNKNOWN', description: 'Not identified' },
  { id: 9, name: 'M17', description: 'Reed' },
  { id: 10, name: 'D58', description: 'Foot' },
  { id: 11, name: 'G43A' },
];
const index = buildClassSearchIndex(classes, { categories: table.categories });
const names = (query: string): string[] => searchClasses(index, query).map((match) => match.item.name);

test('search puts the exact code first, in any spelling', () => {
  for (const query of ['g43', 'G43', 'G043']) {
    const results = searchClasses(index, query);
    assert.equal(results[0]?.item.name, 'G43', query);
    assert.equal(results[0]?.reason, 'exact', query);
  }
  // g4 is exactly G4, then codes that start with it.
  const g4 = searchClasses(index, 'g4');
  assert.deepEqual(
    g4.slice(0, 3).map((m) => [m.item.name, m.reason]),
    [
      ['G4', 'exact'],
      ['G43', 'code-prefix'],
      ['G43A', 'code-prefix'],
    ],
  );
});

test('a category letter or word lists that category', () => {
  const birds = searchClasses(index, 'G');
  assert.deepEqual(
    birds.map((m) => m.item.name),
    ['G1', 'G4', 'G17', 'G43', 'G43A'],
  );
  assert.ok(birds.every((m) => m.reason === 'category' && m.category?.name === 'Birds'));

  const byWord = searchClasses(index, 'birds');
  // G (Birds) before H (Parts of birds).
  assert.deepEqual(
    byWord.map((m) => m.item.name),
    ['G1', 'G4', 'G17', 'G43', 'G43A', 'H6'],
  );
  // A is a category of its own, not a prefix of Aa.
  assert.deepEqual(names('a'), ['A1', 'Aa1', 'G43A']);
  assert.equal(searchClasses(index, 'a')[0]?.reason, 'category');
});

test('search finds classes by description words and by name', () => {
  const owl = searchClasses(index, 'owl');
  assert.equal(owl[0]?.item.name, 'G17');
  assert.equal(owl[0]?.reason, 'description');
  assert.deepEqual(names('vult'), ['G1']);
  assert.deepEqual(names('egyptian vulture'), ['G1']);
  const unknown = searchClasses(index, 'unknown');
  assert.equal(unknown[0]?.item.name, 'UNKNOWN');
  assert.equal(unknown[0]?.reason, 'exact');
  assert.equal(searchClasses(index, 'nkno')[0]?.reason, 'name');
  assert.deepEqual(
    searchClasses(index, 'ukn').map((m) => [m.item.name, m.reason]),
    [['UNKNOWN', 'fuzzy']],
  );
  assert.deepEqual(names('zzz'), []);
});

test('an empty query lists everything in Gardiner order, and limit cuts the list', () => {
  assert.deepEqual(names(''), ['A1', 'D58', 'G1', 'G4', 'G17', 'G43', 'G43A', 'H6', 'M17', 'Aa1', 'UNKNOWN']);
  assert.equal(searchClasses(index, 'G', 2).length, 2);
});

test('search over a thousand classes still ranks the exact match first', () => {
  const many: SearchableClass[] = Object.keys(table.signs).map((code, i) => ({ id: i, name: code }));
  const big = buildClassSearchIndex(many, { categories: table.categories });
  assert.equal(searchClasses(big, 'g43')[0]?.item.name, 'G43');
  const birdCount = many.filter((c) => c.name.startsWith('G')).length;
  const gResults = searchClasses(big, 'G');
  const categoryMatches = gResults.filter((m) => m.reason === 'category');
  assert.equal(categoryMatches.length, birdCount);
  // Birds come before codes that merely contain a G variant letter (V1G, Z15G).
  assert.deepEqual(gResults.slice(0, birdCount), categoryMatches);
  assert.ok(gResults.slice(birdCount).every((m) => m.reason === 'name' && m.item.name.endsWith('G')));
});
