import type { AppServices } from '../../app/app-services.js';
import { exportDataset } from '../../dataset/export-dataset.js';
import { applySplit, lockSplit, planSplit, splitOverview } from '../../dataset/split-service.js';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';

type DatasetHandlers = Pick<ApiHandlers, 'getSplitOverview' | 'previewSplit' | 'applySplit' | 'setImageSplit' | 'lockSplit' | 'startExport'>;

export function datasetHandlers(services: AppServices): DatasetHandlers {
  const changed = () => services.emit({ type: 'catalog', change: 'splits' });
  return {
    getSplitOverview: () => splitOverview(services.catalog),
    previewSplit: (request) => planSplit(services.catalog, request),
    applySplit: (request) => {
      const plan = applySplit(services.catalog, request);
      changed();
      return plan;
    },
    setImageSplit: ({ imageIds, split }) => {
      const catalog = services.catalog;
      const count = split === null ? catalog.splits.clear(imageIds) : catalog.splits.write(imageIds.map((id) => ({ id, split })), { lock: true });
      changed();
      return { changed: count };
    },
    lockSplit: ({ split, locked }) => {
      const count = lockSplit(services.catalog, split, locked);
      changed();
      return { changed: count };
    },
    startExport: ({ outDir, mode, overwrite }) => {
      const catalog = services.catalog;
      return { taskId: services.tasks.start('export', `Export dataset to ${outDir}`, (job) => exportDataset(catalog, { outDir, mode, overwrite }, job)) };
    },
  };
}
