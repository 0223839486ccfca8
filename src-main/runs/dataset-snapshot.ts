/**
 * The exact dataset a run trains on: the labelled, split images at the moment it
 * starts, as a training `Dataset` plus a record (ids, labels, splits and a hash)
 * kept with the run so its results can be traced and compared honestly.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../src-shared/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import type { CatalogRow } from '../catalog/image-rows.js';
import type { Dataset, Sample } from '../ml/data/dataset.js';
import { normaliseGardinerCode } from '../../src-shared/gardiner/gardiner.js';

export interface DatasetRecord {
  hash: string;
  classes: string[];
  images: Array<{ id: number; label: string; split: string }>;
  counts: { train: number; validation: number; test: number };
}

export interface DatasetSnapshot {
  dataset: Dataset;
  record: DatasetRecord;
  /** Classes with training images but no validation image. */
  unvalidated: string[];
  /** The most common image size among the training images (the conv presets' native size). */
  nativeSize: { width: number; height: number };
  /** Most classes are Gardiner codes: a hieroglyph project (no mirroring, grayscale). */
  glyphProject: boolean;
}

function sample(row: CatalogRow, label: number): Sample {
  return {
    id: String(row.id),
    label,
    source: { kind: 'file', path: path.join(row.rootPath, row.relPath) },
    hash: row.hash,
  };
}

/**
 * The labelled, split images as a training dataset. `includeValidation` trains on the
 * validation images too (the final model of a sweep's best settings): the run then has
 * no validation split of its own.
 */
export function snapshotDataset(catalog: Catalog, options: { includeValidation?: boolean } = {}): DatasetSnapshot {
  const rows = catalog.imageRows({ labelledOnly: true }).filter((row) => row.split !== null);
  const trains = options.includeValidation ? ['train', 'validation'] : ['train'];
  const trainRows = rows.filter((row) => trains.includes(row.split!));
  if (trainRows.length === 0)
    throw new AppError('CONFLICT', 'No labelled image is in the train split: label and split images first');
  // Classes are those the model can learn: present in train. Sorted for a stable output order.
  const classes = [...new Set(trainRows.map((row) => row.className!))].sort();
  if (classes.length < 2)
    throw new AppError('CONFLICT', `Training needs at least two classes with training images; found ${classes.length}`);
  const index = new Map(classes.map((name, i) => [name, i]));
  const validationRows = options.includeValidation
    ? []
    : rows.filter((row) => row.split === 'validation' && index.has(row.className!));
  const dataset: Dataset = {
    classes,
    train: trainRows.map((row) => sample(row, index.get(row.className!)!)),
    validation: validationRows.map((row) => sample(row, index.get(row.className!)!)),
  };
  const images = rows.map((row) => ({ id: row.id, label: row.className!, split: row.split! }));
  const hash = createHash('sha256')
    .update(images.map((image) => `${image.id}\t${image.label}\t${image.split}`).join('\n'))
    .digest('hex');
  const validated = new Set(validationRows.map((row) => row.className!));
  const sizes = new Map<string, number>();
  for (const row of trainRows)
    sizes.set(`${row.width}x${row.height}`, (sizes.get(`${row.width}x${row.height}`) ?? 0) + 1);
  const [commonSize] = [...sizes].sort((a, b) => b[1] - a[1])[0]!;
  const [width, height] = commonSize.split('x').map(Number) as [number, number];
  return {
    nativeSize: { width, height },
    glyphProject: isGlyphProject(classes),
    dataset,
    record: {
      hash,
      classes,
      images,
      counts: {
        train: trainRows.length,
        validation: options.includeValidation ? 0 : validationRows.length,
        test: rows.filter((row) => row.split === 'test').length,
      },
    },
    unvalidated: classes.filter((name) => !validated.has(name)),
  };
}

/** The file beside a run's `model/` folder that holds its DatasetRecord (see training-service.ts). */
export const DATASET_RECORD_FILE = 'dataset.json';

/** Training images per class name in `dataset`, leaving out those that could not be decoded (`skipped` sample ids). */
export function trainingImagesPerClass(
  dataset: Dataset,
  skipped: ReadonlySet<string> = new Set(),
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const sample of dataset.train) {
    if (skipped.has(sample.id)) continue;
    const name = dataset.classes[sample.label]!;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/**
 * The dataset record a run wrote beside its `model/` folder when it first started,
 * or null when there is none or it is not readable.
 */
export async function readDatasetRecord(modelDir: string): Promise<DatasetRecord | null> {
  try {
    const record = JSON.parse(
      await readFile(path.join(path.dirname(modelDir), DATASET_RECORD_FILE), 'utf8'),
    ) as DatasetRecord | null;
    return record && Array.isArray(record.images) ? record : null;
  } catch {
    return null;
  }
}

/** Hieroglyphs, not photos: at least half the class names are Gardiner codes (then nothing is mirrored). */
export function isGlyphProject(classNames: readonly string[]): boolean {
  const codes = classNames.filter((name) => normaliseGardinerCode(name) !== null).length;
  return codes >= classNames.length / 2;
}
