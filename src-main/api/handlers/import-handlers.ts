import type { AppServices } from '../../app/app-services.js';
import { assignUnsplitImages } from '../../dataset/split-service.js';
import { importFolders, previewImport, rescan } from '../../import/index.js';
import type { ApiHandlers } from '../contract.js';

type ImportHandlers = Pick<ApiHandlers, 'previewImport' | 'startImport' | 'startRescan' | 'listRoots' | 'getLatestImportReport'>;

export function importHandlers(services: AppServices): ImportHandlers {
  return {
    previewImport: ({ roots, labelSource }) => previewImport(roots, labelSource, { signal: AbortSignal.timeout(120_000) }),
    startImport: ({ roots, labelSource, duplicates }) => {
      const catalog = services.catalog;
      const title = roots.length === 1 ? `Import ${roots[0]!.split(/[\\/]/).filter(Boolean).pop() ?? roots[0]}` : `Import ${roots.length} folders`;
      return {
        taskId: services.tasks.start('import', title, async (job) => {
          const report = await importFolders(catalog, { roots, labelSource, duplicates, thumbnailsDir: services.project.thumbnailsDir }, job);
          // A project that was split before: new images join train/validation, never the (locked) test set.
          assignUnsplitImages(catalog);
          services.emit({ type: 'catalog', change: 'images' });
          return report;
        }),
      };
    },
    startRescan: ({ rootId }) => {
      const catalog = services.catalog;
      return {
        taskId: services.tasks.start('rescan', 'Rescan folders', async (job) => {
          const report = await rescan(catalog, { ...(rootId === undefined ? {} : { rootId }), thumbnailsDir: services.project.thumbnailsDir }, job);
          services.emit({ type: 'catalog', change: 'images' });
          return report;
        }),
      };
    },
    listRoots: () => services.catalog.images.listRoots(),
    getLatestImportReport: () => {
      const latest = services.catalog.reports.list(1)[0];
      return latest ? (services.catalog.reports.get(latest.id) ?? null) : null;
    },
  };
}
