/**
 * Small per-user settings (last project, recent projects, forced backend), kept as
 * JSON in the user-data folder. Writes go to a temp file and are renamed into place
 * so a crash never leaves half a file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const settingsSchema = z.object({
  lastProject: z.string().nullable().default(null),
  recentProjects: z.array(z.string()).default([]),
  backend: z.enum(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']).nullable().default(null),
});

export type Settings = z.output<typeof settingsSchema>;

const MAX_RECENT = 10;

export class SettingsStore {
  readonly file: string;
  private value: Settings;

  constructor(userDataDir: string) {
    this.file = join(userDataDir, 'settings.json');
    this.value = SettingsStore.read(this.file);
  }

  private static read(file: string): Settings {
    try {
      return settingsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      // Missing or unreadable settings are not worth failing start-up for.
      return settingsSchema.parse({});
    }
  }

  get(): Settings {
    return structuredClone(this.value);
  }

  update(change: Partial<Settings>): Settings {
    this.value = settingsSchema.parse({ ...this.value, ...change });
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(this.value, null, 2));
    renameSync(temp, this.file);
    return this.get();
  }

  rememberProject(dir: string): Settings {
    const recent = [dir, ...this.value.recentProjects.filter((entry) => entry !== dir)].slice(0, MAX_RECENT);
    return this.update({ lastProject: dir, recentProjects: recent });
  }
}
