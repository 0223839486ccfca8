/** Folder import, rescan and import preview. Plain Node: no Electron. */
export { importFolders, type ImportFoldersOptions } from './import-folders.js';
export { rescan, type RescanOptions } from './rescan.js';
export { previewImport, type ImportPreview } from './preview.js';
export { DEFAULT_BATCH_SIZE, type CommonImportOptions } from './options.js';
export { emptyCounts, toImportReport, type DuplicatePolicy, type ImportCounts, type ImportReport } from './report.js';
export {
  UNAS_FILENAME_PATTERN,
  UNAS_LABEL_SOURCE,
  createLabelResolver,
  fromFolders,
  parseLabelSource,
  type LabelSource,
  type LabelGuess,
  type LabelResolver,
} from './label-sources.js';
export {
  scanFolder,
  isHiddenOrSystem,
  type ScannedFile,
  type ScanProblem,
  type ScanResult,
  type ScanOptions,
} from './scan.js';
export {
  readLabelCsv,
  detectDelimiter,
  parseDelimited,
  normaliseSplit,
  type LabelCsv,
  type LabelCsvRow,
} from './csv.js';
export { nodeIo, type ImportIo } from './io.js';
