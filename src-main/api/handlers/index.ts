/**
 * All API handlers, one file per area. The object is typed as `ApiHandlers`, so a
 * method missing here, or one with the wrong shape, fails the type check.
 */
import type { AppServices } from '../../app/app-services.js';
import type { ApiHandlers } from '../contract.js';
import { appHandlers } from './app-handlers.js';
import { projectHandlers } from './project-handlers.js';
import { taskHandlers } from './task-handlers.js';

export function createHandlers(services: AppServices): ApiHandlers {
  return {
    ...appHandlers(services),
    ...projectHandlers(services),
    ...taskHandlers(services),
  };
}
