/**
 * Checks a model folder from its files alone (no tfjs) before it is loaded or
 * imported. tfjs reports a truncated weights file or a damaged model.json as a
 * RangeError or TypeError that names no file, and a model.json without a weights
 * manifest even loads, with random weights. Here each problem is MODEL_INVALID,
 * its message starting with the absolute path of the file at fault.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError } from '../../../src-shared/errors.js';
import { MODEL_JSON } from '../model-io.js';
import { ENSEMBLE_FILE, readEnsembleManifest } from '../inference/ensemble.js';
import type { ExportedMetadata, ModelPreprocessing } from './model-folder.js';
import { CALIBRATION_FILE } from '../inference/calibration.js';
import { MAX_LOGIT_ADJUSTMENT } from '../../../src-shared/api/wire-training.js';

/** Bytes per stored value; a quantized weight is stored in its quantization dtype. */
const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

interface WeightSpec {
  name?: unknown;
  shape?: unknown;
  dtype?: unknown;
  quantization?: { dtype?: unknown };
}

/** A layer (or a whole model) as model.json's modelTopology stores it. */
interface LayerJson {
  class_name?: string;
  name?: string;
  config?: {
    name?: string;
    layers?: LayerJson[];
    units?: unknown;
    batch_input_shape?: unknown;
    input_layers?: unknown;
    output_layers?: unknown;
  };
  inbound_nodes?: unknown;
}

/** Layers whose output has their input's shape: the output size is the layer before's. */
const SHAPE_KEEPING = new Set(['Activation', 'Softmax', 'Dropout', 'ReLU', 'BatchNormalization', 'LayerNormalization']);

function layerName(layer: LayerJson): string | undefined {
  return layer.name ?? layer.config?.name;
}

/** The single layer named first in a functional model's input_layers or output_layers, following shape-keeping layers back. */
function endLayer(model: LayerJson, key: 'input_layers' | 'output_layers'): LayerJson | null {
  const layers = model.config?.layers ?? [];
  const ends = model.config?.[key];
  if (!Array.isArray(ends) || ends.length !== 1) return null;
  const byName = new Map(layers.map((layer) => [layerName(layer), layer]));
  let layer = Array.isArray(ends[0]) ? byName.get(ends[0][0] as string) : undefined;
  // Bounded by the layer count: a cycle in a damaged topology must not hang.
  for (
    let hops = 0;
    layer && key === 'output_layers' && SHAPE_KEEPING.has(layer.class_name ?? '') && hops < layers.length;
    hops++
  ) {
    layer = byName.get((layer.inbound_nodes as string[][][] | undefined)?.[0]?.[0]?.[0] ?? '');
  }
  return layer ?? null;
}

/** Output units of a layer or model, where the topology says them (a Dense at the end); null otherwise. */
function topologyOutputUnits(value: unknown, depth = 0): number | null {
  const layer = value as LayerJson | null;
  if (!layer || depth > 16) return null;
  if (layer.class_name === 'Dense') return typeof layer.config?.units === 'number' ? layer.config.units : null;
  const layers = layer.config?.layers;
  if (!Array.isArray(layers)) return null;
  if (layer.class_name === 'Sequential') {
    const last = [...layers].reverse().find((l) => !SHAPE_KEEPING.has(l.class_name ?? ''));
    return topologyOutputUnits(last, depth + 1);
  }
  return topologyOutputUnits(endLayer(layer, 'output_layers'), depth + 1);
}

/** [height, width, channels] of a model's image input where the topology says them; null otherwise. */
function topologyInputShape(value: unknown): unknown[] | null {
  const model = value as LayerJson | null;
  const first =
    model?.class_name === 'Sequential' ? model.config?.layers?.[0] : model ? endLayer(model, 'input_layers') : null;
  const shape = first?.config?.batch_input_shape;
  return Array.isArray(shape) && shape.length === 4 ? shape.slice(1) : null;
}

function invalid(file: string, problem: string): never {
  throw new AppError('MODEL_INVALID', `${file}: ${problem}`);
}

async function readJson(file: string): Promise<unknown> {
  if (!existsSync(file)) invalid(file, 'missing');
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    invalid(file, `not valid JSON (${(error as Error).message})`);
  }
}

/** Bytes the specs of one weights group need, or null when a string weight makes it variable. */
function groupBytes(modelFile: string, specs: WeightSpec[]): number | null {
  let bytes = 0;
  for (const spec of specs) {
    if (spec.dtype === 'string') return null;
    const dtype = String(spec.quantization?.dtype ?? spec.dtype);
    const shape = spec.shape;
    if (!(dtype in DTYPE_BYTES) || !Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      invalid(
        modelFile,
        `weight ${String(spec.name)} has an unusable dtype (${dtype}) or shape (${JSON.stringify(shape)})`,
      );
    }
    bytes += (shape as number[]).reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype]!;
  }
  return bytes;
}

async function checkWeights(dir: string, modelFile: string, manifest: unknown): Promise<void> {
  if (!Array.isArray(manifest)) invalid(modelFile, 'has no weightsManifest (the model would load with random weights)');
  for (const group of manifest as Array<{ paths?: unknown; weights?: unknown }>) {
    if (
      !Array.isArray(group?.paths) ||
      !group.paths.every((p) => typeof p === 'string') ||
      !Array.isArray(group.weights)
    ) {
      invalid(modelFile, 'a weightsManifest group lacks its paths or weights');
    }
    const files = (group.paths as string[]).map((path) => join(dir, path));
    let actual = 0;
    for (const file of files) {
      if (!existsSync(file)) invalid(file, `missing (model.json lists it)`);
      actual += (await stat(file)).size;
    }
    const expected = groupBytes(modelFile, group.weights as WeightSpec[]);
    if (expected !== null && actual !== expected) {
      const hint = actual < expected ? 'truncated?' : 'not the weights of this model.json?';
      invalid(
        files.length > 0 ? files.join(', ') : modelFile,
        `${actual} bytes, ${MODEL_JSON} expects ${expected} (${hint})`,
      );
    }
  }
}

function checkPreprocessing(file: string, value: unknown, topology: unknown): ModelPreprocessing {
  const p = value as Partial<ModelPreprocessing> | null;
  const input = p?.input;
  const sized =
    input &&
    [input.width, input.height].every((n) => Number.isInteger(n) && n > 0) &&
    (input.channels === 1 || input.channels === 3);
  if (!sized || !Number.isFinite(p.scale) || !Number.isFinite(p.offset)) {
    invalid(file, 'lacks the input size (width, height, channels 1 or 3), scale or offset');
  }
  // Numbers only: a dimension the model leaves open (null) takes any size.
  const shape = topologyInputShape(topology);
  const wanted = [input.height, input.width, input.channels];
  if (shape && shape.some((d, i) => typeof d === 'number' && d !== wanted[i])) {
    invalid(
      file,
      `input ${input.width}×${input.height}×${input.channels} differs from the model's input [${shape.join(', ')}] (height, width, channels)`,
    );
  }
  return p as ModelPreprocessing;
}

/** One model's files: model.json, its weights, labels.json and preprocessing.json. */
async function checkSingleModel(dir: string): Promise<ExportedMetadata> {
  const modelFile = join(dir, MODEL_JSON);
  const json = (await readJson(modelFile)) as {
    modelTopology?: unknown;
    weightsManifest?: unknown;
    format?: unknown;
  } | null;
  if (typeof json?.modelTopology !== 'object' || json.modelTopology === null)
    invalid(modelFile, 'has no modelTopology');
  if (json.format !== undefined && json.format !== 'layers-model')
    invalid(modelFile, `is a ${String(json.format)}; Seshat loads TF.js layers models only`);
  await checkWeights(dir, modelFile, json.weightsManifest);

  const labelsFile = join(dir, 'labels.json');
  const labels = await readJson(labelsFile);
  if (!Array.isArray(labels) || labels.length === 0 || !labels.every((l) => typeof l === 'string'))
    invalid(labelsFile, 'not a list of class names');
  if (new Set(labels).size !== labels.length) invalid(labelsFile, 'names a class twice');
  const units = topologyOutputUnits(json.modelTopology);
  if (units !== null && units !== labels.length)
    invalid(labelsFile, `names ${labels.length} classes, the model has ${units} outputs`);

  const preprocessingFile = join(dir, 'preprocessing.json');
  const preprocessing = checkPreprocessing(preprocessingFile, await readJson(preprocessingFile), json.modelTopology);
  return { labels: labels as string[], preprocessing };
}

/**
 * Checks the model folder `dir` and, when it has an ensemble.json, every member it
 * lists (each a single model, as loadClassifier loads them). Returns the folder's
 * own labels and preprocessing; throws MODEL_INVALID naming the file at fault.
 */
export async function checkModelFolder(dir: string): Promise<ExportedMetadata> {
  const root = resolve(dir);
  const metadata = await checkSingleModel(root);
  const ensembleFile = join(root, ENSEMBLE_FILE);
  let manifest: Awaited<ReturnType<typeof readEnsembleManifest>>;
  try {
    manifest = await readEnsembleManifest(root);
  } catch (error) {
    invalid(
      ensembleFile,
      error instanceof SyntaxError
        ? `not valid JSON (${error.message})`
        : "not a valid ensemble manifest (geometric-mean, '.' first, positive weights)",
    );
  }
  // Optional: a temperature fitted on the validation split (see inference/calibration.ts).
  const calibrationFile = join(root, CALIBRATION_FILE);
  if (existsSync(calibrationFile)) {
    const calibration = (await readJson(calibrationFile)) as {
      temperature?: unknown;
      logitAdjustment?: { tau?: unknown; trainingCounts?: unknown };
    } | null;
    const temperature = calibration?.temperature;
    if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature <= 0)
      invalid(calibrationFile, 'needs a positive number "temperature"');
    const adjustment = calibration?.logitAdjustment;
    if (adjustment !== undefined) {
      const { tau, trainingCounts } = adjustment ?? {};
      if (typeof tau !== 'number' || !(tau >= 0 && tau <= MAX_LOGIT_ADJUSTMENT))
        invalid(calibrationFile, `"logitAdjustment.tau" must be a number from 0 to ${MAX_LOGIT_ADJUSTMENT}`);
      if (
        !Array.isArray(trainingCounts) ||
        trainingCounts.length !== metadata.labels.length ||
        !trainingCounts.every((count) => Number.isInteger(count) && count >= 0)
      )
        invalid(
          calibrationFile,
          `"logitAdjustment.trainingCounts" must hold one whole number ≥ 0 per class (${metadata.labels.length})`,
        );
    }
  }
  for (const member of manifest?.members ?? []) {
    if (member.dir === '.') continue;
    const memberDir = join(root, member.dir);
    if (!existsSync(memberDir)) invalid(memberDir, `missing (${ENSEMBLE_FILE} lists it as a member)`);
    const own = await checkSingleModel(memberDir);
    if (own.labels.join('\n') !== metadata.labels.join('\n'))
      invalid(join(memberDir, 'labels.json'), `its classes differ from those of ${join(root, 'labels.json')}`);
  }
  return metadata;
}
