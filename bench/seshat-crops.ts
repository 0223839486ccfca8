/**
 * `--crops=seshat` for the walls bench: every crop cut by Seshat itself from its wall
 * photograph and the dataset's box (as importing the walls into the app does), in place
 * of the dataset's own preprocessed crops. Then training and scoring both see Seshat's
 * framing, as they do in the app, and a found box's crop is compared with the hand-drawn
 * box's crop cut the same way.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseLocations } from '../src-main/walls/boxes.js';
import { decodePhoto, framedCropPng } from '../src-main/walls/crops.js';

/** Maps each dataset crop path to Seshat's crop of the same box; crops without a box keep their path. */
export async function seshatCrops<C extends { picture: string; path: string }>(
  datasetDir: string,
  crops: C[],
  log: (...parts: unknown[]) => void,
): Promise<C[]> {
  const out = join(tmpdir(), 'seshat-bench-crops');
  const cut = new Map<string, string>();
  for (const picture of [...new Set(crops.map((crop) => crop.picture))]) {
    const locations = join(datasetDir, 'Manual', 'Locations', `${picture}.txt`);
    const photoFile = join(datasetDir, 'Pictures', `egyptianTexts${picture}.jpg`);
    if (!existsSync(locations) || !existsSync(photoFile)) continue;
    const photo = await decodePhoto(photoFile);
    mkdirSync(join(out, picture), { recursive: true });
    for (const sign of parseLocations(readFileSync(locations, 'utf8'), locations)) {
      if (!sign.file) continue;
      const file = join(out, picture, basename(sign.file));
      if (!existsSync(file)) writeFileSync(file, await framedCropPng(photo, sign.box));
      cut.set(`${picture}/${basename(sign.file)}`, file);
    }
  }
  let kept = 0;
  const mapped = crops.map((crop) => {
    const file = cut.get(`${crop.picture}/${basename(crop.path)}`);
    if (!file) kept++;
    return file ? { ...crop, path: file } : crop;
  });
  log(`walls: ${crops.length - kept} crops cut by Seshat, ${kept} without a box kept as the dataset's`);
  return mapped;
}
