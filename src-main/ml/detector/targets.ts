/**
 * What the sign detector learns from: a wall photo as one standardised grey plane at
 * the network's scale, and for a crop of it the CenterNet-style targets — a heat map
 * with a Gaussian bump at each sign's centre (1 exactly at the centre cell), and at
 * each centre cell the sign's log width and height and its centre's offset within the
 * cell. Pure typed-array code: no tensors here.
 */

/** Photo pixels → network input pixels. Signs are 35–80 px on a 1600-px photo, 17–40 px here. */
export const DETECTOR_SCALE = 0.5;
/** Network input pixels per heat-map cell (two stride-2 convolutions). */
export const DETECTOR_STRIDE = 4;
/** Regression channels per cell: log w, log h (in cells), centre offset x, y (in cells). */
export const REGRESSION_CHANNELS = 4;

/** A grey plane, standardised to zero mean and unit spread (walls differ in light and contrast). */
export interface Plane {
  width: number;
  height: number;
  pixels: Float32Array;
}

export type PlaneBox = readonly [number, number, number, number];

export function standardise(grey: Uint8Array | Buffer, width: number, height: number): Plane {
  const n = width * height;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += grey[i]!;
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (grey[i]! - mean) ** 2;
  const spread = Math.sqrt(variance / n) || 1;
  const pixels = new Float32Array(n);
  for (let i = 0; i < n; i++) pixels[i] = (grey[i]! - mean) / spread;
  return { width, height, pixels };
}

export interface CropTargets {
  heat: Float32Array;
  regression: Float32Array;
  /** 1 at centre cells (where the regression is learned), else 0. */
  centres: Float32Array;
}

/**
 * Targets for the crop at (x0, y0) of size cw × ch (multiples of the stride), mirrored
 * when `flip` (a detector may mirror: it finds signs, it does not read them).
 */
export function cropTargets(
  boxes: readonly PlaneBox[],
  x0: number,
  y0: number,
  cw: number,
  ch: number,
  flip: boolean,
): CropTargets {
  const gw = cw / DETECTOR_STRIDE;
  const gh = ch / DETECTOR_STRIDE;
  const heat = new Float32Array(gw * gh);
  const regression = new Float32Array(gw * gh * REGRESSION_CHANNELS);
  const centres = new Float32Array(gw * gh);
  for (const box of boxes) {
    let x1 = box[0] - x0;
    let x2 = box[2] - x0;
    const y1 = box[1] - y0;
    const y2 = box[3] - y0;
    if (flip) [x1, x2] = [cw - x2, cw - x1];
    const cx = (x1 + x2) / 2 / DETECTOR_STRIDE;
    const cy = (y1 + y2) / 2 / DETECTOR_STRIDE;
    if (cx < 0 || cy < 0 || cx >= gw || cy >= gh) continue;
    const bw = (x2 - x1) / DETECTOR_STRIDE;
    const bh = (y2 - y1) / DETECTOR_STRIDE;
    // The bump's spread follows the sign's size, so a near miss on a big sign costs little.
    const sigma = Math.max(0.7, Math.min(bw, bh) / 6);
    const ix = Math.floor(cx);
    const iy = Math.floor(cy);
    const reach = Math.ceil(3 * sigma);
    for (let y = Math.max(0, iy - reach); y <= Math.min(gh - 1, iy + reach); y++)
      for (let x = Math.max(0, ix - reach); x <= Math.min(gw - 1, ix + reach); x++) {
        const bump = Math.exp(-((x - ix) ** 2 + (y - iy) ** 2) / (2 * sigma * sigma));
        const k = y * gw + x;
        if (bump > heat[k]!) heat[k] = bump;
      }
    const k = iy * gw + ix;
    heat[k] = 1;
    centres[k] = 1;
    regression.set([Math.log(bw), Math.log(bh), cx - ix - 0.5, cy - iy - 0.5], k * REGRESSION_CHANNELS);
  }
  return { heat, regression, centres };
}

export interface TrainingWall {
  plane: Plane;
  boxes: PlaneBox[];
}

export interface DetectorBatch {
  inputs: Float32Array;
  heat: Float32Array;
  regression: Float32Array;
  centres: Float32Array;
}

/**
 * A batch of random square crops from random walls, mirrored at random, with a random
 * gain and offset (walls differ in light): what one training step sees.
 */
export function sampleBatch(
  walls: readonly TrainingWall[],
  size: number,
  crop: number,
  random: () => number,
): DetectorBatch {
  const cells = (crop / DETECTOR_STRIDE) ** 2;
  const batch: DetectorBatch = {
    inputs: new Float32Array(size * crop * crop),
    heat: new Float32Array(size * cells),
    regression: new Float32Array(size * cells * REGRESSION_CHANNELS),
    centres: new Float32Array(size * cells),
  };
  for (let b = 0; b < size; b++) {
    const wall = walls[Math.floor(random() * walls.length)]!;
    const { width, height, pixels } = wall.plane;
    const x0 = Math.floor(random() * Math.max(1, width - crop));
    const y0 = Math.floor(random() * Math.max(1, height - crop));
    const flip = random() < 0.5;
    const gain = Math.exp((random() - 0.5) * 0.6);
    const offset = (random() - 0.5) * 0.4;
    for (let y = 0; y < crop; y++)
      for (let x = 0; x < crop; x++) {
        const sx = flip ? x0 + crop - 1 - x : x0 + x;
        const sy = y0 + y;
        const inside = sx < width && sy < height;
        batch.inputs[b * crop * crop + y * crop + x] = inside ? pixels[sy * width + sx]! * gain + offset : 0;
      }
    const targets = cropTargets(wall.boxes, x0, y0, crop, crop, flip);
    batch.heat.set(targets.heat, b * cells);
    batch.regression.set(targets.regression, b * cells * REGRESSION_CHANNELS);
    batch.centres.set(targets.centres, b * cells);
  }
  return batch;
}
