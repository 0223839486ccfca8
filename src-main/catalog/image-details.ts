/**
 * Everything the inspector shows about one image, read in one place: the record, where
 * the file is, its label and who set it, its split, its label history and every run's
 * prediction for it.
 */
import type { ImageDetails } from '../../src-shared/api/types.js';
import type { Catalog } from './catalog.js';

export function imageDetails(catalog: Catalog, imageId: number): ImageDetails {
  const image = catalog.images.require(imageId);
  const label = catalog.labels.get(imageId);
  const split = catalog.splits.get(imageId);
  const predictions = catalog.runs
    .list()
    .map((run) => catalog.runs.prediction(run.id, imageId))
    .filter((prediction) => prediction !== undefined)
    .map((prediction) => ({
      runId: prediction.runId,
      classId: prediction.classId,
      confidence: prediction.confidence,
      topK: prediction.topK,
    }));
  return {
    image,
    absolutePath: catalog.images.absolutePath(image),
    classId: label?.classId ?? null,
    labelSource: label?.source ?? null,
    split: split?.split ?? null,
    splitLocked: split?.locked ?? false,
    history: catalog.labels.historyOf(imageId).map((row) => ({
      at: row.at,
      action: row.action,
      fromClassId: row.old_class_id,
      toClassId: row.new_class_id,
      source: row.new_source,
    })),
    predictions,
  };
}
