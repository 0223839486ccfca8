/**
 * One open project: its folder layout and its catalog. Opening a damaged catalog
 * or one from a newer Seshat fails here with a clear error, before anything else
 * touches it.
 */
import { Catalog } from '../catalog/catalog.js';
import type { EmbeddingCache } from '../ml/models/embedding-cache.js';
import { ClassifierCache } from '../runs/classifier-cache.js';
import { prepareProjectFolder, type ProjectPaths } from '../projects/project.js';

export class ProjectSession {
  readonly classifiers = new ClassifierCache();
  /** Backbone embeddings, stored in the project's catalog: computed once per image. */
  readonly embeddings: EmbeddingCache;

  private constructor(
    readonly paths: ProjectPaths,
    readonly catalog: Catalog,
  ) {
    this.embeddings = catalog.embeddings;
  }

  static open(dir: string, options: { create: boolean }): ProjectSession {
    const paths = prepareProjectFolder(dir, options);
    return new ProjectSession(paths, Catalog.open(paths.catalogFile));
  }

  close(): void {
    this.classifiers.dispose();
    this.catalog.close();
  }
}
