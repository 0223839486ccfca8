/**
 * Image URLs, built the same way by the renderer and parsed by the main process
 * (app/image-bytes.ts). Free of imports: the renderer bundles it.
 */

/** What an image URL is built from: the image's id and content hash. */
export interface ImageRef {
  id: number;
  hash: string;
}

/** Hex digits of the content hash in an image URL: 64 bits, plenty to tell two versions apart. */
export const IMAGE_URL_HASH_LENGTH = 16;

/**
 * The path of an image below `/api/images` (web) or `seshat://images` (Electron). For
 * `wall-photo` the id and hash are a wall's and its photograph's.
 */
export function imageUrlPath(projectId: string, image: ImageRef, variant: 'thumb' | 'full' | 'wall-photo'): string {
  return `/${projectId}/${image.id}/${image.hash.slice(0, IMAGE_URL_HASH_LENGTH)}/${variant}`;
}
