/**
 * Saving and loading TF.js layers models to a folder with node:fs.
 *
 * Without tfjs-node, `model.save('file://…')` has no handler. This one writes the
 * standard TF.js layers format — `model.json` plus one `weights.bin` — so any
 * TF.js tool (or tfjs-node's `file://` loader) reads the folder. Files are written
 * to temporary names and renamed, so a crash mid-save never leaves a truncated model
 * under the final name.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

function weightBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (!data) return new Uint8Array(0);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

/** Writes `bytes` to `path` via a temporary file and a rename. */
export async function writeFileAtomic(path: string, bytes: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(temporary, bytes);
  await rename(temporary, path);
}

/**
 * An IOHandler for `model.save(handler)` and `tf.loadLayersModel(handler)` over a
 * folder. `metadata` is merged into model.json's `userDefinedMetadata` on save.
 */
export function folderIO(dir: string, metadata?: Record<string, unknown>): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('folderIO saves layers models only (the topology is binary)');
      }
      const weights = weightBytes(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      const userMeta = { ...(artifacts.userDefinedMetadata ?? {}), ...(metadata ?? {}) };
      if (Object.keys(userMeta).length > 0) modelJson.userDefinedMetadata = userMeta as Record<string, object>;
      // Weights first: a model.json on disk always points at complete weights.
      await writeFileAtomic(join(dir, WEIGHTS_BIN), weights);
      await writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weights.byteLength,
        },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const path of group.paths) {
            const bytes = await readFile(join(dir, path));
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

/** Saves a model to `dir` (created if needed). */
export async function saveModelToFolder(
  model: tf.LayersModel,
  dir: string,
  metadata?: Record<string, unknown>,
): Promise<void> {
  await model.save(folderIO(dir, metadata));
}

/** Loads a layers model saved by `saveModelToFolder` (or any TF.js layers folder). */
export async function loadModelFromFolder(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(folderIO(dir));
}

export function hasModel(dir: string): boolean {
  return existsSync(join(dir, MODEL_JSON)) && existsSync(join(dir, WEIGHTS_BIN));
}

/** Replaces folder `target` by folder `staged` (rename; the old copy is removed first). */
export async function replaceFolder(staged: string, target: string): Promise<void> {
  const old = `${target}.old-${process.pid}`;
  if (existsSync(target)) await rename(target, old);
  await rename(staged, target);
  await rm(old, { recursive: true, force: true });
}
