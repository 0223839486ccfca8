import path from 'node:path';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import type { GardinerSignTable } from '../../../src-shared/gardiner/gardiner.js';
import type { AppServices } from '../../app/app-services.js';
import { signDetectorDir, signTableFile } from '../../app/paths.js';
import { SignDetector } from '../../walls/find-signs.js';
import { findMoreSigns } from '../../walls/wall-detect.js';
import { addWallBox, addWallBoxes, deleteWallBox, deleteWallBoxes, moveWallBox } from '../../walls/wall-edit.js';
import { importWalls } from '../../walls/wall-import.js';
import { readWallCrops } from '../../walls/wall-read.js';
import { ClassifierCache } from '../../runs/classifier-cache.js';
import { exportWall, wallDetails, wallSummaries } from '../../walls/wall-view.js';
import { loadSignTable, type WallWorkspace } from '../../walls/wall-workspace.js';

type WallHandlers = Pick<
  ApiHandlers,
  | 'listWalls'
  | 'getWall'
  | 'startWallImport'
  | 'addWallBox'
  | 'moveWallBox'
  | 'deleteWallBox'
  | 'addWallBoxes'
  | 'deleteWallBoxes'
  | 'findWallSigns'
  | 'startWallRead'
  | 'setWallFacing'
  | 'exportWall'
>;

export function wallHandlers(services: AppServices): WallHandlers {
  const detector = new SignDetector(signDetectorDir());
  const workspace = (): WallWorkspace => ({
    catalog: services.catalog,
    projectDir: services.project.dir,
    thumbnailsDir: services.project.thumbnailsDir,
    ...(detector.installed() ? { findSigns: (photo) => detector.find(photo) } : {}),
  });
  let signTable: Promise<GardinerSignTable> | null = null;
  const signs = () => (signTable ??= loadSignTable(signTableFile()));
  const edited = (imageId: number, wallId: number) => ({ imageId, wall: wallDetails(services.catalog, wallId) });
  return {
    listWalls: () => wallSummaries(services.catalog),
    getWall: ({ wallId, runId }) => wallDetails(services.catalog, wallId, runId),
    startWallImport: ({ photos, boxesFile, requireBoxes, findSigns }) => {
      const at = workspace();
      const title = `Import wall ${photos.map((photo) => path.basename(photo)).join(', ')}`;
      return {
        taskId: services.tasks.start('import', title, (job) =>
          importWalls(at, { photos, requireBoxes, findSigns, ...(boxesFile ? { boxesFile } : {}) }, job),
        ),
      };
    },
    addWallBox: async ({ wallId, box, classId }) => edited(await addWallBox(workspace(), wallId, box, classId), wallId),
    moveWallBox: async ({ imageId, box }) => {
      await moveWallBox(workspace(), imageId, box);
      return edited(imageId, services.catalog.walls.requireSign(imageId).wallId);
    },
    deleteWallBox: async ({ imageId }) => {
      const removed = await deleteWallBox(workspace(), imageId);
      return { ...edited(imageId, removed.wallId), removed: { box: [...removed.box], classId: removed.classId } };
    },
    addWallBoxes: async ({ wallId, boxes }) => ({
      imageIds: await addWallBoxes(workspace(), wallId, boxes),
      wall: wallDetails(services.catalog, wallId),
    }),
    deleteWallBoxes: async ({ imageIds }) => ({
      wall: wallDetails(services.catalog, await deleteWallBoxes(workspace(), imageIds)),
    }),
    findWallSigns: async ({ wallId }) => {
      const { added, found } = await findMoreSigns(workspace(), wallId);
      return { wall: wallDetails(services.catalog, wallId), added, found };
    },
    startWallRead: ({ wallId, runId, adapt }) => {
      const catalog = services.catalog;
      const wall = catalog.walls.require(wallId);
      const run = ClassifierCache.resolveRun(catalog, runId);
      return {
        taskId: services.tasks.start('predict', `Read wall ${path.basename(wall.photoPath)}`, async (job) =>
          readWallCrops(
            catalog,
            run,
            await services.classifiers.get(run),
            wallId,
            services.project.thumbnailsDir,
            job,
            adapt,
          ),
        ),
      };
    },
    setWallFacing: ({ wallId, mirrored }) => {
      services.catalog.walls.setFacing(wallId, { mirrored, by: 'person' });
      return wallDetails(services.catalog, wallId);
    },
    exportWall: async ({ wallId, format, runId }) => exportWall(services.catalog, wallId, format, await signs(), runId),
  };
}
