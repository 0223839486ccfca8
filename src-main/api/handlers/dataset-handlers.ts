import type { AppServices } from '../../app/app-services.js';
import { exportDataset } from '../../dataset/export-dataset.js';
import { applySplit, lockSplit, planSplit, splitOverview } from '../../dataset/split-service.js';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';

type DatasetHandlers = Pick<
  ApiHandlers,
  'getSplitOverview' | 'previewSplit' | 'applySplit' | 'setImageSplit' | 'lockSplit' | 'startExport'
>;

export function datasetHandlers(services: AppServices): DatasetHandlers {
  return {
    getSplitOverview: () => splitOverview(services.catalog),
    previewSplit: (request) => planSplit(services.catalog, request),
    applySplit: (request) => applySplit(services.catalog, request),
    setImageSplit: ({ imageIds, split }) => {
      const catalog = services.catalog;
      const count =
        split === null
          ? catalog.splits.clear(imageIds)
          : catalog.splits.write(
              imageIds.map((id) => ({ id, split })),
              { lock: true },
            );
      return { changed: count };
    },
    lockSplit: ({ split, locked }) => ({ changed: lockSplit(services.catalog, split, locked) }),
    startExport: ({ outDir, mode, overwrite }) => {
      const catalog = services.catalog;
      return {
        taskId: services.tasks.start('export', `Export dataset to ${outDir}`, (job) =>
          exportDataset(catalog, { outDir, mode, overwrite }, job),
        ),
      };
    },
  };
}
