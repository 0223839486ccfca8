/**
 * The dispatcher every caller of a running app uses (Electron IPC, web mode, the CLI):
 * the handlers over these services, damage errors naming this catalog, and the changes
 * each call declares in the contract announced through the services' events.
 */
import type { AppServices } from '../app/app-services.js';
import { createDispatcher, type ApiDispatcher } from './dispatcher.js';
import { createHandlers } from './handlers/index.js';

export function createAppDispatcher(
  services: AppServices,
  options: { onInternalError?: (method: string, error: unknown) => void } = {},
): ApiDispatcher {
  return createDispatcher(createHandlers(services), {
    ...options,
    catalogFile: () => services.catalog.file,
    catalogProblem: () => services.catalogProblem,
    emit: (event) => services.emit(event),
    whenTaskEnds: (taskId) => services.tasks.waitFor(taskId),
  });
}
