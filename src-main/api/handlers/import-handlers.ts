import type { AppServices } from '../../app/app-services.js';
import { importFolders, previewImport, rescan } from '../../import/index.js';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import type { ImportSettings } from '../../../src-shared/api/types.js';
import { AppError } from '../../../src-shared/errors.js';

type ImportHandlers = Pick<
  ApiHandlers,
  | 'previewImport'
  | 'getImportSettings'
  | 'startImport'
  | 'undoImport'
  | 'startRescan'
  | 'listRoots'
  | 'getLatestImportReport'
>;

export function importHandlers(services: AppServices): ImportHandlers {
  return {
    previewImport: async ({ roots, labelSource }) => {
      const preview = await previewImport(roots, labelSource, { signal: AbortSignal.timeout(120_000) });
      const catalog = services.catalog;
      return { ...preview, newClasses: preview.classes.filter((cls) => !catalog.classes.findByName(cls.name)).length };
    },
    getImportSettings: () => services.catalog.meta.getJson<ImportSettings>('import.settings'),
    undoImport: ({ reportId }) => {
      const running = services.tasks
        .list()
        .some((task) => task.state === 'running' && (task.kind === 'import' || task.kind === 'rescan'));
      if (running)
        throw new AppError('CONFLICT', 'An import is running: let it finish or cancel it before undoing one');
      return services.catalog.imports.undo(reportId);
    },
    startImport: ({ roots, labelSource, duplicates }) => {
      const catalog = services.catalog;
      // Remembered by this project only: another project's file-name pattern must never apply here.
      catalog.meta.setJson('import.settings', { roots, labelSource, duplicates } satisfies ImportSettings);
      const title =
        roots.length === 1
          ? `Import ${roots[0]!.split(/[\\/]/).filter(Boolean).pop() ?? roots[0]}`
          : `Import ${roots.length} folders`;
      return {
        taskId: services.tasks.start('import', title, async (job) => {
          const report = await importFolders(
            catalog,
            { roots, labelSource, duplicates, thumbnailsDir: services.project.thumbnailsDir },
            job,
          );
          // A project that was split before: new labelled images follow its rule (their
          // picture's split, else train/validation), never leaking a picture into two splits.
          catalog.splits.placeLabelled();
          return report;
        }),
      };
    },
    startRescan: ({ rootId }) => {
      const catalog = services.catalog;
      return {
        taskId: services.tasks.start('rescan', 'Rescan folders', (job) =>
          rescan(
            catalog,
            { ...(rootId === undefined ? {} : { rootId }), thumbnailsDir: services.project.thumbnailsDir },
            job,
          ),
        ),
      };
    },
    listRoots: () => services.catalog.images.listRoots(),
    getLatestImportReport: () => {
      const latest = services.catalog.reports.list(1)[0];
      return latest ? (services.catalog.reports.get(latest.id) ?? null) : null;
    },
  };
}
