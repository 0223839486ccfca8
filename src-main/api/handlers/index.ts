/**
 * All API handlers, one file per area. The object is typed as `ApiHandlers`, so a
 * method missing here, or one with the wrong shape, fails the type check.
 */
import type { AppServices } from '../../app/app-services.js';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import { appHandlers } from './app-handlers.js';
import { datasetHandlers } from './dataset-handlers.js';
import { importHandlers } from './import-handlers.js';
import { predictHandlers } from './predict-handlers.js';
import { trainingHandlers } from './training-handlers.js';
import { libraryHandlers } from './library-handlers.js';
import { projectHandlers } from './project-handlers.js';
import { taskHandlers } from './task-handlers.js';
import { wallHandlers } from './wall-handlers.js';

export function createHandlers(services: AppServices): ApiHandlers {
  return {
    ...appHandlers(services),
    ...projectHandlers(services),
    ...taskHandlers(services),
    ...libraryHandlers(services),
    ...importHandlers(services),
    ...datasetHandlers(services),
    ...trainingHandlers(services),
    ...predictHandlers(services),
    ...wallHandlers(services),
  };
}
