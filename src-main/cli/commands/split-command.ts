import { AppError } from '../../../src-shared/errors.js';
import type { GroupKeyMode } from '../../../src-shared/api/wire-dataset.js';
import type { CliCommand } from '../cli-io.js';
import { printJson } from '../cli-io.js';
import { openCliSession } from '../cli-session.js';

export function parseRatios(
  value: string | undefined,
): { train: number; validation: number; test: number } | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((part) => Number(part.trim()));
  if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n) || n < 0)) {
    throw new AppError('INVALID_INPUT', `--ratios must be three numbers like 70,15,15, not "${value}"`);
  }
  return { train: parts[0]!, validation: parts[1]!, test: parts[2]! };
}

/** `folder`, or a regex whose first group is the group key (applied to the file name). */
export function parseGroup(value: string | undefined): GroupKeyMode | null {
  if (value === undefined || value === 'none') return null;
  if (value === 'folder') return { kind: 'folder' };
  try {
    new RegExp(value);
  } catch (error) {
    throw new AppError('INVALID_INPUT', `--group is not a valid regular expression: ${(error as Error).message}`);
  }
  return { kind: 'regex', pattern: value, on: 'name' };
}

export const splitCommand: CliCommand = {
  name: 'split',
  summary: 'Split labelled images into train / validation / test (stratified, optionally keeping groups whole)',
  usage: 'seshat split --project DIR [--ratios 70,15,15] [--seed N] [--group folder|REGEX] [--json]',
  options: { ratios: { type: 'string' }, seed: { type: 'string' }, group: { type: 'string' } },
  async run(parsed, io) {
    const ratios = parseRatios(parsed.values.ratios as string | undefined);
    const seedText = parsed.values.seed as string | undefined;
    const seed = seedText === undefined ? undefined : /^-?\d+$/.test(seedText) ? Number(seedText) : seedText;
    const group = parseGroup(parsed.values.group as string | undefined);
    // The Splits view's own calls: the same rule stored, the same test lock honoured.
    const session = openCliSession(parsed, io);
    try {
      const plan = await session.call('applySplit', {
        ...(ratios ? { ratios } : {}),
        ...(seed === undefined ? {} : { seed }),
        ...(group === undefined ? {} : { group }),
      });
      const overview = await session.call('getSplitOverview', {});
      const report = {
        totals: plan.totals,
        ratios: plan.ratios,
        grouped: plan.grouped,
        groups: plan.groups,
        moved: plan.moved,
        deviation: {
          overallMaxAbs: plan.deviation.overallMaxAbs,
          perClassMaxAbsImages: plan.deviation.perClassMaxAbsImages,
        },
        noCoverage: plan.noCoverage,
        warnings: overview.warnings,
      };
      if (parsed.json) printJson(io, report);
      else {
        io.out(
          `train ${plan.totals.train} · validation ${plan.totals.validation} · test ${plan.totals.test} (${plan.moved} images moved)`,
        );
        if (plan.grouped) io.out(`Groups: ${plan.groups.map((g) => `${g.name}→${g.split}`).join(', ')}`);
        io.out(
          `Largest deviation from the requested ratios: ${(plan.deviation.overallMaxAbs * 100).toFixed(1)} points overall`,
        );
        if (plan.noCoverage.length)
          io.out(
            `${plan.noCoverage.length} classes have no image in some split (too few images, or groups did not allow it)`,
          );
        for (const warning of overview.warnings) io.out(`warning: ${warning.message}`);
      }
      return 0;
    } finally {
      session.close();
    }
  },
};
