/**
 * Import shapes that cross the API: reports, previews, undo results.
 * Pure TypeScript: the renderer, the preload and the main process all import it.
 */
import type { Split } from '../catalog-records.js';

export type ReportKind = 'import' | 'rescan';

export type ReportStatus = 'running' | 'done' | 'cancelled' | 'failed' | 'interrupted';

export type ReportItemKind = 'error' | 'duplicate' | 'new' | 'changed' | 'moved' | 'missing';

export interface ReportItem {
  kind: ReportItemKind;
  /** Absolute path of the file (or folder, for a folder that could not be read). */
  path: string;
  /** An ErrorCode for errors (IMAGE_UNREADABLE, IMAGE_TOO_LARGE, …), else null. */
  code: string | null;
  /** The reason, or for duplicates/moves the other path. */
  detail: string;
}

export interface StoredReport {
  id: number;
  kind: ReportKind;
  status: ReportStatus;
  roots: string[];
  options: unknown;
  counts: Record<string, number>;
  startedAt: number;
  finishedAt: number | null;
  /** Every error, then up to `itemLimit` (default 1000) other items. */
  items: ReportItem[];
  /** How many items the report has in all (see ReportRepo.items for the rest). */
  itemsTotal: number;
}

export interface ScanProblem {
  path: string;
  code: 'FOLDER_UNREADABLE' | 'FILE_UNREADABLE' | 'BROKEN_LINK';
  reason: string;
}

export interface ImportPreview {
  /** Image files found. */
  files: number;
  roots: Array<{ path: string; files: number }>;
  /** Classes the label source yields, most images first. */
  classes: Array<{ name: string; count: number }>;
  splits: Record<Split | 'none', number>;
  /** Files without a label from the source: how many, and a few names to show. */
  unmatched: { count: number; samples: string[] };
  /** Of those, files whose label cannot name a class (control characters, too long), with the reason. */
  invalidLabels: { count: number; samples: Array<{ path: string; reason: string }> };
  /** Non-image, hidden and system files passed over. */
  ignored: number;
  /** Folders or files that could not be read (first 50). */
  problems: ScanProblem[];
  /**
   * CSV sources: rows that name no file under the roots, and rows skipped or used only
   * in part (the first 50 of `problemCount`, each with the CSV's path and its line).
   */
  csv?: {
    unusedRows: number;
    unusedSamples: string[];
    problems: Array<{ path: string; line: number; reason: string }>;
    problemCount: number;
  };
}

export interface ImportUndoResult {
  reportId: number;
  /** Images the import had added, now removed (with their labels, splits and predictions). */
  removedImages: number;
  /** Classes the import had created that nothing else uses, removed. */
  removedClasses: number;
  /** Folders the import had added, removed. */
  removedRoots: number;
  /** Images that were in the catalog already and got their label back. */
  restoredLabels: number;
  /** Labels left alone because someone changed them since the import. */
  conflicts: number;
}

/**
 * What became of the file or row behind a report item, in words for the report's
 * first column: only an unreadable file is skipped; an image whose label was unusable
 * is imported without it.
 */
export function reportItemOutcome(item: { kind: string; code: string | null }): string {
  if (item.kind === 'duplicate') return 'Duplicate';
  switch (item.code) {
    case 'LABEL_INVALID':
      return 'Imported without a label';
    case 'CSV_ROW':
      return 'Label row not used';
    case 'CSV_NO_FILE':
      return 'Listed, not found';
    default:
      return item.kind === 'error' ? 'Skipped' : item.kind;
  }
}

/** The Unas crops' file names (`030001_D58.png` → D58): the file-name preset of the import dialog and the CLI. */
export const UNAS_FILENAME_PATTERN = '^\\d+_([^.]+)\\.';
