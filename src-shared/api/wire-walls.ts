/**
 * Wall shapes that cross the API: a wall photograph, its boxes with their crops' labels
 * and a model's guesses, in reading order. Pure TypeScript, shared by all three sides.
 */

/** x1, y1 (top-left) and x2, y2 (bottom-right) in photo pixels. */
export type WallBox = [number, number, number, number];

export interface WallSummary {
  id: number;
  /** The photo's file name without its folder. */
  name: string;
  photoPath: string;
  width: number;
  height: number;
  /** First hex digits of the photo's content hash (its URL names it); null when it cannot be shown. */
  photoHash: string | null;
  /** The folder its crops are cut to (classify it to read the wall); null for walls recorded before. */
  cropsDir: string | null;
  signs: number;
  labelled: number;
  /**
   * Whether its signs face the other way from the training walls' (so it is read the
   * other way), and who said so: the model when the wall was read, or a person. Null
   * until judged: read as the training walls are.
   */
  facing: WallFacing | null;
}

export interface WallFacing {
  mirrored: boolean;
  by: 'model' | 'person';
}

/** Which column is read first, and which of two signs side by side in a quadrat row. */
export interface WallReadingDirection {
  columns: 'left-first' | 'right-first';
  withinRow: 'left-first' | 'right-first';
}

export interface WallGuess {
  classId: number | null;
  confidence: number;
  top: { classId: number | null; p: number }[];
}

export interface WallSignView {
  /** The crop's catalog image: label it, find it in the Library. */
  imageId: number;
  /** The crop's content hash, for its thumbnail URL. */
  hash: string;
  box: WallBox;
  /** Its number on the wall (the source's own, or the order it was drawn in). */
  index: number;
  /** Place in reading order (0 first), and the column it stands in. */
  order: number;
  column: number;
  row: number;
  classId: number | null;
  /** What the chosen run said of this crop, when it classified it. */
  guess: WallGuess | null;
}

export interface WallDetails {
  wall: WallSummary;
  /** The direction `order` follows: the training walls' own, or mirrored when the wall's signs face the other way. */
  direction: WallReadingDirection;
  /** The run whose guesses are shown, or null when no run classified these crops. */
  runId: number | null;
  /** In reading order. */
  signs: WallSignView[];
}

export type WallExportFormat = 'csv' | 'locations' | 'mdc';

export interface WallExport {
  fileName: string;
  text: string;
  /** For MdC: the same signs as Unicode hieroglyphs. */
  unicode?: string;
  /** Labels with no sign in the table (MdC), with their counts. */
  unmatched?: Record<string, number>;
}
