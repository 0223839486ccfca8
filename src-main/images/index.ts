/** Image probing, validation, hashing and thumbnails (sharp). No catalog, no Electron. */
export { IMAGE_EXTENSIONS, hasImageExtension, normaliseFormat, type ImageFormat } from './formats.js';
export {
  MAX_SIDE,
  MAX_PIXELS,
  MAX_FILE_BYTES,
  DECODE_OPTIONS,
  probeImage,
  assertWithinLimits,
  decodeError,
  type ImageInfo,
} from './probe.js';
export { THUMBNAIL_SIZE, THUMBNAIL_EXTENSION, thumbnailPath, renderThumbnail, writeThumbnail } from './thumbnails.js';
export { sha256Hex } from './hash.js';
export { processImageFile, type ProcessedImage, type ProcessOptions } from './process-file.js';
export { defaultConcurrency } from './concurrency.js';
