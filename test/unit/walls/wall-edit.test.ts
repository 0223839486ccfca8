import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src-main/catalog/catalog.js';
import { sha256Hex } from '../../../src-main/images/hash.js';
import { decodePhoto, framedCropPng } from '../../../src-main/walls/crops.js';
import type { Box } from '../../../src-main/walls/boxes.js';
import { findMoreSigns } from '../../../src-main/walls/wall-detect.js';
import {
  addWallBox,
  addWallBoxes,
  deleteWallBox,
  deleteWallBoxes,
  moveWallBox,
} from '../../../src-main/walls/wall-edit.js';
import { importWalls } from '../../../src-main/walls/wall-import.js';
import { exportWall, wallDetails, wallSummaries } from '../../../src-main/walls/wall-view.js';
import { loadSignTable, type WallWorkspace } from '../../../src-main/walls/wall-workspace.js';
import { generatedWall } from '../../helpers/generated-wall.js';

const SIGN_TABLE = resolve(import.meta.dirname, '../../../resources/gardiner/signs.json');

async function importedWall() {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-wall-edit-'));
  const { photo, boxes } = await generatedWall(dir);
  const catalog = Catalog.open(':memory:');
  const workspace: WallWorkspace = { catalog, projectDir: join(dir, 'project'), thumbnailsDir: null };
  const result = await importWalls(workspace, { photos: [photo], boxesFile: boxes });
  return { dir, photo, catalog, workspace, wallId: result.walls[0]!.wallId };
}

test('an imported wall keeps its photo’s hash and reads its boxes in reading order with their labels', async () => {
  const { catalog, photo, wallId } = await importedWall();
  try {
    const [summary] = wallSummaries(catalog);
    assert.equal(summary?.signs, 12);
    assert.equal(summary?.labelled, 12);
    assert.equal(catalog.walls.require(wallId).photoHash, await sha256Hex(readFileSync(photo)));
    const details = wallDetails(catalog, wallId);
    assert.deepEqual(
      details.signs.map((sign) => sign.order),
      [...Array(12).keys()],
    );
    const names = new Map(catalog.classes.list().map((c) => [c.id, c.name]));
    // Column 1 first, top to bottom, X1 and O49 alternating as the generated wall has them.
    assert.deepEqual(
      details.signs.slice(0, 3).map((sign) => [names.get(sign.classId!), sign.column, sign.box]),
      [
        ['X1', 0, [10, 5, 90, 39]],
        ['O49', 0, [10, 43, 90, 77]],
        ['X1', 0, [10, 81, 90, 115]],
      ],
    );
    assert.equal(details.runId, null);
  } finally {
    catalog.close();
  }
});

test('a drawn box becomes a labelled crop image cut from the photo, listed in reading order', async () => {
  const { catalog, photo, workspace, wallId } = await importedWall();
  try {
    const x1 = catalog.classes.list().find((c) => c.name === 'X1')!;
    // Between the two columns' last signs: reading order puts it after column 1 (x 10–90).
    const imageId = await addWallBox(workspace, wallId, [12, 200, 88, 236], x1.id);
    const image = catalog.images.require(imageId);
    const file = catalog.images.absolutePath(image);
    const expected = await framedCropPng(await decodePhoto(photo), [12, 200, 88, 236]);
    assert.deepEqual(readFileSync(file), expected, 'the crop file holds exactly the framed crop of the box');
    assert.equal(image.hash, await sha256Hex(expected));
    assert.equal(catalog.labels.get(imageId)?.classId, x1.id);
    const details = wallDetails(catalog, wallId);
    assert.equal(details.signs.length, 13);
    const drawn = details.signs.find((sign) => sign.imageId === imageId)!;
    assert.deepEqual([drawn.column, drawn.order, drawn.index], [0, 6, 12]);
    await assert.rejects(addWallBox(workspace, wallId, [500, 500, 600, 600]), /outside the 200×240 photo/);
  } finally {
    catalog.close();
  }
});

test('moving a box re-cuts the same image: label kept, new bytes, old guesses dropped', async () => {
  const { catalog, photo, workspace, wallId } = await importedWall();
  try {
    const sign = wallDetails(catalog, wallId).signs[0]!;
    const labelBefore = catalog.labels.get(sign.imageId)?.classId;
    const run = catalog.runs.create({ name: 'r', preset: 'small-cnn' });
    catalog.runs.savePredictions(run.id, [{ imageId: sign.imageId, classId: labelBefore!, confidence: 0.9, topK: [] }]);
    assert.equal(wallDetails(catalog, wallId).runId, run.id);
    await moveWallBox(workspace, sign.imageId, [100, 5, 190, 39]);
    const image = catalog.images.require(sign.imageId);
    const expected = await framedCropPng(await decodePhoto(photo), [100, 5, 190, 39]);
    assert.deepEqual(readFileSync(catalog.images.absolutePath(image)), expected);
    assert.equal(image.hash, await sha256Hex(expected));
    assert.deepEqual(catalog.walls.signOfImage(sign.imageId)?.box, [100, 5, 190, 39]);
    assert.equal(catalog.labels.get(sign.imageId)?.classId, labelBefore);
    assert.equal(catalog.runs.prediction(run.id, sign.imageId), undefined, 'a guess about the old crop is gone');
  } finally {
    catalog.close();
  }
});

test('deleting a box deletes its crop image and file, and says what drawing it again needs', async () => {
  const { catalog, workspace, wallId } = await importedWall();
  try {
    const sign = wallDetails(catalog, wallId).signs[3]!;
    // Relabelled by hand just before: the label history names the image that goes.
    catalog.labels.setLabels([{ imageId: sign.imageId, classId: null }]);
    catalog.labels.setLabels([{ imageId: sign.imageId, classId: sign.classId }]);
    const file = catalog.images.absolutePath(catalog.images.require(sign.imageId));
    const removed = await deleteWallBox(workspace, sign.imageId);
    assert.deepEqual(removed, { wallId, box: sign.box, classId: sign.classId });
    assert.equal(catalog.images.get(sign.imageId), undefined);
    assert.equal(existsSync(file), false);
    assert.equal(wallDetails(catalog, wallId).signs.length, 11);
    // Undoing the relabel of an image that is gone must not fail, nor bring a label back for it.
    catalog.labels.undo();
    assert.equal(catalog.labels.get(sign.imageId), undefined);
    const other = wallDetails(catalog, wallId).signs[0]!;
    catalog.labels.setLabels([{ imageId: other.imageId, classId: null }]);
    assert.ok(catalog.labels.undo());
    assert.equal(catalog.labels.get(other.imageId)?.classId, other.classId);
  } finally {
    catalog.close();
  }
});

test('a photo changed on disk since import is refused, naming it', async () => {
  const { catalog, photo, workspace, wallId } = await importedWall();
  try {
    writeFileSync(photo, Buffer.concat([readFileSync(photo), Buffer.from([0])]));
    await assert.rejects(addWallBox(workspace, wallId, [10, 5, 90, 39]), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'IMAGE_CHANGED');
      assert.match(error.message, /wall99\.png/);
      return true;
    });
  } finally {
    catalog.close();
  }
});

test('a photo without boxes imports as an empty wall, unless boxes are required', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-wall-empty-'));
  const { photo } = await generatedWall(dir);
  const catalog = Catalog.open(':memory:');
  try {
    const workspace = { catalog, projectDir: join(dir, 'p'), thumbnailsDir: null };
    await assert.rejects(
      importWalls(workspace, { photos: [photo], requireBoxes: true }),
      /wall99\.png: no boxes given/,
    );
    const result = await importWalls(workspace, { photos: [photo] });
    assert.deepEqual([result.walls[0]?.signs, result.walls[0]?.boxes], [0, null]);
    const wallId = result.walls[0]!.wallId;
    await addWallBox(workspace, wallId, [10, 5, 90, 39]);
    assert.equal(wallDetails(catalog, wallId).signs.length, 1);
  } finally {
    catalog.close();
  }
});

test('a wall exports as CSV, as a Locations file and as Manuel de Codage in reading order', async () => {
  const { catalog, wallId } = await importedWall();
  try {
    const table = await loadSignTable(SIGN_TABLE);
    const csv = exportWall(catalog, wallId, 'csv', table).text.split('\n');
    assert.equal(csv[0], 'order,column,x1,y1,x2,y2,label,confidence,source');
    assert.equal(csv[1], '0,0,10,5,90,39,X1,,label');
    assert.equal(csv[7], '6,1,110,5,190,39,X1,,label');
    const locations = exportWall(catalog, wallId, 'locations', table);
    assert.equal(locations.fileName, 'wall99.txt');
    assert.equal(locations.text.split('\n')[1], '990001_O49.png,10,43,90,77,');
    const mdc = exportWall(catalog, wallId, 'mdc', table);
    assert.equal(mdc.text, 'X1-O49-X1-O49-X1-O49 !\nX1-O49-X1-O49-X1-O49 !\n');
    assert.equal(mdc.unicode, '𓏏𓊖𓏏𓊖𓏏𓊖\n𓏏𓊖𓏏𓊖𓏏𓊖');
  } finally {
    catalog.close();
  }
});

test('a photo without boxes gets the detector’s; Find signs adds only what no box covers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seshat-wall-find-'));
  const { photo } = await generatedWall(dir);
  const catalog = Catalog.open(':memory:');
  try {
    const proposals: Box[] = [
      [10, 5, 90, 39],
      [10, 43, 90, 77],
    ];
    const seen: number[] = [];
    const workspace: WallWorkspace = {
      catalog,
      projectDir: join(dir, 'p'),
      thumbnailsDir: null,
      findSigns: async (decoded) => {
        seen.push(decoded.width);
        return proposals.map((box, index) => ({ box, label: null, file: null, index }));
      },
    };
    const result = await importWalls(workspace, { photos: [photo] });
    assert.deepEqual([result.walls[0]?.boxes, result.walls[0]?.signs, seen], ['sign detector', 2, [200]]);
    const wallId = result.walls[0]!.wallId;
    assert.equal(wallSummaries(catalog)[0]?.labelled, 0, 'found boxes come in unlabelled');
    // One proposal more; the two already boxed (one moved a little by hand) are left alone.
    await moveWallBox(workspace, wallDetails(catalog, wallId).signs[0]!.imageId, [12, 6, 90, 39]);
    proposals.push([110, 5, 190, 39]);
    const more = await findMoreSigns(workspace, wallId);
    assert.deepEqual([more.found, more.added.length], [3, 1]);
    assert.deepEqual(catalog.walls.signOfImage(more.added[0]!)?.box, [110, 5, 190, 39]);
    assert.equal(wallDetails(catalog, wallId).signs.length, 3);
  } finally {
    catalog.close();
  }
});

test('boxes added and deleted in bulk (Find signs and its undo) cut and remove their crops', async () => {
  const { catalog, workspace, wallId } = await importedWall();
  try {
    const boxes: Box[] = [
      [12, 200, 60, 236],
      [120, 200, 180, 236],
    ];
    const ids = await addWallBoxes(workspace, wallId, boxes);
    assert.equal(ids.length, 2);
    assert.deepEqual(
      ids.map((id) => catalog.walls.signOfImage(id)?.box),
      boxes,
    );
    const files = ids.map((id) => catalog.images.absolutePath(catalog.images.require(id)));
    assert.ok(files.every((file) => existsSync(file)));
    assert.equal(await deleteWallBoxes(workspace, ids), wallId);
    assert.ok(
      files.every((file) => !existsSync(file)),
      'the crops are gone with their boxes',
    );
    assert.equal(wallDetails(catalog, wallId).signs.length, 12);
    await assert.rejects(deleteWallBoxes(workspace, [999]), /not a box on any wall/);
  } finally {
    catalog.close();
  }
});
