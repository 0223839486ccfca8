/**
 * A catalogued file's bytes, read only while it is still the file that was imported: a
 * regular file (not a link swapped in since) with the same size and hash. Images and
 * wall photos are served and cut through this.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { AppError } from '../../src-shared/errors.js';
import type { ImageRecord } from '../../src-shared/catalog-records.js';

/**
 * Reads a catalogued original only if it is still what was imported. O_NOFOLLOW and
 * fstat on the opened descriptor (not a path checked first and opened later) leave no
 * gap in which a link could be swapped in.
 */
export async function readCatalogedFile(
  file: string,
  image: Pick<ImageRecord, 'id' | 'bytes' | 'hash'> & { what?: string },
): Promise<Buffer> {
  const what = image.what ?? `Image ${image.id}`;
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') {
      throw new AppError(
        'IMAGE_CHANGED',
        `${what} (${file}) is now a symbolic link, not the file that was imported: not shown`,
      );
    }
    throw new AppError('NOT_FOUND', `${what} is missing on disk (${file}): ${(error as Error).message}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new AppError('IMAGE_CHANGED', `${what} (${file}) is no longer a regular file: not shown`);
    if (stat.size !== image.bytes) {
      throw new AppError(
        'IMAGE_CHANGED',
        `${what} (${file}) changed on disk since it was imported (${stat.size} bytes, was ${image.bytes}): rescan its folder`,
      );
    }
    const bytes = await handle.readFile();
    if (createHash('sha256').update(bytes).digest('hex') !== image.hash) {
      throw new AppError('IMAGE_CHANGED', `${what} (${file}) changed on disk since it was imported: rescan its folder`);
    }
    return bytes;
  } finally {
    await handle.close();
  }
}
