/**
 * "Find signs" on a wall that already has some boxes: the detector's proposals that
 * overlap no existing box become new, unlabelled boxes; what a person drew stays.
 */
import { AppError } from '../../src-shared/errors.js';
import { intersectionOverUnion } from './boxes.js';
import { addBoxesFrom } from './wall-edit.js';
import { decodeWallPhoto, type WallWorkspace } from './wall-workspace.js';

/** A proposal overlapping an existing box this much is that box. */
const ALREADY_BOXED_IOU = 0.3;

export async function findMoreSigns(
  workspace: WallWorkspace,
  wallId: number,
): Promise<{ added: number[]; found: number }> {
  if (!workspace.findSigns) throw new AppError('NOT_FOUND', 'No sign detector is installed');
  const catalog = workspace.catalog;
  const wall = catalog.walls.require(wallId);
  const photo = await decodeWallPhoto(wall);
  const found = await workspace.findSigns(photo);
  const existing = catalog.walls.signs(wallId).map((sign) => sign.box);
  const fresh = found.filter((sign) =>
    existing.every((box) => intersectionOverUnion(box, sign.box) < ALREADY_BOXED_IOU),
  );
  const added = await addBoxesFrom(
    workspace,
    wall,
    photo,
    fresh.map((sign) => sign.box),
  );
  return { added, found: found.length };
}
