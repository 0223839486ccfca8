import { AppError } from '../../../src-shared/errors.js';
import type { AppServices } from '../../app/app-services.js';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';

export function projectHandlers(
  services: AppServices,
): Pick<ApiHandlers, 'getProject' | 'listRecentProjects' | 'openProject' | 'pickFolder'> {
  return {
    getProject: () => services.projectSummary(),
    listRecentProjects: () => services.settings.get().recentProjects,
    openProject: ({ dir, create }) => services.openProject(dir, create),
    pickFolder: async ({ title }) => {
      const pick = services.platform.pickFolder;
      if (!pick)
        throw new AppError('UNSUPPORTED', 'This window cannot show a folder picker; type the folder path instead');
      return pick(title);
    },
  };
}
