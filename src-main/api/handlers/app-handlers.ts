import type { AppServices } from '../../app/app-services.js';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import { APP_NAME, APP_VERSION } from '../../app/version.js';

export function appHandlers(services: AppServices): Pick<ApiHandlers, 'getAppInfo' | 'getBackend'> {
  return {
    getAppInfo: async () => ({
      name: APP_NAME,
      version: APP_VERSION,
      transport: services.platform.transport,
      platform: `${process.platform}-${process.arch}`,
      nodeVersion: process.versions.node,
      electronVersion: services.platform.electronVersion,
      project: services.projectSummary(),
      backend: await services.backend(),
    }),
    getBackend: () => services.backend(),
  };
}
