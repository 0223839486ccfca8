/**
 * What an import or rescan reports: counts by outcome, and the stored report with
 * those counts typed.
 */
import type { StoredReport } from '../catalog/reports.js';

export { reportItemOutcome } from '../../src-shared/api/wire-import.js';

export type DuplicatePolicy = 'skip' | 'keep';

export interface ImportCounts {
  /** Image files found by the scan. */
  scanned: number;
  /** New rows added. */
  imported: number;
  /** Already catalogued and unchanged. */
  unchanged: number;
  /** Same path, new content. */
  changed: number;
  /** Same content, new path (the row, its label and split follow the file). */
  moved: number;
  /** Catalogued files no longer on disk (status set to missing). */
  missing: number;
  /** Files whose content is already catalogued under another path. */
  duplicates: number;
  /**
   * Problems, each an error item of the report: files or folders that could not be
   * read (skipped), labels that could not name a class (the image is kept, unlabelled),
   * rows of a label file that were not used, and rows naming files the import did not see.
   */
  errors: number;
  /** Non-image, hidden and system files passed over. */
  ignored: number;
  /** Images that got a label from the label source. */
  labelled: number;
  /** Files the label source had no label for. */
  unmatched: number;
}

/** The stored report of an import or rescan, with its counts typed. */
export type ImportReport = Omit<StoredReport, 'counts'> & { counts: ImportCounts };

export function toImportReport(stored: StoredReport): ImportReport {
  return { ...stored, counts: { ...emptyCounts(), ...stored.counts } };
}

export function emptyCounts(): ImportCounts {
  return {
    scanned: 0,
    imported: 0,
    unchanged: 0,
    changed: 0,
    moved: 0,
    missing: 0,
    duplicates: 0,
    errors: 0,
    ignored: 0,
    labelled: 0,
    unmatched: 0,
  };
}
