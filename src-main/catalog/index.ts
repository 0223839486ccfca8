/** The catalog's public surface: open a Catalog, use its repositories. */
export { Catalog, LATEST_VERSION, type OpenCatalogOptions } from './catalog.js';
export { MIGRATIONS, APPLICATION_ID, migrate, schemaVersion, type Migration } from './migrations.js';
export type { ClassRepo, NewClass, ClassPatch } from './classes.js';
export type { LabelRepo, LabelAssignment, LabelChangeResult } from './labels.js';
export type { ImageRepo, ImageFileState, ImageContent } from './images.js';
export type { GridQueries, ImageFilter, GridSort, PageRequest, GridItem, GridPage, ClassCounts } from './grid.js';
export type { RunRepo, NewRun, RunPatch } from './runs.js';
export type { ReportRepo, ReportKind, ReportStatus, ReportItemKind, ReportItem, StoredReport } from './reports.js';
export * from '../../src-shared/catalog-records.js';
