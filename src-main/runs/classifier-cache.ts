/**
 * Keeps the last used model loaded: Predict and Evaluate reuse it, so a dropped
 * image costs one forward pass, not a model load.
 */
import { AppError } from '../../src-shared/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import type { RunRecord } from '../../src-shared/catalog-records.js';
import { hasExportedModel } from '../ml/models/model-folder.js';
import { loadClassifier, type Classifier } from '../ml/inference/predict.js';
import { selectBackend } from '../ml/backend.js';

export class ClassifierCache {
  private current: { runId: number; path: string; classifier: Promise<Classifier> } | null = null;

  /** The run to use: the one asked for, or the newest run that left a model. */
  static resolveRun(catalog: Catalog, runId?: number): RunRecord {
    if (runId !== undefined) {
      const run = catalog.runs.require(runId);
      if (!run.weightsPath) throw new AppError('NOT_FOUND', `Run ${run.name} has no saved model`);
      return run;
    }
    const run = catalog.runs
      .list()
      .filter((candidate) => candidate.weightsPath)
      .sort((a, b) => b.id - a.id)[0];
    if (!run) throw new AppError('NOT_FOUND', 'No trained model yet: train one in the Train view first');
    return run;
  }

  async get(run: RunRecord): Promise<Classifier> {
    if (!run.weightsPath || !hasExportedModel(run.weightsPath))
      throw new AppError('NOT_FOUND', `The model of run ${run.name} is missing on disk`);
    if (this.current?.runId === run.id && this.current.path === run.weightsPath) return this.current.classifier;
    this.dispose();
    const weights = run.weightsPath;
    // tfjs needs its backend chosen (once per process) before a model loads.
    const classifier = selectBackend().then(() => loadClassifier(weights));
    this.current = { runId: run.id, path: run.weightsPath, classifier };
    classifier.catch(() => {
      if (this.current?.classifier === classifier) this.current = null;
    });
    return classifier;
  }

  dispose(): void {
    const previous = this.current;
    this.current = null;
    previous?.classifier.then(
      (classifier) => classifier.dispose(),
      () => undefined,
    );
  }
}
