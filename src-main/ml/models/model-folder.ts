/**
 * The exported model folder: what a finished (or best-so-far) run leaves behind and
 * what Predict/Evaluate load. TF.js layers format (`model.json` + `weights.bin`)
 * so other tools can read it, plus two small JSON files a tool needs to use it:
 *
 * - `labels.json`: class names, index i = output unit i;
 * - `preprocessing.json`: how to turn an image into the model's input.
 *
 * The same two objects are also in model.json's `userDefinedMetadata.seshat`.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { PixelFormat } from '../data/decode.js';
import type { PresetId } from './presets.js';
import { loadModelFromFolder, replaceFolder, saveModelToFolder } from '../model-io.js';

export const MODEL_DIR = 'model';

export interface ModelPreprocessing {
  preset: PresetId;
  /** Input tensor is [batch, height, width, channels]. */
  input: PixelFormat;
  /** input = pixel (0…255) · scale + offset, per channel, RGB order. */
  scale: number;
  offset: number;
  /** Images are stretched to the input size (aspect ratio not kept). */
  resize: 'stretch';
  /** Transparent pixels are composited onto this colour first. */
  background: string;
  /** EXIF orientation is applied before resizing. */
  autoOrient: true;
}

export interface ExportedMetadata {
  labels: string[];
  preprocessing: ModelPreprocessing;
}

/** Writes the model folder `dir` atomically (staged, then swapped in). */
export async function exportModel(model: tf.LayersModel, dir: string, metadata: ExportedMetadata): Promise<void> {
  const staged = `${dir}.tmp-${process.pid}`;
  await rm(staged, { recursive: true, force: true });
  await saveModelToFolder(model, staged, { seshat: metadata });
  await writeFile(join(staged, 'labels.json'), JSON.stringify(metadata.labels, null, 1));
  await writeFile(join(staged, 'preprocessing.json'), JSON.stringify(metadata.preprocessing, null, 2));
  await replaceFolder(staged, dir);
}

export function hasExportedModel(dir: string): boolean {
  return existsSync(join(dir, 'model.json')) && existsSync(join(dir, 'labels.json'));
}

export async function readExportedMetadata(dir: string): Promise<ExportedMetadata> {
  const labels = JSON.parse(await readFile(join(dir, 'labels.json'), 'utf8')) as string[];
  const preprocessing = JSON.parse(await readFile(join(dir, 'preprocessing.json'), 'utf8')) as ModelPreprocessing;
  return { labels, preprocessing };
}

/** Loads an exported model and its metadata. */
export async function loadExportedModel(dir: string): Promise<{ model: tf.LayersModel; metadata: ExportedMetadata }> {
  const metadata = await readExportedMetadata(dir);
  const model = await loadModelFromFolder(dir);
  return { model, metadata };
}
