import { z } from 'zod';
import type { AppInfo, BackendInfo, ProjectSummary, TaskInfo } from '../types.js';
import { method } from './define.js';

const empty = z.object({}).strict();
const taskId = z.string().min(1).max(64);
const folderPath = z.string().min(1, 'a folder path is required').max(4096);

export const appMethods = {
  getAppInfo: method<AppInfo>()(empty),
  getBackend: method<BackendInfo | null>()(empty),

  getProject: method<ProjectSummary>()(empty),
  listRecentProjects: method<string[]>()(empty),
  openProject: method<ProjectSummary>()(z.object({ dir: folderPath, create: z.boolean().default(false) }).strict()),
  /** Native folder picker; web mode answers UNSUPPORTED and the UI asks for a typed path. */
  pickFolder: method<string | null>()(z.object({ title: z.string().max(200).optional() }).strict()),

  listTasks: method<TaskInfo[]>()(empty),
  cancelTask: method<{ cancelled: boolean }>()(z.object({ taskId }).strict()),
  startDemoTask: method<{ taskId: string }>()(
    z
      .object({
        steps: z.number().int().min(1).max(100_000).default(50),
        stepMs: z.number().int().min(0).max(10_000).default(100),
        failAt: z.number().int().min(1).optional(),
      })
      .strict(),
  ),
} as const;
