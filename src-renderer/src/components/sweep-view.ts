/**
 * What the sweep table and chart show, as pure functions: which parameters varied, the
 * trials in a chosen order, what halving saved, and where a parameter's value sits on an axis.
 */
import {
  SWEEP_PARAMETERS,
  type SweepDetails,
  type SweepParameter,
  type SweepSummary,
  type SweepTrial,
  type SweepValue,
} from '../../../src-shared/api/wire-sweeps.js';

/** The parameters the sweep varied, in the form's order. */
export function variedParameters(details: Pick<SweepDetails, 'spec'>): SweepParameter[] {
  const { grid, ranges } = details.spec.space;
  return SWEEP_PARAMETERS.filter((name) => grid[name] !== undefined || ranges?.[name] !== undefined);
}

export type TrialColumn =
  'trial' | 'status' | 'epochs' | 'bestValAccuracy' | 'bestValLoss' | 'seconds' | SweepParameter;

function cell(trial: SweepTrial, column: TrialColumn): SweepValue | null {
  if (column === 'trial' || column === 'status' || column === 'epochs' || column === 'seconds') return trial[column];
  if (column === 'bestValAccuracy' || column === 'bestValLoss') return trial[column];
  return trial.params[column] ?? null;
}

/** Trials ordered by a column; trials without a figure (not trained yet) come last either way. */
export function sortTrials(trials: SweepTrial[], column: TrialColumn, descending: boolean): SweepTrial[] {
  return trials.slice().sort((a, b) => {
    const x = cell(a, column);
    const y = cell(b, column);
    if (x === null || y === null) return x === y ? a.trial - b.trial : x === null ? 1 : -1;
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return (descending ? -order : order) || a.trial - b.trial;
  });
}

/** A parameter's value as people write it: 0.001, 1e-4, 32, adam. */
export function formatValue(value: SweepValue | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'number') return String(value);
  const short = Number(value.toPrecision(3));
  return short !== 0 && Math.abs(short) < 0.001 ? short.toExponential() : String(short);
}

/** "trained 14 of 36 epochs, 61 % saved": what successive halving spared. */
export function savedLine(summary: Pick<SweepSummary, 'epochsTrained' | 'epochsFull' | 'halving' | 'status'>): string {
  const { epochsTrained: trained, epochsFull: full } = summary;
  const line = `trained ${trained} of ${full} epochs`;
  // While it runs, untrained epochs are not savings yet.
  if (!summary.halving || summary.status === 'running' || full === 0) return line;
  return `${line}, ${Math.round((1 - trained / full) * 100)} % saved`;
}

export interface Axis {
  kind: 'linear' | 'log' | 'category';
  /** Where a value sits, 0 (left) to 1 (right); null for a value the axis does not hold. */
  position(value: SweepValue): number | null;
  ticks: SweepValue[];
}

/** Values more than this factor apart are drawn on a log scale (learning rates, widths). */
const LOG_SPAN = 20;
/** Room left at both ends so dots are not cut by the frame. */
const PAD = 0.08;

const within = (u: number) => PAD + u * (1 - 2 * PAD);

/** An axis for a parameter's values: numbers on a linear or log scale, anything else as categories. */
export function axisFor(values: SweepValue[]): Axis {
  const distinct = [...new Set(values)];
  const numbers = distinct.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  if (numbers.length === 0 || numbers.length < distinct.length) {
    const categories = distinct.map(String).sort();
    return {
      kind: 'category',
      ticks: categories,
      position: (v) => {
        const index = categories.indexOf(String(v));
        return index < 0 ? null : categories.length === 1 ? 0.5 : within(index / (categories.length - 1));
      },
    };
  }
  const min = numbers[0]!;
  const max = numbers.at(-1)!;
  const log = min > 0 && max / min > LOG_SPAN;
  const t = (v: number) => (log ? Math.log(v) : v);
  const ticks =
    numbers.length <= 5
      ? numbers
      : [min, log ? Math.sqrt(min * max) : (min + max) / 2, max].map((v) => Number(v.toPrecision(2)));
  return {
    kind: log ? 'log' : 'linear',
    ticks,
    position: (v) => (typeof v !== 'number' ? null : max === min ? 0.5 : within((t(v) - t(min)) / (t(max) - t(min)))),
  };
}

/** Sets side by side the dots that would sit on one another (equal trials show as two dots). */
export function dodge<T extends { cx: number; cy: number }>(dots: T[], spacing: number): T[] {
  const groups = new Map<string, T[]>();
  for (const dot of dots) {
    const key = `${Math.round(dot.cx / spacing)}:${Math.round(dot.cy / spacing)}`;
    groups.set(key, [...(groups.get(key) ?? []), dot]);
  }
  for (const group of groups.values()) group.forEach((dot, i) => (dot.cx += (i - (group.length - 1) / 2) * spacing));
  return dots;
}

/** The accuracy axis: the trials' spread with a margin, in tenths, within 0–1. */
export function accuracyDomain(values: number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  const low = Math.max(0, Math.floor((Math.min(...values) - 0.02) * 10) / 10);
  const high = Math.min(1, Math.ceil((Math.max(...values) + 0.02) * 10) / 10);
  return high > low ? [low, high] : [0, 1];
}

/** About `count` round tick values from `low` to `high` (steps of 1, 2 or 5 × a power of ten). */
export function niceTicks(low: number, high: number, count = 4): number[] {
  if (!(high > low)) return [low];
  const raw = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  // The round step nearest the asked one from below a little: 0–1 in fifths, not halves.
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw * 0.75) ?? 10) * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(low / step - 1e-9) * step; v <= high + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/**
 * The loss axis' top: the largest loss, unless a diverging trial's few huge losses would
 * flatten every other line (then three times the median, rounded up; those points run off
 * the top), as TensorBoard ignores outliers when it scales a chart.
 */
export function lossTop(values: number[]): number {
  const finite = values.filter((v) => Number.isFinite(v) && v >= 0).sort((a, b) => a - b);
  if (finite.length === 0) return 1;
  const max = finite.at(-1)!;
  const median = finite[Math.floor(finite.length / 2)]!;
  const top = median > 0 ? Math.min(max, 3 * median) : max;
  const ticks = niceTicks(0, top || 1);
  const step = ticks[1] !== undefined ? ticks[1] - ticks[0]! : top || 1;
  return Math.ceil((top || 1) / step - 1e-9) * step;
}

/** An SVG path through the points, broken where a value is missing (an epoch with no validation figure). */
export function linePath(points: Array<{ x: number; y: number | null }>): string {
  let path = '';
  let pen = false;
  for (const { x, y } of points) {
    if (y === null) pen = false;
    else {
      path += `${pen ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)}`;
      pen = true;
    }
  }
  return path;
}

/** Whole-epoch ticks from 1 to `last`, at most about `count` of them. */
export function epochTicks(last: number, count = 8): number[] {
  const step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000].find((s) => last / s <= count) ?? Math.ceil(last / count);
  const ticks = [1];
  for (let e = step; e <= last; e += step) if (e > 1) ticks.push(e);
  if (ticks.at(-1) !== last && last - ticks.at(-1)! >= step / 2) ticks.push(last);
  return ticks;
}
