import type { AppServices } from '../../app/app-services.js';
import { runDemoTask } from '../../tasks/demo-task.js';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';

export function taskHandlers(services: AppServices): Pick<ApiHandlers, 'listTasks' | 'cancelTask' | 'startDemoTask'> {
  return {
    listTasks: () => services.tasks.list(),
    cancelTask: ({ taskId }) => ({ cancelled: services.tasks.cancel(taskId) }),
    startDemoTask: (options) => ({
      taskId: services.tasks.start('demo', `Demo task (${options.steps} steps)`, (job) => runDemoTask(options, job)),
    }),
  };
}
