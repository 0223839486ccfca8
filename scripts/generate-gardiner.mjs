// Builds resources/gardiner/signs.json — Gardiner code → hieroglyph character —
// from the Unicode Character Database's UnicodeData.txt.
//
//   node scripts/generate-gardiner.mjs [path/to/UnicodeData.txt] [out.json]
//
// The output has no timestamp so that re-running it on the same UCD gives a
// byte-identical file (and a clean diff when the UCD changes).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEFAULT_UCD = '/usr/share/unicode/UnicodeData.txt';
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ucdPath = resolve(process.argv[2] ?? DEFAULT_UCD);
const outPath = resolve(process.argv[3] ?? join(repoRoot, 'resources', 'gardiner', 'signs.json'));

// Egyptian Hieroglyphs block. The format controls (U+13430…) are not signs.
const BLOCK_START = 0x13000;
const BLOCK_END = 0x1342f;
const NAME_PREFIX = 'EGYPTIAN HIEROGLYPH ';
// Unicode spells Gardiner codes as category + 3-digit number + variant letters:
// A001, G043A, AA001, and the nome standards NL001 / NU001 (an extension of
// Gardiner's list taken over from Hieroglyphica).
const UNICODE_CODE = /^(AA|NL|NU|[A-Z])(\d{3})([A-Z]*)$/;

/** Gardiner's sign-list categories (Egyptian Grammar, 3rd ed.); there is no J. */
const CATEGORIES = [
  ['A', 'Man and his occupations'],
  ['B', 'Woman and her occupations'],
  ['C', 'Anthropomorphic deities'],
  ['D', 'Parts of the human body'],
  ['E', 'Mammals'],
  ['F', 'Parts of mammals'],
  ['G', 'Birds'],
  ['H', 'Parts of birds'],
  ['I', 'Amphibious animals, reptiles, etc.'],
  ['K', 'Fishes and parts of fishes'],
  ['L', 'Invertebrates and lesser animals'],
  ['M', 'Trees and plants'],
  ['N', 'Sky, earth, water'],
  ['NL', 'Nome standards of Lower Egypt'],
  ['NU', 'Nome standards of Upper Egypt'],
  ['O', 'Buildings, parts of buildings, etc.'],
  ['P', 'Ships and parts of ships'],
  ['Q', 'Domestic and funerary furniture'],
  ['R', 'Temple furniture and sacred emblems'],
  ['S', 'Crowns, dress, staves, etc.'],
  ['T', 'Warfare, hunting, butchery'],
  ['U', 'Agriculture, crafts and professions'],
  ['V', 'Rope, fibre, baskets, bags, etc.'],
  ['W', 'Vessels of stone and earthenware'],
  ['X', 'Loaves and cakes'],
  ['Y', 'Writings, games, music'],
  ['Z', 'Strokes, signs derived from hieratic, geometrical figures'],
  ['Aa', 'Unclassified'],
];

/** A001 → A1, G043A → G43A, AA001 → Aa1, NL005A → NL5A. */
function normaliseUnicodeCode(raw) {
  const match = UNICODE_CODE.exec(raw);
  if (!match) return null;
  const [, category, digits, variant] = match;
  const cat = category === 'AA' ? 'Aa' : category;
  return `${cat}${Number(digits)}${variant}`;
}

/** UnicodeData.txt has no header, so the version comes from a sibling file. */
function readUcdVersion(ucdFile) {
  const dir = dirname(ucdFile);
  const readMe = join(dir, 'ReadMe.txt');
  if (existsSync(readMe)) {
    const match = /for Version (\d+\.\d+\.\d+) of the Unicode Standard/.exec(readFileSync(readMe, 'utf8'));
    if (match) return match[1];
  }
  for (const name of ['Blocks.txt', 'DerivedAge.txt']) {
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    const match = /^# \w+-(\d+\.\d+\.\d+)\.txt/.exec(readFileSync(file, 'utf8'));
    if (match) return match[1];
  }
  return null;
}

function main() {
  if (!existsSync(ucdPath)) {
    console.error(`UnicodeData.txt not found at ${ucdPath}`);
    process.exit(1);
  }
  const signs = {};
  const skipped = [];
  for (const line of readFileSync(ucdPath, 'utf8').split('\n')) {
    const [hex, name] = line.split(';');
    if (!hex || !name) continue;
    const cp = Number.parseInt(hex, 16);
    if (cp < BLOCK_START || cp > BLOCK_END || !name.startsWith(NAME_PREFIX)) continue;
    const code = normaliseUnicodeCode(name.slice(NAME_PREFIX.length));
    if (!code) {
      skipped.push(name);
      continue;
    }
    if (signs[code]) throw new Error(`Duplicate code ${code} (U+${hex} and U+${signs[code].cp})`);
    signs[code] = { char: String.fromCodePoint(cp), cp: hex.toUpperCase() };
  }
  const count = Object.keys(signs).length;
  if (count === 0) throw new Error(`No Egyptian hieroglyphs found in ${ucdPath}`);

  const version = readUcdVersion(ucdPath);
  const table = {
    source: `Unicode Character Database${version ? ` ${version}` : ''}, UnicodeData.txt, block Egyptian Hieroglyphs (U+13000..U+1342F)`,
    unicodeVersion: version,
    generatedBy: 'scripts/generate-gardiner.mjs',
    note: 'Codes are Unicode names in the usual Gardiner spelling (G043 -> G43, V031A -> V31A, AA001 -> Aa1). cp is the code point in hex.',
    categories: CATEGORIES.map(([code, name]) => ({ code, name })),
    signs,
  };
  // One entry per line: easy to diff, far smaller than full pretty-printing.
  const headerLines = ['source', 'unicodeVersion', 'generatedBy', 'note'].map(
    (key) => `  ${JSON.stringify(key)}: ${JSON.stringify(table[key])}`,
  );
  const categoryLines = table.categories.map((category) => `    ${JSON.stringify(category)}`);
  const signLines = Object.entries(signs).map(([code, sign]) => `    ${JSON.stringify(code)}: ${JSON.stringify(sign)}`);
  const text =
    `{\n${headerLines.join(',\n')},\n` +
    `  "categories": [\n${categoryLines.join(',\n')}\n  ],\n` +
    `  "signs": {\n${signLines.join(',\n')}\n  }\n}\n`;
  JSON.parse(text); // never write a file that does not parse
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, text);
  console.log(`Wrote ${count} signs to ${outPath} (Unicode ${version ?? 'version unknown'})`);
  if (skipped.length) console.warn(`Skipped ${skipped.length} names that are not Gardiner codes: ${skipped.join(', ')}`);
}

main();
