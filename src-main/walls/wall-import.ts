/**
 * Importing wall photographs: each box is cut into a labelled crop in the project
 * (`walls/<photo>/`), the crops are imported like any folder (labels from their names),
 * and the wall records each crop's box. A photo without boxes becomes an empty wall to
 * draw boxes on.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { UNAS_FILENAME_PATTERN } from '../../src-shared/api/wire-import.js';
import { AppError } from '../../src-shared/errors.js';
import { detachedJob, type JobContext } from '../../src-shared/progress.js';
import { sha256Hex } from '../images/hash.js';
import { importFolders } from '../import/import-folders.js';
import type { ImportCounts } from '../import/report.js';
import type { WallSign } from './boxes.js';
import { decodePhoto } from './crops.js';
import { boxesForPhoto, cutWall, wallDir, type WallManifest } from './wall-crops.js';
import type { WallWorkspace } from './wall-workspace.js';

export interface WallImportRequest {
  photos: string[];
  /** A Locations file or a CSV of boxes, for one photo. */
  boxesFile?: string;
  /** Refuse a photo with no boxes file or Unas layout, instead of finding its signs (or importing it empty). */
  requireBoxes?: boolean;
  /** Find the signs of a photo without boxes (default); false imports it empty, to draw on. */
  findSigns?: boolean;
}

export interface ImportedWall {
  photo: string;
  wallId: number;
  /** Where the boxes came from, or null for an empty wall. */
  boxes: string | null;
  signs: number;
  recorded: number;
  dir: string;
}

export interface WallImportResult {
  walls: ImportedWall[];
  import: ImportCounts;
}

/** The photo's boxes: from the file given or the Unas layout, else found by the detector, else none. */
export async function boxesOf(
  workspace: WallWorkspace,
  photo: string,
  request: WallImportRequest,
): Promise<{ signs: WallSign[]; from: string | null }> {
  try {
    return await boxesForPhoto(photo, request.boxesFile);
  } catch (error) {
    const noBoxes = error instanceof AppError && error.code === 'INVALID_INPUT' && !request.boxesFile;
    if (!noBoxes || request.requireBoxes) throw error;
    if (!workspace.findSigns || request.findSigns === false) return { signs: [], from: null };
    return { signs: await workspace.findSigns(await decodePhoto(photo)), from: 'sign detector' };
  }
}

export async function importWalls(
  workspace: WallWorkspace,
  request: WallImportRequest,
  job: JobContext = detachedJob(),
): Promise<WallImportResult> {
  const photos = request.photos.map((photo) => path.resolve(photo));
  if (photos.length === 0) throw new AppError('INVALID_INPUT', 'Name at least one wall photograph');
  if (request.boxesFile && photos.length > 1)
    throw new AppError('INVALID_INPUT', 'A boxes file belongs to one photograph; import one photo with it');
  const cut: { photo: string; from: string | null; dir: string; manifest: WallManifest }[] = [];
  for (const [i, photo] of photos.entries()) {
    job.signal.throwIfAborted();
    const { signs, from } = await boxesOf(workspace, photo, request);
    const dir = wallDir(workspace.projectDir, photo);
    const manifest = await cutWall(photo, signs, dir, {
      withLabels: true,
      signal: job.signal,
      onProgress: (done, total) =>
        job.onProgress({ done, total, message: `Cutting ${path.basename(photo)} (${i + 1} of ${photos.length})` }),
    });
    cut.push({ photo, from, dir, manifest });
  }
  const report = await importFolders(
    workspace.catalog,
    {
      roots: cut.map((wall) => wall.dir),
      labelSource: { kind: 'filename', pattern: UNAS_FILENAME_PATTERN },
      duplicates: 'keep',
      thumbnailsDir: workspace.thumbnailsDir,
    },
    job,
  );
  const catalog = workspace.catalog;
  const walls: ImportedWall[] = [];
  for (const { photo, from, dir, manifest } of cut) {
    const root = catalog.images.ensureRoot(dir);
    const signs = manifest.signs.flatMap((sign) => {
      const image = catalog.images.findByPath(root.id, sign.file);
      return image ? [{ imageId: image.id, box: sign.box, index: sign.index }] : [];
    });
    const bytes = await readFile(photo);
    const record = catalog.walls.record(
      {
        photoPath: manifest.photo,
        width: manifest.width,
        height: manifest.height,
        photoHash: await sha256Hex(bytes),
        photoBytes: bytes.length,
        cropsDir: dir,
      },
      signs,
    );
    walls.push({ photo, wallId: record.id, boxes: from, signs: manifest.signs.length, recorded: signs.length, dir });
  }
  keepWallsWhole(catalog);
  return { walls, import: report.counts };
}

/**
 * A project of walls only, never split, splits each wall whole: crops of one wall share
 * its stone, light and hand, so a wall on both sides of a split flatters the model (a
 * random split of the Unas walls read 0.958, a wall it had never seen 0.865). A rule
 * someone set or applied, or a project with other images, is left as it is.
 */
function keepWallsWhole(catalog: Catalog): void {
  const rule = catalog.splits.rule();
  if (rule.group !== null || rule.appliedAt !== null) return;
  const wallFolders = new Set(
    catalog.walls.list().flatMap((wall) => (wall.cropsDir ? [path.resolve(wall.cropsDir)] : [])),
  );
  const roots = catalog.images.listRoots();
  if (roots.length > 0 && roots.every((root) => wallFolders.has(path.resolve(root.path))))
    catalog.splits.setRule({ group: { kind: 'folder' } });
}
