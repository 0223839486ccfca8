/**
 * One open project: its folder layout and its catalog. Opening a damaged catalog
 * or one from a newer Seshat fails here with a clear error, before anything else
 * touches it.
 */
import { Catalog } from '../catalog/catalog.js';
import type { EmbeddingCache } from '../ml/inference/embedding-cache.js';
import { ClassifierCache } from '../runs/classifier-cache.js';
import { prepareProjectFolder, type ProjectPaths } from '../projects/project.js';
import { recoverRuns } from '../runs/run-recovery.js';
import { sweepStaleThumbnailTemps } from '../images/thumbnails.js';

export class ProjectSession {
  readonly classifiers = new ClassifierCache();
  /** Housekeeping started when the project opens (stale temp files); tests await it. */
  readonly maintenance: Promise<unknown>;
  /** Backbone embeddings, stored in the project's catalog: computed once per image. */
  readonly embeddings: EmbeddingCache;

  private constructor(
    readonly paths: ProjectPaths,
    readonly catalog: Catalog,
  ) {
    this.embeddings = catalog.embeddings;
    this.maintenance = sweepStaleThumbnailTemps(paths.thumbnailsDir).catch(() => 0);
  }

  static open(dir: string, options: { create: boolean }): ProjectSession {
    const paths = prepareProjectFolder(dir, options);
    const catalog = Catalog.open(paths.catalogFile);
    // Runs whose trainer died with an earlier process (kill -9, a crash) are never left "running".
    recoverRuns(catalog, paths.modelsDir);
    return new ProjectSession(paths, catalog);
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
