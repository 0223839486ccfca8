/**
 * What the page shows, read from the page itself: each grid thumbnail's image id,
 * label and the colour of its decoded pixels (drawn to a canvas), so a test can assert
 * that the picture under a label is that image's own, not one from a browser cache.
 */
import type { Page } from '@playwright/test';

export interface ShownThumb {
  imageId: number;
  label: string;
  /** Mean colour of the decoded picture. */
  rgb: [number, number, number];
}

export async function shownThumbs(page: Page): Promise<ShownThumb[]> {
  await page.waitForFunction(() => {
    const images = Array.from(document.querySelectorAll<HTMLImageElement>('button.thumb img'));
    return images.length > 0 && images.every((img) => img.complete && img.naturalWidth > 0);
  });
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLButtonElement>('button.thumb')).flatMap((cell) => {
      const img = cell.querySelector('img');
      if (!img) return [];
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const context = canvas.getContext('2d')!;
      context.drawImage(img, 0, 0);
      const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
      const sum = [0, 0, 0];
      for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sum[c]! += data[i + c]!;
      const n = data.length / 4;
      return [
        {
          imageId: Number(cell.dataset.imageId),
          label: cell.dataset.label ?? '',
          rgb: sum.map((v) => Math.round(v / n)) as [number, number, number],
        },
      ];
    }),
  );
}

/** Which of the reference colours `rgb` is nearest to. */
export function nearestColour<K extends string>(rgb: readonly number[], references: Record<K, readonly number[]>): K {
  let best: K | null = null;
  let bestDistance = Infinity;
  for (const [name, ref] of Object.entries(references) as Array<[K, readonly number[]]>) {
    const distance = ref.reduce((sum, v, i) => sum + (v - rgb[i]!) ** 2, 0);
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best!;
}

/**
 * The sha256 of the bytes the page holds for each grid thumbnail (read back from the
 * browser's cache, as displayed), by image id.
 */
export async function shownThumbDigests(page: Page): Promise<Map<number, string>> {
  await page.waitForFunction(() => {
    const images = Array.from(document.querySelectorAll<HTMLImageElement>('button.thumb img'));
    return images.length > 0 && images.every((img) => img.complete && img.naturalWidth > 0);
  });
  const pairs = await page.evaluate(async () => {
    const cells = Array.from(document.querySelectorAll<HTMLButtonElement>('button.thumb'));
    const out: Array<[number, string]> = [];
    for (const cell of cells) {
      const img = cell.querySelector('img');
      if (!img) continue;
      const bytes = await (await fetch(img.currentSrc, { cache: 'force-cache' })).arrayBuffer();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      out.push([Number(cell.dataset.imageId), Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')]);
    }
    return out;
  });
  return new Map(pairs);
}
