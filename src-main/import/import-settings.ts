/**
 * What a project remembers of its imports, and what the Import dialog shows before one:
 * each project keeps its own last settings (another project's file-name pattern must
 * never apply here), and the preview counts the classes an import would create.
 */
import type { ImportPreviewResult, ImportSettings } from '../../src-shared/api/types.js';
import type { Catalog } from '../catalog/catalog.js';
import type { LabelSource } from './label-sources.js';
import { previewImport } from './preview.js';

const SETTINGS_KEY = 'import.settings';

export function importSettings(catalog: Catalog): ImportSettings | null {
  return catalog.meta.getJson<ImportSettings>(SETTINGS_KEY);
}

export function rememberImportSettings(catalog: Catalog, settings: ImportSettings): void {
  catalog.meta.setJson(SETTINGS_KEY, settings);
}

/** The preview of importing `roots`, with how many of its classes this project lacks. */
export async function previewForProject(
  catalog: Catalog,
  roots: string[],
  labelSource: LabelSource,
  signal: AbortSignal,
): Promise<ImportPreviewResult> {
  const preview = await previewImport(roots, labelSource, { signal });
  return { ...preview, newClasses: preview.classes.filter((cls) => !catalog.classes.findByName(cls.name)).length };
}

/** "Import walls", or "Import 3 folders": the task's title. */
export function importTitle(roots: readonly string[]): string {
  if (roots.length !== 1) return `Import ${roots.length} folders`;
  return `Import ${roots[0]!.split(/[\\/]/).filter(Boolean).pop() ?? roots[0]}`;
}
