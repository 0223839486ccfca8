/** Where a run keeps its files inside the project's models folder (checkpoint, model, dataset record). */
import { join } from 'node:path';

export function runDirOf(modelsDir: string, runId: number): string {
  return join(modelsDir, `run-${runId}`);
}
