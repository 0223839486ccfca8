/**
 * Reading a wall in the app: classify its crops with a run (adapted to this wall first,
 * as "classify folder" does), then judge from the same run which way its signs face,
 * which sets the order they are read in. A person's choice of direction stays.
 */
import { AppError } from '../../src-shared/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import type { RunRecord } from '../../src-shared/catalog-records.js';
import type { Classifier } from '../ml/inference/predict.js';
import { classifyFolders, type PredictSummary } from '../runs/predict-service.js';
import type { JobContext } from '../../src-shared/progress.js';
import { classifierConfidence, estimateFacing, type FacingJudgement } from './facing.js';

export interface WallReadResult extends PredictSummary {
  wallId: number;
  /** What the crops said of the wall's facing, and whether it was recorded (a person's choice is kept). */
  facing: FacingJudgement & { recorded: boolean };
}

export async function readWallCrops(
  catalog: Catalog,
  run: RunRecord,
  classifier: Classifier,
  wallId: number,
  thumbnailsDir: string | null,
  job: JobContext,
  adapt: boolean,
): Promise<WallReadResult> {
  const wall = catalog.walls.require(wallId);
  if (!wall.cropsDir)
    throw new AppError(
      'INVALID_INPUT',
      `${wall.photoPath}: this wall was recorded before crops had a folder; import it again`,
    );
  const summary = await classifyFolders(catalog, run, classifier, [wall.cropsDir], thumbnailsDir, job, adapt);
  job.onProgress({ done: summary.predicted, total: summary.predicted, message: 'Judging which way the signs face' });
  const files = catalog.walls.signs(wallId).flatMap((sign) => {
    const image = catalog.images.get(sign.imageId);
    return image ? [catalog.images.absolutePath(image)] : [];
  });
  const judged = await estimateFacing(
    files,
    classifierConfidence(classifier, { signal: job.signal, firstMemberOnly: true }),
    {
      signal: job.signal,
    },
  );
  const recorded = catalog.walls.setFacing(wallId, { mirrored: judged.mirrored, by: 'model' });
  return { ...summary, wallId, facing: { ...judged, recorded } };
}
