/**
 * Wall photographs and the boxes their sign crops were cut from. A crop stays an
 * ordinary catalog image (labelled, split and trained on unchanged); this records its
 * wall and box, so the wall can be read back in reading order and a box re-cut.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors.js';
import type { NewImage } from '../../src-shared/catalog-records.js';
import type { ImageContent, ImageRepo } from './images.js';

type BoxTuple = readonly [number, number, number, number];

export interface WallRecord {
  id: number;
  photoPath: string;
  width: number;
  height: number;
  addedAt: number;
  /** The photo's content when imported (null for walls recorded before migration 7). */
  photoHash: string | null;
  photoBytes: number | null;
  /** Where its crops are cut to. */
  cropsDir: string | null;
  /** Whether its signs face the other way from the training walls', and who said so; null: not judged. */
  facing: WallFacing | null;
}

export interface WallFacing {
  mirrored: boolean;
  by: 'model' | 'person';
}

/** A wall with how many boxes it has and how many of their crops carry a label. */
export interface WallSummaryRecord extends WallRecord {
  signs: number;
  labelled: number;
}

export interface WallSignRecord {
  imageId: number;
  wallId: number;
  box: [number, number, number, number];
  index: number;
}

interface WallRow {
  id: number;
  photo_path: string;
  width: number;
  height: number;
  added_at: number;
  photo_hash: string | null;
  photo_bytes: number | null;
  crops_dir: string | null;
  mirrored: 0 | 1 | null;
  mirrored_by: 'model' | 'person' | null;
}

interface SignRow {
  image_id: number;
  wall_id: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  sign_index: number;
}

const wallOf = (row: WallRow): WallRecord => ({
  id: row.id,
  photoPath: row.photo_path,
  width: row.width,
  height: row.height,
  addedAt: row.added_at,
  photoHash: row.photo_hash,
  photoBytes: row.photo_bytes,
  cropsDir: row.crops_dir,
  facing:
    row.mirrored === null || row.mirrored_by === null ? null : { mirrored: row.mirrored === 1, by: row.mirrored_by },
});

const signOf = (row: SignRow): WallSignRecord => ({
  imageId: row.image_id,
  wallId: row.wall_id,
  box: [row.x1, row.y1, row.x2, row.y2],
  index: row.sign_index,
});

/** A box with its crop's content hash and label, and one run's guess when it made one. */
export interface WallSignRow extends WallSignRecord {
  hash: string;
  classId: number | null;
  guess: { classId: number | null; confidence: number; topK: { classId: number; p: number }[] } | null;
}

export interface WallPhoto {
  photoPath: string;
  width: number;
  height: number;
  photoHash?: string;
  photoBytes?: number;
  cropsDir?: string;
}

export class WallRepo {
  private readonly upsert: Database.Statement;
  private readonly byPath: Database.Statement<[string], WallRow>;
  private readonly byId: Database.Statement<[number], WallRow>;
  private readonly all: Database.Statement<[], WallRow & { signs: number; labelled: number }>;
  private readonly putSign: Database.Statement;
  private readonly signsByWall: Database.Statement<[number], SignRow>;
  private readonly signByImage: Database.Statement<[number], SignRow>;
  private readonly lastIndex: Database.Statement<[number], { last: number | null }>;
  private readonly setBox: Database.Statement;
  private readonly dropPredictions: Database.Statement<[number]>;
  private readonly dropImage: Database.Statement<[number]>;
  private readonly signRows: Database.Statement<
    [number, number, number],
    SignRow & {
      hash: string;
      class_id: number | null;
      p_class: number | null;
      confidence: number | null;
      top_k: string | null;
    }
  >;
  private readonly latestRun: Database.Statement<[number], { run: number | null }>;
  private readonly putFacing: Database.Statement<{ wallId: number; mirrored: 0 | 1; by: WallFacing['by'] }>;

  constructor(
    private readonly db: Database.Database,
    private readonly images: ImageRepo,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO walls (photo_path, width, height, added_at, photo_hash, photo_bytes, crops_dir)
       VALUES (@photoPath, @width, @height, @addedAt, @photoHash, @photoBytes, @cropsDir)
       ON CONFLICT (photo_path) DO UPDATE SET width = excluded.width, height = excluded.height,
         photo_hash = coalesce(excluded.photo_hash, photo_hash), photo_bytes = coalesce(excluded.photo_bytes, photo_bytes),
         crops_dir = coalesce(excluded.crops_dir, crops_dir)`,
    );
    this.byPath = db.prepare('SELECT * FROM walls WHERE photo_path = ?');
    this.byId = db.prepare('SELECT * FROM walls WHERE id = ?');
    this.all = db.prepare(
      `SELECT walls.*, count(wall_signs.image_id) AS signs, count(labels.image_id) AS labelled
       FROM walls LEFT JOIN wall_signs ON wall_signs.wall_id = walls.id
         LEFT JOIN labels ON labels.image_id = wall_signs.image_id
       GROUP BY walls.id ORDER BY walls.id`,
    );
    this.putSign = db.prepare(
      `INSERT INTO wall_signs (image_id, wall_id, x1, y1, x2, y2, sign_index) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (image_id) DO UPDATE SET wall_id = excluded.wall_id, x1 = excluded.x1, y1 = excluded.y1,
         x2 = excluded.x2, y2 = excluded.y2, sign_index = excluded.sign_index`,
    );
    this.signsByWall = db.prepare('SELECT * FROM wall_signs WHERE wall_id = ? ORDER BY sign_index, image_id');
    this.signByImage = db.prepare('SELECT * FROM wall_signs WHERE image_id = ?');
    this.lastIndex = db.prepare('SELECT max(sign_index) AS last FROM wall_signs WHERE wall_id = ?');
    this.setBox = db.prepare('UPDATE wall_signs SET x1 = ?, y1 = ?, x2 = ?, y2 = ? WHERE image_id = ?');
    // A moved box is another crop: what a model said of the old one no longer holds.
    this.dropPredictions = db.prepare('DELETE FROM predictions WHERE image_id = ?');
    this.dropImage = db.prepare('DELETE FROM images WHERE id = ?');
    this.signRows = db.prepare(
      `SELECT wall_signs.*, images.hash, labels.class_id, predictions.class_id AS p_class,
         predictions.confidence, predictions.top_k
       FROM wall_signs JOIN images ON images.id = wall_signs.image_id
         LEFT JOIN labels ON labels.image_id = wall_signs.image_id
         LEFT JOIN predictions ON predictions.image_id = wall_signs.image_id AND predictions.run_id = ? AND ? = 1
       WHERE wall_signs.wall_id = ? ORDER BY sign_index, wall_signs.image_id`,
    );
    this.latestRun = db.prepare(
      // Run by run, newest first, through the wall's boxes: predictions has no index by image.
      `SELECT max(runs.id) AS run FROM runs WHERE EXISTS (
         SELECT 1 FROM wall_signs JOIN predictions ON predictions.run_id = runs.id
           AND predictions.image_id = wall_signs.image_id
         WHERE wall_signs.wall_id = ?)`,
    );
    // A model's judgement never replaces a person's choice.
    this.putFacing = db.prepare(
      `UPDATE walls SET mirrored = @mirrored, mirrored_by = @by
       WHERE id = @wallId AND (@by = 'person' OR mirrored_by IS NOT 'person')`,
    );
  }

  /** Records which way a wall's signs face; returns whether it was recorded (a model's judgement yields to a person's). */
  setFacing(wallId: number, facing: WallFacing): boolean {
    this.require(wallId);
    return this.putFacing.run({ wallId, mirrored: facing.mirrored ? 1 : 0, by: facing.by }).changes > 0;
  }

  /** Records a wall (or updates its size) and its signs' boxes, in one transaction. */
  record(wall: WallPhoto, signs: readonly { imageId: number; box: BoxTuple; index: number }[]): WallRecord {
    return this.db.transaction(() => {
      this.upsert.run({
        photoHash: null,
        photoBytes: null,
        cropsDir: null,
        ...wall,
        addedAt: Date.now(),
      });
      const record = wallOf(this.byPath.get(wall.photoPath)!);
      for (const sign of signs) this.putSign.run(sign.imageId, record.id, ...sign.box, sign.index);
      return record;
    })();
  }

  list(): WallRecord[] {
    return this.all.all().map(wallOf);
  }

  summaries(): WallSummaryRecord[] {
    return this.all.all().map((row) => ({ ...wallOf(row), signs: row.signs, labelled: row.labelled }));
  }

  get(wallId: number): WallRecord | undefined {
    const row = this.byId.get(wallId);
    return row ? wallOf(row) : undefined;
  }

  require(wallId: number): WallRecord {
    const wall = this.get(wallId);
    if (!wall) throw new AppError('NOT_FOUND', `No wall with id ${wallId} in this project`);
    return wall;
  }

  byPhoto(photoPath: string): WallRecord | undefined {
    const row = this.byPath.get(photoPath);
    return row ? wallOf(row) : undefined;
  }

  signs(wallId: number): WallSignRecord[] {
    return this.signsByWall.all(wallId).map(signOf);
  }

  /** The wall and box a crop was cut from, or undefined for an image that is no crop. */
  signOfImage(imageId: number): WallSignRecord | undefined {
    const row = this.signByImage.get(imageId);
    return row ? signOf(row) : undefined;
  }

  requireSign(imageId: number): WallSignRecord {
    const sign = this.signOfImage(imageId);
    if (!sign) throw new AppError('NOT_FOUND', `Image ${imageId} is not a box on any wall`);
    return sign;
  }

  /** Every box of a wall with its crop's label, and `runId`'s guesses when given. */
  signRowsOf(wallId: number, runId: number | null): WallSignRow[] {
    return this.signRows.all(runId ?? 0, runId === null ? 0 : 1, wallId).map((row) => ({
      ...signOf(row),
      hash: row.hash,
      classId: row.class_id,
      guess:
        row.confidence === null
          ? null
          : {
              classId: row.p_class,
              confidence: row.confidence,
              topK: JSON.parse(row.top_k ?? '[]') as { classId: number; p: number }[],
            },
    }));
  }

  /** The latest run that classified any of a wall's crops, or null. */
  latestRunWithGuesses(wallId: number): number | null {
    return this.latestRun.get(wallId)?.run ?? null;
  }

  /** The number the next box drawn on a wall gets (one past the highest). */
  nextIndex(wallId: number): number {
    const last = this.lastIndex.get(wallId)?.last;
    return last == null ? 0 : last + 1;
  }

  /** A new box and its crop (image, label) in one transaction; returns the image id. */
  addSign(wallId: number, crop: NewImage, box: BoxTuple, index: number): number {
    return this.db.transaction(() => {
      const [imageId] = this.images.insertBatchInTransaction([crop], { operationId: null });
      this.putSign.run(imageId!, wallId, ...box, index);
      return imageId!;
    })();
  }

  /** A moved or resized box: its crop's new content and the box, together; old predictions go. */
  moveSign(imageId: number, box: BoxTuple, content: ImageContent): void {
    this.db.transaction(() => {
      this.requireSign(imageId);
      this.images.updateContent(imageId, content);
      this.setBox.run(...box, imageId);
      this.dropPredictions.run(imageId);
    })();
  }

  /** Deletes a box and its crop image (label, split and predictions go with it). */
  removeSign(imageId: number): WallSignRecord {
    return this.db.transaction(() => {
      const sign = this.requireSign(imageId);
      this.dropImage.run(imageId);
      return sign;
    })();
  }
}
