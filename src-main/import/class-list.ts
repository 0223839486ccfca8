/**
 * A class list (`name,description` lines, CSV or TSV, a header row recognised) added to
 * the project in one transaction: new names become classes, known ones get the
 * description when it differs. A line without a name is refused, naming the line.
 */
import { AppError } from '../../src-shared/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import { detectDelimiter, parseDelimitedRecords } from './csv.js';

export function parseClassList(text: string): Array<{ name: string; description: string }> {
  const { records, problems } = parseDelimitedRecords(text, detectDelimiter(text));
  // A class list is short and typed by a person: a broken row is refused, not dropped.
  const problem = problems[0];
  if (problem) throw new AppError('INVALID_INPUT', `Class list line ${problem.line}: ${problem.reason}`);
  const rows = records.filter((record) => record.cells.some((cell) => cell.trim() !== ''));
  if (rows[0]?.cells[0]?.trim().toLowerCase() === 'name') rows.shift();
  return rows.map(({ cells, line }) => {
    const name = (cells[0] ?? '').trim();
    if (!name) throw new AppError('INVALID_INPUT', `Class list line ${line} has no class name`);
    return { name, description: (cells[1] ?? '').trim() };
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
