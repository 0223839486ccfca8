import type { AppServices } from '../../app/app-services.js';
import { importFolders, rescan } from '../../import/index.js';
import {
  importSettings,
  importTitle,
  previewForProject,
  rememberImportSettings,
} from '../../import/import-settings.js';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
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
    previewImport: ({ roots, labelSource }) =>
      previewForProject(services.catalog, roots, labelSource, AbortSignal.timeout(120_000)),
    getImportSettings: () => importSettings(services.catalog),
    undoImport: ({ reportId }) => {
      if (services.tasks.anyRunning(['import', 'rescan'])) {
        throw new AppError('CONFLICT', 'An import is running: let it finish or cancel it before undoing one');
      }
      return services.catalog.imports.undo(reportId);
    },
    startImport: (request) => {
      const catalog = services.catalog;
      rememberImportSettings(catalog, request);
      const thumbnailsDir = services.project.thumbnailsDir;
      return {
        taskId: services.tasks.start('import', importTitle(request.roots), (job) =>
          importFolders(catalog, { ...request, thumbnailsDir }, job),
        ),
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
