/**
 * A class list (`name,description` lines, CSV or TSV, a header row recognised) added to
 * the project in one transaction: new names become classes, known ones get the
 * description when it differs. A line without a name is refused, naming the line.
 */
import { AppError } from '../../src-shared/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import { detectDelimiter, parseDelimited } from './csv.js';

export function parseClassList(text: string): Array<{ name: string; description: string }> {
  const rows = parseDelimited(text, detectDelimiter(text)).filter((row) => row.some((cell) => cell.trim() !== ''));
  const first = rows[0]?.map((cell) => cell.trim().toLowerCase());
  const header = first !== undefined && first[0] === 'name';
  if (header) rows.shift();
  return rows.map((row, index) => {
    const name = (row[0] ?? '').trim();
    if (!name) throw new AppError('INVALID_INPUT', `Class list line ${index + 1 + (header ? 1 : 0)} has no class name`);
    return { name, description: (row[1] ?? '').trim() };
  });
}

export function importClassList(catalog: Catalog, text: string): { created: number; updated: number } {
  const entries = parseClassList(text);
  return catalog.transaction(() => {
    let created = 0;
    let updated = 0;
    for (const entry of entries) {
      const existing = catalog.classes.findByName(entry.name);
      if (!existing) {
        catalog.classes.create(entry);
        created++;
      } else if (entry.description && entry.description !== existing.description) {
        catalog.classes.update(existing.id, { description: entry.description });
        updated++;
      }
    }
    return { created, updated };
  });
}
