/**
 * What the runs comparison shows, as pure functions: the settings that differ between
 * the runs, which run is best in a row, and the per-class F1 rows with their spread.
 */
import type { ComparedRun, RunComparison } from '../../../src-shared/api/wire-compare.js';
import { formatValue } from './sweep-view.js';

/** Names people know for the settings; others show as their dotted path (augment.noise). */
const SETTING_LABELS: Record<string, string> = {
  epochs: 'Epochs asked',
  batchSize: 'Batch size',
  learningRate: 'Learning rate',
  learningRateSchedule: 'Learning-rate schedule',
  optimizer: 'Optimizer',
  momentum: 'Momentum',
  labelSmoothing: 'Label smoothing',
  classWeights: 'Class weights',
  logitAdjustment: 'Logit adjustment',
  earlyStopping: 'Early stopping',
  'earlyStopping.patience': 'Early-stopping patience',
  augment: 'Augmentation',
  ensemble: 'MobileNet companion',
  seed: 'Seed',
  colorMode: 'Colour',
  fineTune: 'Fine-tune',
  includeValidation: 'Trained on validation too',
  'architecture.dropout': 'Dropout',
  'architecture.denseUnits': 'Dense units',
  'architecture.convBlocks': 'Conv blocks',
  'architecture.convFilters': 'Conv filters',
};

/**
 * A run's settings as dotted paths to shown values: nested options (architecture,
 * augment, input) are opened up, so only the part that differs shows (architecture.dropout).
 */
function flatten(value: unknown, path: string, into: Map<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    // An empty object is the preset's own (architecture {}): the same as leaving it out.
    for (const [key, inner] of entries) flatten(inner, path ? `${path}.${key}` : key, into);
    return;
  }
  if (value === undefined) return;
  const shown =
    value === null
      ? 'off'
      : typeof value === 'boolean'
        ? value
          ? 'on'
          : 'off'
        : typeof value === 'number' || typeof value === 'string'
          ? formatValue(value)
          : JSON.stringify(value);
  into.set(path, shown);
}

export interface SettingRow {
  key: string;
  label: string;
  /** One per run, in the comparison's order; "default" where the run left the setting to its preset. */
  values: string[];
}

/**
 * A setting's value in one run: its own, "on" where the run set parts of it (earlyStopping
 * with a patience), "off" where the run turned its parent off (earlyStopping null: no
 * patience), else "default" (left to the preset).
 */
function shownValue(map: Map<string, string>, key: string): string {
  const own = map.get(key);
  if (own !== undefined) return own;
  if ([...map.keys()].some((k) => k.startsWith(`${key}.`))) return 'on';
  const parts = key.split('.');
  for (let n = parts.length - 1; n > 0; n--) {
    const parent = map.get(parts.slice(0, n).join('.'));
    if (parent !== undefined) return parent;
  }
  return 'default';
}

/** The settings that are not the same in every run (the preset has its own row). */
export function differingSettings(runs: Pick<ComparedRun, 'settings'>[]): SettingRow[] {
  const flat = runs.map((run) => {
    const map = new Map<string, string>();
    flatten(run.settings ?? {}, '', map);
    map.delete('preset');
    return map;
  });
  const keys = [...new Set(flat.flatMap((map) => [...map.keys()]))].sort();
  return keys
    .map((key) => ({
      key,
      label: SETTING_LABELS[key] ?? key,
      values: flat.map((map) => shownValue(map, key)),
    }))
    .filter((row) => new Set(row.values).size > 1);
}

/** The index of the best figure in a row (highest, or lowest for a loss); null if fewer than two runs have one or all tie. */
export function bestIndex(values: Array<number | null>, higherIsBetter = true): number | null {
  const present = values.filter((v): v is number => v !== null);
  if (present.length < 2) return null;
  const best = higherIsBetter ? Math.max(...present) : Math.min(...present);
  if (present.every((v) => v === best)) return null;
  return values.indexOf(best);
}

export interface ClassRow {
  label: string;
  f1: Array<number | null>;
  /** Highest F1 less lowest, over the runs that had the class (null with fewer than two). */
  spread: number | null;
  best: number | null;
}

export type ClassOrder = 'class' | 'spread';

/** Per-class F1 rows, by class name or by how much the runs disagree (most first; classes one run lacks last). */
export function classRows(perClassF1: RunComparison['perClassF1'], order: ClassOrder): ClassRow[] {
  const rows = perClassF1.map(({ label, f1 }) => {
    const present = f1.filter((v): v is number => v !== null);
    return {
      label,
      f1,
      spread: present.length < 2 ? null : Math.max(...present) - Math.min(...present),
      best: bestIndex(f1),
    };
  });
  const byName = (a: ClassRow, b: ClassRow) => a.label.localeCompare(b.label, undefined, { numeric: true });
  if (order === 'class') return rows.sort(byName);
  return rows.sort((a, b) => (b.spread ?? -1) - (a.spread ?? -1) || byName(a, b));
}

export const percent = (value: number | null | undefined): string =>
  value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)}%`;

export const decimal = (value: number | null | undefined, digits = 3): string =>
  value === null || value === undefined ? '—' : value.toFixed(digits);
