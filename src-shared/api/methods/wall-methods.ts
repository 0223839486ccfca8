/** Walls: photographs with their sign boxes, each box's crop an ordinary catalog image. */
import { z } from 'zod';
import type { WallDetails, WallExport, WallSummary } from '../types.js';
import { method } from './define.js';
import { empty, folderPath, id } from './schemas.js';

const coordinate = z.number().finite().min(0).max(100_000);
const box = z
  .tuple([coordinate, coordinate, coordinate, coordinate])
  .refine(([x1, y1, x2, y2]) => x2 > x1 && y2 > y1, 'a box needs x2 > x1 and y2 > y1');

/** What a box edit returns: the box's crop and the wall as it now reads. */
type WallEdit = { imageId: number; wall: WallDetails };

const BOX_CHANGES = { changes: ['images', 'labels', 'splits', 'predictions'] } as const;

export const wallMethods = {
  listWalls: method<WallSummary[]>()(empty),
  /** A wall's boxes in reading order with labels, and a run's guesses (default: the latest that made any). */
  getWall: method<WallDetails>()(z.object({ wallId: id, runId: id.nullable().optional() }).strict()),
  /** Imports photos as walls, cutting the boxes of a Locations or CSV file (or the Unas layout's own) into crops. */
  startWallImport: method<{ taskId: string }>()(
    z
      .object({
        photos: z.array(folderPath).min(1, 'choose at least one photograph').max(200),
        boxesFile: folderPath.optional(),
        /** Refuse a photo with no boxes file (or Unas layout), instead of finding its signs with the detector. */
        requireBoxes: z.boolean().default(false),
        /** Find the signs of a photo without boxes with the detector; false imports it empty, to draw on. */
        findSigns: z.boolean().default(true),
      })
      .strict(),
    { taskChanges: ['images', 'labels', 'classes', 'splits'] },
  ),
  addWallBox: method<WallEdit>()(
    z.object({ wallId: id, box, classId: id.nullable().default(null) }).strict(),
    BOX_CHANGES,
  ),
  /** Moves or resizes a box: its crop is cut again into the same image (label kept, old guesses dropped). */
  moveWallBox: method<WallEdit>()(z.object({ imageId: id, box }).strict(), BOX_CHANGES),
  /** Deletes a box and its crop image; the result says what drawing it again needs. */
  deleteWallBox: method<WallEdit & { removed: { box: [number, number, number, number]; classId: number | null } }>()(
    z.object({ imageId: id }).strict(),
    BOX_CHANGES,
  ),
  /** Several unlabelled boxes at once (redoing "Find signs"): their crops' image ids, in the boxes' order. */
  addWallBoxes: method<{ imageIds: number[]; wall: WallDetails }>()(
    z.object({ wallId: id, boxes: z.array(box).min(1).max(5000) }).strict(),
    BOX_CHANGES,
  ),
  /** Deletes several boxes of one wall and their crops (undoing "Find signs"). */
  deleteWallBoxes: method<{ wall: WallDetails }>()(
    z.object({ imageIds: z.array(id).min(1).max(5000) }).strict(),
    BOX_CHANGES,
  ),
  /** Proposes boxes for the signs no box covers yet (the learned detector); they come in unlabelled. */
  findWallSigns: method<{ wall: WallDetails; added: number[]; found: number }>()(
    z.object({ wallId: id }).strict(),
    BOX_CHANGES,
  ),
  /**
   * Reads a wall: classifies its crops with a run (default: the latest), adapted to the
   * wall unless `adapt` is false, and judges which way its signs face from the same run.
   */
  startWallRead: method<{ taskId: string }>()(
    z.object({ wallId: id, runId: id.optional(), adapt: z.boolean().default(true) }).strict(),
    { taskChanges: ['images', 'predictions'] },
  ),
  /** A person's word on which way the wall's signs face: kept over the model's judgement. */
  setWallFacing: method<WallDetails>()(z.object({ wallId: id, mirrored: z.boolean() }).strict()),
  exportWall: method<WallExport>()(
    z.object({ wallId: id, format: z.enum(['csv', 'locations', 'mdc']), runId: id.nullable().optional() }).strict(),
  ),
} as const;
