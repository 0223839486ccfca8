/**
 * App-wide state: who we are, which project is open, which ML backend runs, and
 * whether the connection to the main process is up.
 */
import type {
  ApiErrorPayload,
  AppInfo,
  BackendInfo,
  ProjectSummary,
  SeshatApi,
} from '../../../src-shared/api/contract';
import { errorPayload, type ConnectionState } from '../api/api-client';

export class AppState {
  info = $state<AppInfo | null>(null);
  backend = $state<BackendInfo | null>(null);
  project = $state<ProjectSummary | null>(null);
  recentProjects = $state<string[]>([]);
  connection = $state<ConnectionState>('connecting');
  error = $state<ApiErrorPayload | null>(null);
  /** Set when the transport cannot show a native folder picker (web mode). */
  folderPickerUnsupported = $state(false);

  constructor(private readonly api: SeshatApi) {}

  async load(): Promise<void> {
    try {
      const info = await this.api.getAppInfo({});
      this.info = info;
      this.project = info.project;
      this.backend = info.backend ?? (await this.api.getBackend({}));
      this.recentProjects = await this.api.listRecentProjects({});
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  async openProject(dir: string, create: boolean): Promise<boolean> {
    try {
      this.project = await this.api.openProject({ dir, create });
      this.recentProjects = await this.api.listRecentProjects({});
      this.error = null;
      return true;
    } catch (error) {
      this.error = errorPayload(error);
      return false;
    }
  }

  /** Native picker where there is one; otherwise remembers that the UI must ask for a path. */
  async pickFolder(title: string): Promise<string | null> {
    try {
      return await this.api.pickFolder({ title });
    } catch (error) {
      const payload = errorPayload(error);
      if (payload.code === 'UNSUPPORTED') this.folderPickerUnsupported = true;
      else this.error = payload;
      return null;
    }
  }

  clearError(): void {
    this.error = null;
  }
}
