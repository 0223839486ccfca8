/**
 * A hyper-parameter sweep's plan: which trials to run (a grid, or random draws from
 * ranges) and, with successive halving, after how many epochs the trials are compared
 * and the worse ones stopped. Pure functions: the runner (sweep-runner.ts) trains.
 *
 * Successive halving (Jamieson & Talwalkar 2016; Li et al.'s Hyperband): every trial
 * trains to the first rung, the best 1/η by validation loss go on to the next rung
 * (η times as many epochs), and so on; only the best few train to the end. With η 3
 * and three rungs a grid costs about a quarter of training every trial to the end.
 */
import { AppError } from '../../src-shared/errors.js';
import { Rng } from '../ml/data/rng.js';
import {
  SWEEP_PARAMETERS,
  type SweepParameter,
  type SweepRange,
  type SweepSpace,
  type SweepValue,
} from '../../src-shared/api/wire-sweeps.js';

export type TrialParams = Partial<Record<SweepParameter, SweepValue>>;

const isParameter = (name: string): name is SweepParameter => (SWEEP_PARAMETERS as readonly string[]).includes(name);

/** The short names people type (Keras habits): lr, dense, batch … */
const ALIASES: Record<string, SweepParameter> = {
  lr: 'learningRate',
  batch: 'batchSize',
  dense: 'denseUnits',
  conv: 'convBlocks',
  filters: 'convFilters',
  smoothing: 'labelSmoothing',
  input: 'inputScale',
  augment: 'augmentStrength',
};

function parameterOf(typed: string, where: string): SweepParameter {
  const name = ALIASES[typed] ?? typed;
  if (!isParameter(name))
    throw new AppError(
      'INVALID_INPUT',
      `${where}: "${name}" is not a sweep parameter (${SWEEP_PARAMETERS.join(', ')})`,
    );
  return name;
}

function valueOf(text: string, where: string): SweepValue {
  const trimmed = text.trim();
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  const number = Number(trimmed);
  if (trimmed !== '' && Number.isFinite(number)) return number;
  if (/^[a-z][a-z0-9-]*$/i.test(trimmed)) return trimmed;
  throw new AppError('INVALID_INPUT', `${where}: "${text}" is not a value`);
}

/** Parses `"dropout=0,0.25,0.5;dense=128,256"` (the CLI's --grid). */
export function parseGrid(text: string): SweepSpace['grid'] {
  const grid: SweepSpace['grid'] = {};
  for (const part of text.split(';').filter((p) => p.trim())) {
    const [name, values] = part.split('=');
    const where = `--grid "${part.trim()}"`;
    if (!name || values === undefined) throw new AppError('INVALID_INPUT', `${where}: write name=value,value`);
    const parameter = parameterOf(name.trim(), where);
    const list = values.split(',').map((value) => valueOf(value, where));
    if (list.length === 0) throw new AppError('INVALID_INPUT', `${where}: no values`);
    grid[parameter] = list;
  }
  return grid;
}

/** Parses `"lr=1e-4:1e-2:log;dropout=0:0.5"` (the CLI's --range). */
export function parseRanges(text: string): SweepSpace['ranges'] {
  const ranges: SweepSpace['ranges'] = {};
  for (const part of text.split(';').filter((p) => p.trim())) {
    const where = `--range "${part.trim()}"`;
    const [name, spec] = part.split('=');
    const [min, max, scale] = (spec ?? '').split(':');
    const low = Number(min);
    const high = Number(max);
    if (!name || !Number.isFinite(low) || !Number.isFinite(high) || !(high > low))
      throw new AppError('INVALID_INPUT', `${where}: write name=min:max or name=min:max:log, with max > min`);
    if (scale !== undefined && scale !== 'log' && scale !== 'linear')
      throw new AppError('INVALID_INPUT', `${where}: the scale is log or linear, not "${scale}"`);
    if (scale === 'log' && low <= 0) throw new AppError('INVALID_INPUT', `${where}: a log range needs min > 0`);
    ranges[parameterOf(name.trim(), where)] = { min: low, max: high, scale: scale ?? 'linear' };
  }
  return ranges;
}

/** Every combination of the grid's values, in a stable order (the last parameter varies fastest). */
function gridTrials(grid: SweepSpace['grid']): TrialParams[] {
  let trials: TrialParams[] = [{}];
  for (const [name, values] of Object.entries(grid) as [SweepParameter, SweepValue[]][])
    trials = trials.flatMap((trial) => values.map((value) => ({ ...trial, [name]: value })));
  return trials;
}

function draw(range: SweepRange, u: number): number {
  return range.scale === 'log'
    ? Math.exp(Math.log(range.min) + u * (Math.log(range.max) - Math.log(range.min)))
    : range.min + u * (range.max - range.min);
}

/** Parameters whose values are whole numbers. */
const WHOLE: ReadonlySet<SweepParameter> = new Set(['batchSize', 'epochs', 'denseUnits', 'convBlocks', 'convFilters']);

/**
 * The trials of a sweep: the grid's combinations, or with `random` that many draws,
 * each taking a random grid value and a random point of each range (seeded).
 */
export function planTrials(space: SweepSpace): TrialParams[] {
  const ranges = Object.entries(space.ranges ?? {}) as [SweepParameter, SweepRange][];
  if (!space.random) {
    if (ranges.length > 0) throw new AppError('INVALID_INPUT', 'Ranges need random search: give a number of trials');
    const trials = gridTrials(space.grid);
    if (trials.length < 2)
      throw new AppError('INVALID_INPUT', 'A sweep needs at least two trials: give values to vary');
    return trials;
  }
  const rng = new Rng(space.seed ?? 1);
  const grid = Object.entries(space.grid) as [SweepParameter, SweepValue[]][];
  return Array.from({ length: space.random }, () => {
    const trial: TrialParams = {};
    for (const [name, values] of grid) trial[name] = values[rng.int(values.length)]!;
    for (const [name, range] of ranges) {
      const value = draw(range, rng.next());
      trial[name] = WHOLE.has(name) ? Math.round(value) : Number(value.toPrecision(3));
    }
    return trial;
  });
}

/**
 * The epochs at which trials are compared: `epochs`/η^k for k = rungs−1 … 1, then
 * `epochs` itself; rungs under one epoch, or not above the one before, are dropped.
 */
export function halvingRungs(epochs: number, eta = 3, rungs = 3): number[] {
  const out: number[] = [];
  for (let k = rungs - 1; k >= 1; k--) {
    const at = Math.round(epochs / eta ** k);
    if (at >= 1 && at > (out.at(-1) ?? 0) && at < epochs) out.push(at);
  }
  out.push(epochs);
  return out;
}

/**
 * Of the trials that reached a rung, those that go on: the best ⌈n/η⌉ by their best
 * validation loss so far (lower is better; a trial without one ranks last), ties kept
 * in trial order.
 */
export function promote(results: ReadonlyArray<{ trial: number; bestValLoss: number | null }>, eta = 3): number[] {
  const keep = Math.max(1, Math.ceil(results.length / eta));
  return [...results]
    .sort((a, b) => (a.bestValLoss ?? Infinity) - (b.bestValLoss ?? Infinity) || a.trial - b.trial)
    .slice(0, keep)
    .map((result) => result.trial)
    .sort((a, b) => a - b);
}
