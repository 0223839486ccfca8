/**
 * Which files are images to Seshat, and how formats are named in the catalog.
 */

/** Extensions the scanner picks up (lower case, with the dot). */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.png',
  '.jpg',
  '.jpeg',
  '.jpe',
  '.jfif',
  '.webp',
  '.tif',
  '.tiff',
  '.gif',
  '.avif',
]);

/** Formats as stored in `images.format`. */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'tiff' | 'gif' | 'avif';

export function hasImageExtension(fileName: string): boolean {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 && IMAGE_EXTENSIONS.has(fileName.slice(dot).toLowerCase());
}

/**
 * Maps sharp's metadata format to ours, or null for formats Seshat does not import
 * (SVG, PDF, HEIC, RAW…) even when libvips could read them: the training pipeline
 * and the browser-based viewer must be able to read every catalogued file.
 */
export function normaliseFormat(format: string | undefined, compression: string | undefined): ImageFormat | null {
  switch (format) {
    case 'png':
    case 'jpeg':
    case 'webp':
    case 'tiff':
    case 'gif':
      return format;
    case 'heif':
      return compression === 'av1' ? 'avif' : null;
    default:
      return null;
  }
}
