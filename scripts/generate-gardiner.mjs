// Builds resources/gardiner/signs.json — every Egyptian hieroglyph Unicode
// encodes, keyed by its Gardiner code, with Unicode's description, function,
// phonetic values and JSesh code — from the Unicode Character Database's
// Unikemet.txt, and copies Unicode's licence (the LICENSE file beside it) next
// to the output, as the licence requires it to travel with the data.
//
//   node scripts/generate-gardiner.mjs [path/to/Unikemet.txt] [out.json]
//
// The output has no timestamp so that re-running it on the same file gives a
// byte-identical result (test/unit/gardiner-signs.test.ts checks this).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// The shared UCD checkout sits beside the repository, not inside it.
const DEFAULT_UNIKEMET = resolve(repoRoot, '..', 'shared', 'unicode', 'Unikemet.txt');
const unikemetPath = resolve(process.argv[2] ?? DEFAULT_UNIKEMET);
const outPath = resolve(process.argv[3] ?? join(repoRoot, 'resources', 'gardiner', 'signs.json'));

// kEH_UniK spells codes as category + 3-digit number + variant letters (A001,
// G043A, AA001, NL005A). Extended-A signs numbered after Hieroglyphica carry an
// `HJ ` prefix (HJ A426B); JSesh writes those without it, and so do we.
const UNIK_CODE = /^(?:HJ )?(AA|NL|NU|[A-Z])(\d{3})([A-Z]*)$/;

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
const CATEGORY_CODES = new Set(CATEGORIES.map(([code]) => code));

/** Unikemet field → key in signs.json. Fields not listed (IFAO, HG, …) are not shipped. */
const FIELDS = {
  kEH_Desc: 'description',
  kEH_Func: 'function',
  kEH_FVal: 'phonetic',
  kEH_JSesh: 'jsesh',
  kEH_Core: 'core',
};

/** A001 → A1, HJ G043A → G43A, AA001 → Aa1, NL005A → NL5A; null when it is not a code. */
function normaliseUniK(raw) {
  const match = UNIK_CODE.exec(raw);
  if (!match) return null;
  const [, category, digits, variant] = match;
  return `${category === 'AA' ? 'Aa' : category}${Number(digits)}${variant}`;
}

/** Lines are `U+13153<TAB>kEH_Desc<TAB>An owl.`; `#` starts a comment. */
function readRecords(text) {
  const records = new Map();
  for (const [lineIndex, line] of text.split('\n').entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [cpField, field, ...rest] = line.split('\t');
    if (!/^U\+[0-9A-F]{4,6}$/.test(cpField ?? '') || !field || rest.length !== 1) {
      throw new Error(`Unikemet.txt line ${lineIndex + 1} is not "U+XXXXX<TAB>field<TAB>value": ${line}`);
    }
    const cp = cpField.slice(2);
    const record = records.get(cp) ?? {};
    // A repeated field would silently lose data; a new UCD layout should fail loudly.
    if (field in record) throw new Error(`U+${cp} has ${field} twice`);
    record[field] = rest[0].trim(); // some values end in stray spaces
    records.set(cp, record);
  }
  return records;
}

function main() {
  if (!existsSync(unikemetPath)) {
    console.error(`Unikemet.txt not found at ${unikemetPath}`);
    process.exit(1);
  }
  const text = readFileSync(unikemetPath, 'utf8');
  const version = /^# Unikemet-(\d+\.\d+\.\d+)\.txt/m.exec(text)?.[1] ?? null;
  const records = readRecords(text);
  const signs = {};
  const skipped = [];
  const codePoints = [...records.keys()].sort((a, b) => Number.parseInt(a, 16) - Number.parseInt(b, 16));
  for (const cp of codePoints) {
    const record = records.get(cp);
    const code = normaliseUniK(record.kEH_UniK ?? '');
    if (!code || !CATEGORY_CODES.has(code.replace(/\d.*$/, ''))) {
      skipped.push(`U+${cp} (${record.kEH_UniK ?? 'no kEH_UniK'}: not a Gardiner code)`);
      continue;
    }
    // Unicode 17 gives C022Q to two signs; the first (lowest code point) keeps it.
    if (signs[code]) {
      skipped.push(`U+${cp} (${code} already belongs to U+${signs[code].cp})`);
      continue;
    }
    const sign = { char: String.fromCodePoint(Number.parseInt(cp, 16)), cp };
    for (const [field, key] of Object.entries(FIELDS)) {
      const value = record[field];
      // kEH_Core's default is N (not core), so N and absence are the same: omitted.
      if (value && !(field === 'kEH_Core' && value === 'N')) sign[key] = value;
    }
    signs[code] = sign;
  }
  const count = Object.keys(signs).length;
  if (count === 0) throw new Error(`No signs found in ${unikemetPath}`);

  const header = {
    source: `Unicode Character Database${version ? ` ${version}` : ''}, Unikemet.txt (Egyptian Hieroglyphs and Egyptian Hieroglyphs Extended-A)`,
    unicodeVersion: version,
    generatedBy: 'scripts/generate-gardiner.mjs',
    licence: 'Data from Unicode, Inc., under the Unicode License V3: see LICENSE in this folder.',
    note:
      'Keys are kEH_UniK in the usual Gardiner spelling (G043 -> G43, V031A -> V31A, AA001 -> Aa1, HJ A426B -> A426B). ' +
      'cp: code point in hex. description, function, phonetic, jsesh: kEH_Desc, kEH_Func, kEH_FVal, kEH_JSesh. ' +
      'core: kEH_Core, C (core) or L (legacy); absent means N.',
  };
  // One entry per line: easy to diff, far smaller than full pretty-printing.
  const headerLines = Object.entries(header).map(
    ([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`,
  );
  const categoryLines = CATEGORIES.map(([code, name]) => `    ${JSON.stringify({ code, name })}`);
  const signLines = Object.entries(signs).map(([code, sign]) => `    ${JSON.stringify(code)}: ${JSON.stringify(sign)}`);
  const output =
    `{\n${headerLines.join(',\n')},\n` +
    `  "categories": [\n${categoryLines.join(',\n')}\n  ],\n` +
    `  "signs": {\n${signLines.join(',\n')}\n  }\n}\n`;
  JSON.parse(output); // never write a file that does not parse
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, output);
  const licence = join(dirname(unikemetPath), 'LICENSE');
  // Copied by content, not copyFileSync, so a read-only source does not make a read-only copy.
  if (existsSync(licence)) writeFileSync(join(dirname(outPath), 'LICENSE'), readFileSync(licence));
  else console.warn(`No LICENSE beside ${unikemetPath}: copy Unicode's licence next to ${outPath} by hand.`);
  console.log(`Wrote ${count} signs to ${outPath} (Unicode ${version ?? 'version unknown'})`);
  if (skipped.length) console.warn(`Skipped ${skipped.length}: ${skipped.join('; ')}`);
}

main();
