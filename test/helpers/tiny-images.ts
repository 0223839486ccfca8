/**
 * Writes small generated images into class folders, for tests that need a real
 * folder to import without reading shared datasets.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

export async function writeClassFolders(root: string, perClass: Record<string, number>, size = 24): Promise<number> {
  let written = 0;
  let shade = 0;
  for (const [name, count] of Object.entries(perClass)) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < count; i++) {
      shade = (shade + 37) % 200;
      await sharp({
        create: {
          width: size,
          height: size + (i % 3),
          channels: 3,
          background: { r: 30 + shade, g: 90, b: 200 - shade },
        },
      })
        .png()
        .toFile(join(root, name, `${name}_${String(i).padStart(3, '0')}.png`));
      written++;
    }
  }
  return written;
}
