/**
 * Editing a wall's boxes: a drawn box is cut into a new crop image, a moved or resized
 * box re-cuts its crop in place (same image, so its label and split stay; the model's old
 * guesses go), a deleted box deletes its crop. Each catalog write is one transaction.
 */
import { access, mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../src-shared/errors.js';
import { processImageFile } from '../images/process-file.js';
import type { Box } from './boxes.js';
import type { WallRecord } from '../catalog/walls.js';
import { clampBox, framedCropPng, type DecodedPhoto } from './crops.js';
import { wallDir } from './wall-crops.js';
import { decodeWallPhoto, type WallWorkspace } from './wall-workspace.js';

/** Smaller than this (photo pixels) is a slip of the mouse, not a sign. */
export const MIN_BOX_SIDE = 3;

function checkedBox(box: Box, width: number, height: number): Box {
  const clamped = clampBox(box, width, height);
  if (!clamped || clamped[2] - clamped[0] < MIN_BOX_SIDE || clamped[3] - clamped[1] < MIN_BOX_SIDE)
    throw new AppError(
      'INVALID_INPUT',
      `Box ${box.map((v) => Math.round(v)).join(',')} is outside the ${width}×${height} photo or smaller than ${MIN_BOX_SIDE} px`,
    );
  return clamped;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

async function cutTo(workspace: WallWorkspace, file: string, png: Buffer) {
  await writeFile(file, png);
  // Hashed and probed from the bytes just written, not read back from disk.
  const processed = await processImageFile(file, { thumbnailsDir: workspace.thumbnailsDir, readFile: async () => png });
  const { width, height, channels, format } = processed.info;
  // The file's own mtime, so the next rescan sees it unchanged.
  const { mtimeMs } = await stat(file);
  return { hash: processed.hash, bytes: processed.bytes, width, height, channels, format, mtimeMs };
}

/** Draws a new box on a wall: its crop becomes an image (labelled when a class is given). */
export async function addWallBox(
  workspace: WallWorkspace,
  wallId: number,
  box: Box,
  classId: number | null = null,
): Promise<number> {
  const catalog = workspace.catalog;
  const wall = catalog.walls.require(wallId);
  if (classId !== null) catalog.classes.require(classId);
  const [imageId] = await addBoxesFrom(workspace, wall, await decodeWallPhoto(wall), [box]);
  if (classId !== null) catalog.labels.setLabels([{ imageId: imageId!, classId }], { source: 'human' });
  return imageId!;
}

/** Several unlabelled boxes at once (redoing "Find signs"): the photo is decoded once. */
export async function addWallBoxes(workspace: WallWorkspace, wallId: number, boxes: readonly Box[]): Promise<number[]> {
  const wall = workspace.catalog.walls.require(wallId);
  return addBoxesFrom(workspace, wall, await decodeWallPhoto(wall), boxes);
}

/** Deletes several boxes of one wall (undoing "Find signs"); returns the wall. */
export async function deleteWallBoxes(workspace: WallWorkspace, imageIds: readonly number[]): Promise<number> {
  const walls = new Set(imageIds.map((imageId) => workspace.catalog.walls.requireSign(imageId).wallId));
  if (walls.size !== 1) throw new AppError('INVALID_INPUT', 'Delete boxes of one wall at a time');
  for (const imageId of imageIds) await deleteWallBox(workspace, imageId);
  return [...walls][0]!;
}

/** Cuts boxes of one decoded photo into new crop images of its wall; returns their ids. */
export async function addBoxesFrom(
  workspace: WallWorkspace,
  wall: WallRecord,
  photo: DecodedPhoto,
  boxes: readonly Box[],
): Promise<number[]> {
  const catalog = workspace.catalog;
  const checked = boxes.map((box) => checkedBox(box, photo.width, photo.height));
  const dir = wall.cropsDir ?? wallDir(workspace.projectDir, wall.photoPath);
  await mkdir(dir, { recursive: true });
  const root = catalog.images.ensureRoot(dir);
  const ids: number[] = [];
  let index = catalog.walls.nextIndex(wall.id);
  for (const box of checked) {
    while (await exists(path.join(dir, `${String(index).padStart(4, '0')}.png`))) index++;
    const relPath = `${String(index).padStart(4, '0')}.png`;
    const content = await cutTo(workspace, path.join(dir, relPath), await framedCropPng(photo, box));
    ids.push(catalog.walls.addSign(wall.id, { ...content, rootId: root.id, relPath }, box, index));
    index++;
  }
  return ids;
}

/** Moves or resizes a box and re-cuts its crop into the same image. */
export async function moveWallBox(workspace: WallWorkspace, imageId: number, box: Box): Promise<void> {
  const catalog = workspace.catalog;
  const sign = catalog.walls.requireSign(imageId);
  const wall = catalog.walls.require(sign.wallId);
  const image = catalog.images.require(imageId);
  const photo = await decodeWallPhoto(wall);
  const clamped = checkedBox(box, photo.width, photo.height);
  const file = catalog.images.absolutePath(image);
  const content = await cutTo(workspace, file, await framedCropPng(photo, clamped));
  catalog.walls.moveSign(imageId, clamped, content);
}

/** Deletes a box and its crop; returns what undo needs to draw it again. */
export async function deleteWallBox(
  workspace: WallWorkspace,
  imageId: number,
): Promise<{ wallId: number; box: Box; classId: number | null }> {
  const catalog = workspace.catalog;
  const image = catalog.images.require(imageId);
  const classId = catalog.labels.get(imageId)?.classId ?? null;
  const file = catalog.images.absolutePath(image);
  const sign = catalog.walls.removeSign(imageId);
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  return { wallId: sign.wallId, box: sign.box, classId };
}
