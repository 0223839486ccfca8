import type { AppServices } from '../../app/app-services.js';
import { exportDataset } from '../../dataset/export-dataset.js';
import { applySplit, lockSplit, planSplit, setImageSplit, splitOverview } from '../../dataset/split-service.js';
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
    setImageSplit: ({ imageIds, split }) => ({ changed: setImageSplit(services.catalog, imageIds, split) }),
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
