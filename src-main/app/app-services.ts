/**
 * The service graph one running Seshat needs, built the same way for Electron, the
 * web server and the CLI. Knows nothing of Electron: platform abilities (a native
 * folder picker) arrive as hooks.
 */
import { AppError } from '../../src-shared/errors.js';
import type { ApiEvent } from '../../src-shared/api/contract.js';
import type { BackendInfo, BackendName, ProjectSummary } from '../../src-shared/api/types.js';
import { currentBackend, selectBackend } from '../ml/backend.js';
import { summarize, type ProjectPaths } from '../projects/project.js';
import type { Catalog } from '../catalog/catalog.js';
import type { EmbeddingCache } from '../ml/inference/embedding-cache.js';
import type { ClassifierCache } from '../runs/classifier-cache.js';
import { readImageBytes, type ImageBytes, type ImageRequest } from './image-bytes.js';
import { ProjectSession } from './project-session.js';
import { SettingsStore } from '../projects/settings.js';
import { TaskRunner } from '../tasks/task-runner.js';
import { TrainingRuns } from '../runs/training-runs.js';
import { defaultProjectDir } from './paths.js';

export interface PlatformHooks {
  transport: 'electron' | 'web' | 'cli';
  electronVersion: string | null;
  /** Present only where a native dialog exists. */
  pickFolder?: (title: string | undefined) => Promise<string | null>;
}

export interface AppServicesOptions {
  userDataDir: string;
  /** Open this project instead of the last one. */
  projectDir?: string | undefined;
  platform: PlatformHooks;
  /** Force a backend instead of the automatic order. */
  backend?: BackendName | undefined;
  /** Remember the opened project as the last one (the GUI and web mode do; one-off CLI commands don't). */
  remember?: boolean;
}

export class AppServices {
  readonly tasks = new TaskRunner();
  /** Runs being trained, started and resumed: one set for every window and caller. */
  readonly training: TrainingRuns = new TrainingRuns({
    tasks: this.tasks,
    catalog: () => this.catalog,
    project: () => this.project,
    embeddingCache: () => this.embeddingCache(),
    emit: (event) => this.emit(event),
  });
  readonly settings: SettingsStore;
  readonly platform: PlatformHooks;
  private session: ProjectSession;
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  private readonly forcedBackend: BackendName | undefined;

  private constructor(options: AppServicesOptions, session: ProjectSession, settings: SettingsStore) {
    this.platform = options.platform;
    this.settings = settings;
    this.session = session;
    this.forcedBackend = options.backend ?? settings.get().backend ?? undefined;
    this.tasks.subscribe((event) => this.emit({ type: 'task', event }));
  }

  static open(options: AppServicesOptions): AppServices {
    const settings = new SettingsStore(options.userDataDir);
    const requested = options.projectDir ?? settings.get().lastProject ?? defaultProjectDir(options.userDataDir);
    let session: ProjectSession;
    try {
      session = ProjectSession.open(requested, { create: true });
    } catch (error) {
      // An explicitly requested project must open; a remembered one that vanished
      // falls back to the default project rather than blocking start-up.
      if (options.projectDir) throw error;
      session = ProjectSession.open(defaultProjectDir(options.userDataDir), { create: true });
    }
    if (options.remember ?? true) settings.rememberProject(session.paths.dir);
    return new AppServices(options, session, settings);
  }

  get project(): ProjectPaths {
    return this.session.paths;
  }

  /** What the background page check found wrong with this project's catalog, or null. */
  get catalogProblem(): string | null {
    return this.session.damage;
  }

  get catalog(): Catalog {
    return this.session.catalog;
  }

  projectSummary(): ProjectSummary {
    return summarize(this.session.paths, this.session.catalog.meta.projectId());
  }

  openProject(dir: string, create: boolean): ProjectSummary {
    const running = this.tasks.list().filter((task) => task.state === 'running');
    if (running.length > 0) {
      throw new AppError('CONFLICT', `Finish or cancel ${running.length} running task(s) before switching projects`);
    }
    const next = ProjectSession.open(dir, { create });
    this.session.close();
    this.session = next;
    this.tasks.forgetFinished();
    this.settings.rememberProject(next.paths.dir);
    const summary = this.projectSummary();
    this.emit({ type: 'project', project: summary });
    return summary;
  }

  /** Starts the backend probe in the background and announces the result. */
  probeBackend(): Promise<BackendInfo> {
    const probe = selectBackend(this.forcedBackend);
    probe.then(
      (backend) => this.emit({ type: 'backend', backend }),
      () => undefined,
    );
    return probe;
  }

  backend(): Promise<BackendInfo | null> {
    return currentBackend();
  }

  /** Resolves when the open project's background housekeeping (stale temp files) is done. */
  maintenance(): Promise<unknown> {
    return this.session.maintenance;
  }

  /** The loaded model Predict and Evaluate share. */
  get classifiers(): ClassifierCache {
    return this.session.classifiers;
  }

  /** Where MobileNet embeddings are kept between runs (per project, by image hash). */
  embeddingCache(): EmbeddingCache {
    return this.session.embeddings;
  }

  /** Image bytes by project, catalog id and content: the renderer never names a path. */
  readImage(request: ImageRequest): Promise<ImageBytes> {
    return readImageBytes(this.session.catalog, this.session.paths.thumbnailsDir, request);
  }

  onEvent(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ApiEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken subscriber must not starve the rest.
      }
    }
  }

  close(): void {
    this.tasks.cancelAll();
    this.listeners.clear();
    this.session.close();
  }

  /**
   * An orderly stop (Ctrl+C or SIGTERM of web mode): this process's training runs are
   * marked interrupted first, so they stay resumable whatever happens next; then every
   * task is cancelled and given `graceMs` to finish its writes before the catalog closes.
   */
  async shutdown(graceMs = 8000): Promise<void> {
    this.session.interruptOwnRuns();
    this.tasks.cancelAll();
    await this.tasks.settle(graceMs);
    this.close();
  }
}
