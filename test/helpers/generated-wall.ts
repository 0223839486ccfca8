import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

/**
 * A generated wall, 200×240: two columns of six signs, X1 (a low bar) and O49 (a disc)
 * alternating, written to a photo and a Locations file numbered in reading order.
 */
export async function generatedWall(dir: string) {
  mkdirSync(dir, { recursive: true });
  const lines: string[] = [];
  const shapes: string[] = [];
  let index = 0;
  for (const left of [10, 110]) {
    for (let row = 0; row < 6; row++) {
      const top = 5 + row * 38;
      const label = row % 2 === 0 ? 'X1' : 'O49';
      shapes.push(
        label === 'X1'
          ? `<rect x="${left + 10}" y="${top + 12}" width="60" height="12" fill="#222"/>`
          : `<circle cx="${left + 40}" cy="${top + 17}" r="14" fill="#222"/>`,
      );
      lines.push(`99${String(index).padStart(4, '0')}_${label}.png,${left},${top},${left + 80},${top + 34},`);
      index++;
    }
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="240"><rect width="200" height="240" fill="#ccc"/>${shapes.join('')}</svg>`;
  const photo = join(dir, 'wall99.png');
  await sharp(Buffer.from(svg)).png().toFile(photo);
  const boxes = join(dir, 'wall99.txt');
  writeFileSync(boxes, `${lines.join('\n')}\n`);
  return { photo, boxes };
}
