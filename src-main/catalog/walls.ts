/**
 * Wall photographs and the boxes their sign crops were cut from. A crop stays an
 * ordinary catalog image (labelled, split and trained on unchanged); this records its
 * wall and box, so the wall can be read back in reading order and a box re-cut.
 */
import type Database from 'better-sqlite3';

export interface WallRecord {
  id: number;
  photoPath: string;
  width: number;
  height: number;
  addedAt: number;
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
});

const signOf = (row: SignRow): WallSignRecord => ({
  imageId: row.image_id,
  wallId: row.wall_id,
  box: [row.x1, row.y1, row.x2, row.y2],
  index: row.sign_index,
});

export class WallRepo {
  private readonly upsert: Database.Statement;
  private readonly byPath: Database.Statement<[string], WallRow>;
  private readonly all: Database.Statement<[], WallRow>;
  private readonly putSign: Database.Statement;
  private readonly signsByWall: Database.Statement<[number], SignRow>;
  private readonly signByImage: Database.Statement<[number], SignRow>;

  constructor(private readonly db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO walls (photo_path, width, height, added_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (photo_path) DO UPDATE SET width = excluded.width, height = excluded.height`,
    );
    this.byPath = db.prepare('SELECT * FROM walls WHERE photo_path = ?');
    this.all = db.prepare('SELECT * FROM walls ORDER BY id');
    this.putSign = db.prepare(
      `INSERT INTO wall_signs (image_id, wall_id, x1, y1, x2, y2, sign_index) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (image_id) DO UPDATE SET wall_id = excluded.wall_id, x1 = excluded.x1, y1 = excluded.y1,
         x2 = excluded.x2, y2 = excluded.y2, sign_index = excluded.sign_index`,
    );
    this.signsByWall = db.prepare('SELECT * FROM wall_signs WHERE wall_id = ? ORDER BY sign_index, image_id');
    this.signByImage = db.prepare('SELECT * FROM wall_signs WHERE image_id = ?');
  }

  /** Records a wall (or updates its size) and its signs' boxes, in one transaction. */
  record(
    wall: { photoPath: string; width: number; height: number },
    signs: readonly { imageId: number; box: readonly [number, number, number, number]; index: number }[],
  ): WallRecord {
    return this.db.transaction(() => {
      this.upsert.run(wall.photoPath, wall.width, wall.height, Date.now());
      const record = wallOf(this.byPath.get(wall.photoPath)!);
      for (const sign of signs) this.putSign.run(sign.imageId, record.id, ...sign.box, sign.index);
      return record;
    })();
  }

  list(): WallRecord[] {
    return this.all.all().map(wallOf);
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
}
