/**
 * previewImport: what an import would find — classes with counts, splits, files,
 * names the label source does not match — without decoding or writing anything,
 * so the import dialog can show it while the user adjusts the label source.
 */
import path from 'node:path';

import type { JobContext } from '../../src-shared/progress.js';
import type { ImportIo } from './io.js';
import { createLabelResolver, usableGuess, type LabelSource } from './label-sources.js';
import { scanFolder } from './scan.js';
import type { ImportPreview } from '../../src-shared/api/wire-import.js';
export type { ImportPreview } from '../../src-shared/api/wire-import.js';

const SAMPLE_SIZE = 20;

export async function previewImport(
  roots: string[],
  labelSource: LabelSource,
  job: Pick<JobContext, 'signal'> & Partial<Pick<JobContext, 'onProgress'>> & { io?: ImportIo } = {
    signal: new AbortController().signal,
  },
): Promise<ImportPreview> {
  const resolver = await createLabelResolver(labelSource);
  const classCounts = new Map<string, number>();
  const splits: ImportPreview['splits'] = { train: 0, validation: 0, test: 0, none: 0 };
  const preview: ImportPreview = {
    files: 0,
    roots: [],
    classes: [],
    splits,
    unmatched: { count: 0, samples: [] },
    invalidLabels: { count: 0, samples: [] },
    ignored: 0,
    problems: [],
  };
  for (const root of roots) {
    const scan = await scanFolder(root, {
      signal: job.signal,
      ...(job.io ? { io: job.io } : {}),
      onFound: (count) => job.onProgress?.({ done: preview.files + count, total: null, message: `Scanning ${root}` }),
    });
    preview.roots.push({ path: scan.root, files: scan.files.length });
    preview.files += scan.files.length;
    preview.ignored += scan.ignored;
    preview.problems.push(...scan.problems.slice(0, 50 - preview.problems.length));
    for (const file of scan.files) {
      // Checked as the import checks it, so the preview's classes are the ones import makes.
      const { guess, problem } = usableGuess(labelSource, resolver.resolve(file));
      if (problem !== undefined) {
        preview.invalidLabels.count++;
        const { samples } = preview.invalidLabels;
        if (samples.length < SAMPLE_SIZE) samples.push({ path: file.relPath, reason: problem });
      }
      if (guess.label !== undefined) classCounts.set(guess.label, (classCounts.get(guess.label) ?? 0) + 1);
      splits[guess.split ?? 'none']++;
      if (!guess.matched) {
        preview.unmatched.count++;
        if (preview.unmatched.samples.length < SAMPLE_SIZE) preview.unmatched.samples.push(file.relPath);
      }
    }
  }
  preview.classes = [...classCounts.entries()]
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  if (labelSource.kind === 'csv') {
    const csvPath = path.resolve(labelSource.file);
    const unused = resolver.unusedRows?.() ?? [];
    preview.csv = {
      unusedRows: unused.length,
      unusedSamples: unused.slice(0, SAMPLE_SIZE).map((row) => `line ${row.line}: ${path.basename(row.path)}`),
      problems: resolver.problems.slice(0, 50).map((problem) => ({ path: csvPath, ...problem })),
      problemCount: resolver.problems.length,
    };
  }
  return preview;
}
