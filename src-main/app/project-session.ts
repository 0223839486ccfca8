/**
 * One open project: its folder layout and its catalog. Opening a damaged catalog
 * or one from a newer Seshat fails here with a clear error, before anything else
 * touches it.
 */
import { statSync } from 'node:fs';
import { quickCheckInBackground } from '../catalog/background-check.js';
import { Catalog } from '../catalog/catalog.js';
import type { EmbeddingCache } from '../ml/inference/embedding-cache.js';
import { ClassifierCache } from '../runs/classifier-cache.js';
import { prepareProjectFolder, type ProjectPaths } from '../projects/project.js';
import { recoverRuns } from '../runs/run-recovery.js';
import { sweepStaleThumbnailTemps } from '../images/thumbnails.js';

/**
 * Catalogs larger than this open without their page check, which then runs on a worker
 * thread (background-check.ts): at 1M images (~700 MB) it took 2.8 s, the window empty
 * meanwhile. Smaller ones are checked before anything touches them, as before.
 */
const CHECK_IN_BACKGROUND_BYTES = 64 * 1024 * 1024;

export class ProjectSession {
  readonly classifiers = new ClassifierCache();
  /** Housekeeping started when the project opens (stale temp files); tests await it. */
  readonly maintenance: Promise<unknown>;
  /** Backbone embeddings, stored in the project's catalog: computed once per image. */
  readonly embeddings: EmbeddingCache;
  /** What the background page check found wrong (one line naming the file), or null. */
  damage: string | null = null;
  /** The background page check of a large catalog (resolved at once for a small one); tests await it. */
  integrity: Promise<string | null> = Promise.resolve(null);

  private constructor(
    readonly paths: ProjectPaths,
    readonly catalog: Catalog,
  ) {
    this.embeddings = catalog.embeddings;
    this.maintenance = sweepStaleThumbnailTemps(paths.thumbnailsDir).catch(() => 0);
  }

  static open(dir: string, options: { create: boolean; checkInBackgroundAbove?: number }): ProjectSession {
    const paths = prepareProjectFolder(dir, options);
    const large = fileSize(paths.catalogFile) > (options.checkInBackgroundAbove ?? CHECK_IN_BACKGROUND_BYTES);
    const catalog = Catalog.open(paths.catalogFile, { check: large ? 'none' : 'quick' });
    // Runs whose trainer died with an earlier process (kill -9, a crash) are never left "running".
    recoverRuns(catalog, paths.modelsDir);
    const session = new ProjectSession(paths, catalog);
    if (large)
      session.integrity = quickCheckInBackground(paths.catalogFile).then((problem) => (session.damage = problem));
    return session;
  }

  /** This process's trainers die with it: their runs (and sweeps) stop as interrupted, resumable from the last epoch. */
  interruptOwnRuns(): void {
    if (!this.catalog.isOpen) return;
    this.catalog.runs.markInterrupted(new Set(), { all: true });
    this.catalog.sweeps.markInterrupted();
  }

  close(): void {
    this.classifiers.dispose();
    this.interruptOwnRuns();
    this.catalog.close();
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // not created yet
  }
}
