/**
 * The Wall view: a wall photograph with its boxes, the selected box, and box edits
 * (draw, move, resize, delete, label) that undo and redo. Every edit goes to the main
 * process, which re-cuts crops; the wall comes back in reading order after each one.
 */
import type {
  ApiErrorPayload,
  SeshatApi,
  WallBox,
  WallDetails,
  WallExport,
  WallExportFormat,
  WallSignView,
  WallSummary,
} from '../../../src-shared/api/contract';
import { errorPayload } from '../api/api-client';
import { SerialQueue } from './serial-queue';
import { inverse, sameBox, type WallEdit } from './wall-edits';

export class WallState {
  walls = $state<WallSummary[]>([]);
  current = $state<WallDetails | null>(null);
  selectedId = $state<number | null>(null);
  /** Boxes Ctrl+clicked beside the selected one: what Merge joins it with. */
  extraIds = $state<number[]>([]);
  busy = $state(false);
  error = $state<ApiErrorPayload | null>(null);
  importPhotos = $state('');
  importBoxes = $state('');
  /** Find the signs of a photo without a boxes file (else it comes in empty, to draw on). */
  importFindSigns = $state(true);
  lastImportTask = $state<string | null>(null);
  readTask = $state<string | null>(null);
  /** What the last "Find signs" did, in words. */
  findReport = $state<string | null>(null);
  undoStack = $state<WallEdit[]>([]);
  redoStack = $state<WallEdit[]>([]);

  /** Edits go one at a time, in the order asked: an undo pressed mid-split waits for the split. */
  private readonly edits = new SerialQueue((busy) => (this.busy = busy));

  constructor(private readonly api: SeshatApi) {}

  get selected(): WallSignView | null {
    return this.current?.signs.find((sign) => sign.imageId === this.selectedId) ?? null;
  }

  /** Reads the list again and shows `openWallId`, else the wall shown before, else the first. */
  async load(openWallId?: number): Promise<void> {
    try {
      this.walls = await this.api.listWalls({});
      const keep = this.current && this.walls.find((wall) => wall.id === this.current!.wall.id);
      const chosen = this.walls.find((wall) => wall.id === openWallId);
      const wallId = chosen?.id ?? (keep ? keep.id : this.walls[0]?.id);
      if (wallId === undefined) this.current = null;
      else await this.open(wallId, { keepHistory: Boolean(keep) && wallId === keep!.id });
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  projectChanged(): void {
    this.current = null;
    this.selectedId = null;
    this.undoStack = [];
    this.redoStack = [];
  }

  async open(wallId: number, options: { keepHistory?: boolean } = {}): Promise<void> {
    try {
      const details = await this.api.getWall({ wallId });
      if (!options.keepHistory || this.current?.wall.id !== wallId) {
        this.undoStack = [];
        this.redoStack = [];
        this.selectedId = details.signs[0]?.imageId ?? null;
      }
      this.current = details;
      this.error = null;
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  select(imageId: number | null, options: { add?: boolean } = {}): void {
    if (options.add && imageId !== null && this.selectedId !== null && imageId !== this.selectedId) {
      this.extraIds = this.extraIds.includes(imageId)
        ? this.extraIds.filter((id) => id !== imageId)
        : [...this.extraIds, imageId];
      return;
    }
    this.selectedId = imageId;
    this.extraIds = [];
  }

  /** Splits the selected box in two across its longer side (a box drawn around two signs). */
  splitSelected(): Promise<void> {
    return this.edits.run(() => this.split());
  }

  private split(): Promise<void> {
    const sign = this.selected;
    if (!sign) return Promise.resolve();
    const [x1, y1, x2, y2] = sign.box;
    const wide = x2 - x1 >= y2 - y1;
    const middle = Math.round(wide ? (x1 + x2) / 2 : (y1 + y2) / 2);
    const first: WallBox = wide ? [x1, y1, middle, y2] : [x1, y1, x2, middle];
    const second: WallBox = wide ? [middle, y1, x2, y2] : [x1, middle, x2, y2];
    const edits: WallEdit[] = [
      { kind: 'move', imageId: sign.imageId, from: [...sign.box], to: first },
      { kind: 'add', imageId: 0, box: second, classId: null },
    ];
    return this.apply({ kind: 'group', edits }, 'undo');
  }

  /** Joins the Ctrl+clicked boxes into the selected one (a sign cut in pieces): one box around them all. */
  mergeSelected(): Promise<void> {
    return this.edits.run(() => this.merge());
  }

  private merge(): Promise<void> {
    const sign = this.selected;
    const others = (this.current?.signs ?? []).filter((other) => this.extraIds.includes(other.imageId));
    if (!sign || others.length === 0) return Promise.resolve();
    const all = [sign, ...others];
    const union: WallBox = [
      Math.min(...all.map((s) => s.box[0])),
      Math.min(...all.map((s) => s.box[1])),
      Math.max(...all.map((s) => s.box[2])),
      Math.max(...all.map((s) => s.box[3])),
    ];
    const edits: WallEdit[] = [
      ...others.map((other): WallEdit => ({
        kind: 'delete',
        imageId: other.imageId,
        box: [...other.box],
        classId: other.classId,
      })),
      { kind: 'move', imageId: sign.imageId, from: [...sign.box], to: union },
    ];
    this.extraIds = [];
    return this.apply({ kind: 'group', edits }, 'undo');
  }

  /** Steps through the boxes in reading order (+1 next, -1 previous). */
  step(delta: number): void {
    const signs = this.current?.signs ?? [];
    if (signs.length === 0) return;
    const at = signs.findIndex((sign) => sign.imageId === this.selectedId);
    const next = at < 0 ? 0 : Math.min(signs.length - 1, Math.max(0, at + delta));
    this.selectedId = signs[next]!.imageId;
  }

  async startImport(): Promise<void> {
    const photos = this.importPhotos
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    try {
      const boxesFile = this.importBoxes.trim();
      const { taskId } = await this.api.startWallImport({
        photos,
        findSigns: this.importFindSigns,
        ...(boxesFile ? { boxesFile } : {}),
      });
      this.lastImportTask = taskId;
      this.error = null;
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  /**
   * An import has ended. When it is the one started here, its first wall opens: the user
   * imported a photo to look at it, not at the wall that happened to be open before.
   */
  importEnded(taskId: string, result: unknown): Promise<void> {
    const walls =
      taskId === this.lastImportTask && result && typeof result === 'object'
        ? (result as { walls?: unknown }).walls
        : undefined;
    const first = Array.isArray(walls) ? (walls[0] as { wallId?: unknown } | undefined)?.wallId : undefined;
    return this.load(typeof first === 'number' ? first : undefined);
  }

  /**
   * Classifies the wall's crops with the latest model, adapting it to this wall first (as
   * Predict does), and has it judge which way the signs face.
   */
  async read(): Promise<void> {
    const wall = this.current?.wall;
    if (!wall?.cropsDir) return;
    try {
      // The read also judges which way the signs face, which sets the reading order.
      const { taskId } = await this.api.startWallRead({ wallId: wall.id, adapt: true });
      this.readTask = taskId;
      this.error = null;
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  /** A person's word on which way the signs face: the wall is then read that way, whatever a model says. */
  setFacing(mirrored: boolean): Promise<void> {
    return this.edits.run(() => this.face(mirrored));
  }

  private async face(mirrored: boolean): Promise<void> {
    const wall = this.current?.wall;
    if (!wall) return;
    try {
      this.current = await this.api.setWallFacing({ wallId: wall.id, mirrored });
      this.error = null;
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  /**
   * Proposes boxes for the signs no box covers yet. One step on the undo stack: undoing
   * it deletes the boxes it added (in one call), redoing cuts them again.
   */
  findSigns(): Promise<void> {
    return this.edits.run(() => this.find());
  }

  private async find(): Promise<void> {
    const wall = this.current?.wall;
    if (!wall) return;
    try {
      const result = await this.api.findWallSigns({ wallId: wall.id });
      this.current = result.wall;
      const added = new Set(result.added);
      const edits: WallEdit[] = result.wall.signs
        .filter((sign) => added.has(sign.imageId))
        .map((sign) => ({ kind: 'add', imageId: sign.imageId, box: sign.box, classId: null }));
      if (edits.length > 0) {
        this.undoStack = [...this.undoStack, { kind: 'group', edits }];
        this.redoStack = [];
      }
      const kept = result.found - result.added.length;
      this.findReport = `Found ${result.found} signs: ${result.added.length} new boxes${kept > 0 ? `, ${kept} already boxed` : ''}`;
      this.error = null;
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  draw(box: WallBox, classId: number | null = null): Promise<void> {
    return this.edits.run(() => this.apply({ kind: 'add', imageId: 0, box, classId }, 'undo'));
  }

  move(imageId: number, to: WallBox): Promise<void> {
    return this.edits.run(() => {
      const sign = this.current?.signs.find((candidate) => candidate.imageId === imageId);
      if (!sign || sameBox(sign.box, to)) return Promise.resolve();
      return this.apply({ kind: 'move', imageId, from: [...sign.box], to }, 'undo');
    });
  }

  removeSelected(): Promise<void> {
    return this.edits.run(() => {
      const sign = this.selected;
      if (!sign) return Promise.resolve();
      return this.apply({ kind: 'delete', imageId: sign.imageId, box: [...sign.box], classId: sign.classId }, 'undo');
    });
  }

  /** Labels the box selected when the label's turn comes: a box drawn a moment ago, if the key came right after. */
  labelSelected(classId: number | null): Promise<void> {
    return this.edits.run(() => {
      const sign = this.selected;
      if (!sign || sign.classId === classId) return Promise.resolve();
      return this.apply({ kind: 'label', imageId: sign.imageId, from: sign.classId, to: classId }, 'undo');
    });
  }

  /** Takes the model's first guess for the selected box as its label, and moves on. */
  async acceptGuess(): Promise<void> {
    const guess = this.selected?.guess?.classId;
    if (guess == null) return;
    await this.labelSelected(guess);
    this.step(1);
  }

  /** Takes back the last edit, once every edit asked for before it has been done. */
  undo(): Promise<void> {
    return this.edits.run(async () => {
      const edit = this.undoStack.at(-1);
      if (!edit) return;
      this.undoStack = this.undoStack.slice(0, -1);
      await this.apply(inverse(edit), 'redo', { fromHistory: true });
    });
  }

  redo(): Promise<void> {
    return this.edits.run(async () => {
      const edit = this.redoStack.at(-1);
      if (!edit) return;
      this.redoStack = this.redoStack.slice(0, -1);
      await this.apply(inverse(edit), 'undo', { fromHistory: true });
    });
  }

  async exportAs(format: WallExportFormat): Promise<WallExport | null> {
    if (!this.current) return null;
    try {
      return await this.api.exportWall({ wallId: this.current.wall.id, format });
    } catch (error) {
      this.error = errorPayload(error);
      return null;
    }
  }

  /**
   * Does an edit and records it on one stack (undo for new edits and redos, redo for
   * undos). A new edit clears the redo stack, as in every editor. Runs only inside the
   * edit queue, so no two edits interleave.
   */
  private async apply(edit: WallEdit, record: 'undo' | 'redo', options: { fromHistory?: boolean } = {}): Promise<void> {
    const wall = this.current?.wall;
    if (!wall) return;
    try {
      const done = await this.perform(wall.id, edit);
      if (record === 'undo') this.undoStack = [...this.undoStack, done];
      else this.redoStack = [...this.redoStack, done];
      if (!options.fromHistory) this.redoStack = [];
      this.error = null;
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  /** Sends one edit; returns it with the image id the box has now. */
  private async perform(wallId: number, edit: WallEdit): Promise<WallEdit> {
    switch (edit.kind) {
      case 'group': {
        // Many boxes added or deleted together ("Find signs" and its undo) go in one call.
        if (edit.edits.length > 1 && edit.edits.every((part) => part.kind === 'delete'))
          return this.deleteMany(edit.edits);
        if (edit.edits.length > 1 && edit.edits.every((part) => part.kind === 'add' && part.classId === null))
          return this.addMany(wallId, edit.edits);
        const done: WallEdit[] = [];
        for (const part of edit.edits) done.push(await this.perform(wallId, part));
        return { kind: 'group', edits: done };
      }
      case 'add': {
        const result = await this.api.addWallBox({ wallId, box: edit.box, classId: edit.classId });
        this.current = result.wall;
        this.remap(edit.imageId, result.imageId);
        this.selectedId = result.imageId;
        return { ...edit, imageId: result.imageId };
      }
      case 'delete': {
        const result = await this.api.deleteWallBox({ imageId: edit.imageId });
        this.current = result.wall;
        if (this.selectedId === edit.imageId) this.selectedId = null;
        return edit;
      }
      case 'move': {
        const result = await this.api.moveWallBox({ imageId: edit.imageId, box: edit.to });
        this.current = result.wall;
        this.selectedId = edit.imageId;
        return edit;
      }
      case 'label': {
        await this.api.setLabels({ imageIds: [edit.imageId], classId: edit.to });
        this.current = await this.api.getWall({ wallId });
        this.selectedId = edit.imageId;
        return edit;
      }
    }
  }

  private async deleteMany(edits: WallEdit[]): Promise<WallEdit> {
    const ids = edits.map((part) => (part as { imageId: number }).imageId);
    const result = await this.api.deleteWallBoxes({ imageIds: ids });
    this.current = result.wall;
    if (this.selectedId !== null && ids.includes(this.selectedId)) this.selectedId = null;
    return { kind: 'group', edits };
  }

  private async addMany(wallId: number, edits: WallEdit[]): Promise<WallEdit> {
    const parts = edits as Array<Extract<WallEdit, { kind: 'add' }>>;
    const result = await this.api.addWallBoxes({ wallId, boxes: parts.map((part) => part.box) });
    this.current = result.wall;
    parts.forEach((part, i) => this.remap(part.imageId, result.imageIds[i]!));
    return { kind: 'group', edits: parts.map((part, i) => ({ ...part, imageId: result.imageIds[i]! })) };
  }

  /** A box drawn again is a new image: later edits in both stacks follow it. */
  private remap(oldId: number, newId: number): void {
    if (oldId === 0 || oldId === newId) return;
    const follow = (edit: WallEdit): WallEdit =>
      edit.kind === 'group'
        ? { kind: 'group', edits: edit.edits.map(follow) }
        : edit.imageId === oldId
          ? { ...edit, imageId: newId }
          : edit;
    this.undoStack = this.undoStack.map(follow);
    this.redoStack = this.redoStack.map(follow);
  }
}
