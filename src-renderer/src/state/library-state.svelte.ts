/**
 * The Library: a filtered, sorted view of the catalog paged in on demand, the
 * keyboard focus and selection, and labelling. A label is shown as saved only after
 * the main process has committed it.
 */
import type {
  ApiErrorPayload,
  ClassRecord,
  GridItem,
  GridPage,
  ImageDetails,
  ImageFilter,
  SeshatApi,
  Split,
  UndoState,
} from '../../../src-shared/api/contract';
import { errorPayload } from '../api/api-client';
import { compareGardinerCodes } from '../../../src-shared/gardiner/gardiner';

const PAGE_SIZE = 200;
const REFRESH_AFTER_LABEL_MS = 120;
export type LibrarySort = 'path' | 'imported' | 'confidence';
type ItemLabel = Pick<GridItem, 'classId' | 'labelSource'>;
/** A loaded page: its rows and the cursors that load its neighbours by keyset. */
type LoadedPage = Pick<GridPage, 'items' | 'firstCursor' | 'nextCursor'>;
type PageStart = { after: string } | { before: string } | { from: string } | { at: number };

export class LibraryState {
  filter = $state<ImageFilter>({});
  sort = $state<LibrarySort>('path');
  total = $state(0);
  classes = $state<ClassRecord[]>([]);
  counts = $state<{ byClass: Record<number, number>; unlabeled: number; total: number }>({
    byClass: {},
    unlabeled: 0,
    total: 0,
  });
  focusIndex = $state(-1);
  /** Selected image ids (a plain Set, re-assigned on change so Svelte sees it). */
  selection = $state.raw<ReadonlySet<number>>(new Set());
  anchorIndex = $state(-1);
  details = $state<ImageDetails | null>(null);
  undoState = $state<UndoState>({ undo: null, redo: null });
  thumbSize = $state(128);
  error = $state<ApiErrorPayload | null>(null);
  /** Bumped whenever cached pages change; getItem reads it so the grid re-renders. */
  version = $state(0);
  /** Image ids whose label change is in flight (shown as pending, not saved). */
  pending = $state.raw<ReadonlySet<number>>(new Set());
  /** Thumbnails show the model's guess (the newest run that classified each image). */
  showPredictions = $state(false);

  /**
   * Pages by index (page k holds list positions k·200 …), always one unbroken run. A
   * page next to the run is read by keyset from its neighbour's cursor, which costs the
   * same anywhere in a list of a million; only a jump away from the run (the scrollbar
   * dragged) starts a new run, its first page asked for by position. One run, because
   * pages read by keyset agree with each other even when rows came or went above them
   * (their positions then all shift together, and the ends of the list set them right),
   * whereas two runs read at different times might overlap or leave a gap.
   */
  private pages = new Map<number, LoadedPage>();
  private inFlight = new Map<number, Promise<void>>();
  /** Bumped whenever the run of pages is replaced (a reload, a jump): reads for the old one are dropped. */
  private run = 0;
  private generation = 0;
  /**
   * Bumped by actions that may add or remove rows anywhere in the list (bulk labels,
   * undo, merges, splits): a reload that has not seen the latest bump asks for its pages
   * by position, since the loaded pages' places in the list may have moved. After
   * labelling the focused image, rows change only inside the loaded pages, and a reload
   * re-reads them from their cursors. A count, not a flag, so that a reload already
   * under way when an action ends does not take the action's bump with it.
   */
  private moves = 0;
  private movesSettled = 0;

  readonly classById = $derived(new Map(this.classes.map((c) => [c.id, c])));
  readonly focused = $derived(this.focusIndex >= 0 ? this.getItem(this.focusIndex) : undefined);

  constructor(private readonly api: SeshatApi) {}

  /**
   * Another project is open: a filter, selection or focus names this project's class and
   * image ids, which mean other things (or nothing) there. Start from the whole library.
   */
  projectChanged(): void {
    this.filter = {};
    this.selection = new Set();
    this.focusIndex = -1;
    this.anchorIndex = -1;
    this.details = null;
    this.pending = new Set();
    this.error = null;
  }

  // --- loading -----------------------------------------------------------------

  /**
   * Re-reads classes, counts and the pages around the focus. The new pages replace the
   * old ones in one step (no flash of empty cells), and the focused image keeps the
   * focus if it is still in the list: labelling under "Unlabeled" moves on to the
   * next image instead of skipping one. `exact` asks for the pages by position, for
   * when rows may have come or gone anywhere in the list.
   */
  async reload(options: { newList?: boolean; exact?: boolean } = {}): Promise<void> {
    const generation = ++this.generation;
    if (options.newList) {
      // Another filter or sort: the old pages say nothing about the new list.
      this.pages = new Map();
      this.version++;
    }
    const moves = this.moves;
    const byPosition = options.exact === true || moves !== this.movesSettled;
    try {
      const [classes, counts] = await Promise.all([
        this.api.listClasses({}),
        this.api.getClassCounts({ filter: this.filter }),
      ]);
      if (generation !== this.generation) return;
      const center = Math.max(0, Math.min(this.focusIndex, counts.total - 1));
      const firstPage = Math.floor(Math.max(0, center - 50) / PAGE_SIZE);
      const lastPage = Math.floor(Math.min(counts.total - 1, center + 100) / PAGE_SIZE);
      const fresh = await this.readPages(firstPage, lastPage, counts.total, byPosition);
      if (generation !== this.generation) return;
      const focusedId = options.newList ? undefined : this.getItem(this.focusIndex)?.id;
      this.classes = sortClasses(classes);
      this.counts = counts;
      this.total = counts.total;
      this.pages = fresh;
      this.run++;
      this.inFlight.clear();
      this.movesSettled = moves;
      this.version++;
      const kept = focusedId === undefined ? -1 : indexOfImage(fresh, focusedId);
      if (kept >= 0) this.focusIndex = kept;
      if (this.focusIndex >= this.total) this.focusIndex = this.total - 1;
      if (this.focusIndex < 0 && this.total > 0) this.focusIndex = 0;
      void this.refreshUndoState();
      void this.loadDetails();
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  /**
   * Pages first..last of a list of `total` rows: the first from its own first row as it
   * was loaded (keyset: still right when rows changed only inside the loaded pages), or
   * by position when it was not loaded or `byPosition`; the rest each after the one
   * before. Read by keyset and holding other rows than its place says (rows came or
   * went above it), the whole run is read again by position.
   */
  private async readPages(
    first: number,
    last: number,
    total: number,
    byPosition: boolean,
  ): Promise<Map<number, LoadedPage>> {
    const fresh = new Map<number, LoadedPage>();
    for (let page = first; page <= last; page++) {
      const previous = fresh.get(page - 1);
      const cached = this.pages.get(page)?.firstCursor;
      const start: PageStart = previous?.nextCursor
        ? { after: previous.nextCursor }
        : cached && !byPosition
          ? { from: cached }
          : { at: page * PAGE_SIZE };
      const result = await this.readPage(start);
      if (!('at' in start) && !fits(page, result, total)) return this.readPages(first, last, total, true);
      fresh.set(page, result);
    }
    return fresh;
  }

  private readPage(start: PageStart): Promise<LoadedPage> {
    return this.api.getImagePage({ filter: this.filter, sort: this.sort, limit: PAGE_SIZE, start });
  }

  getItem(index: number): GridItem | undefined {
    void this.version;
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.items[index % PAGE_SIZE];
  }

  /** Fetches the pages covering [first, last] that are not loaded yet. */
  async ensureRange(first: number, last: number): Promise<void> {
    const top = Math.floor(Math.max(0, first) / PAGE_SIZE);
    const bottom = Math.min(Math.floor(last / PAGE_SIZE), Math.ceil(this.total / PAGE_SIZE) - 1);
    if (bottom < top) return;
    const held = [...this.pages.keys(), ...this.inFlight.keys()];
    const low = Math.min(...held);
    const high = Math.max(...held);
    if (held.length === 0 || bottom < low - 1 || top > high + 1) {
      // A jump: a new run of pages where the view is now.
      this.pages = new Map();
      this.inFlight.clear();
      this.run++;
      this.version++;
      await this.extend(top, bottom, 1);
      return;
    }
    await Promise.all([
      top < low ? this.extend(low - 1, top, -1) : undefined,
      bottom > high ? this.extend(high + 1, bottom, 1) : undefined,
    ]);
  }

  /** Loads pages from..to (step ±1), each after (or before) the one loaded just before it. */
  private async extend(from: number, to: number, step: 1 | -1): Promise<void> {
    const run = this.run;
    for (let page = from; step > 0 ? page <= to : page >= to; page += step) {
      if (run !== this.run) return; // reloaded or jumped meanwhile
      if (this.pages.has(page)) continue;
      // The neighbour it is read from may be on its way (another range asked for it).
      await this.inFlight.get(page - step);
      if (run !== this.run || this.pages.has(page)) continue;
      let pending = this.inFlight.get(page);
      if (!pending) {
        pending = this.loadPage(page);
        this.inFlight.set(page, pending);
      }
      await pending;
      if (run === this.run) this.inFlight.delete(page);
      if (!this.pages.has(page)) return; // failed, or found the run out of place
    }
  }

  /** A page next to a loaded one comes by keyset from that page's cursor; any other by position. */
  private startOf(page: number): PageStart {
    const above = this.pages.get(page - 1);
    if (above?.nextCursor) return { after: above.nextCursor };
    const below = this.pages.get(page + 1);
    if (below?.firstCursor) return { before: below.firstCursor };
    return { at: page * PAGE_SIZE };
  }

  private async loadPage(page: number): Promise<void> {
    const run = this.run;
    try {
      const start = this.startOf(page);
      const result = await this.readPage(start);
      if (run !== this.run) return;
      if (!('at' in start) && !fits(page, result, this.total)) {
        // Rows came or went above the run since it was read: read it again by position.
        this.moves++;
        void this.reload();
        return;
      }
      this.pages.set(page, result);
      this.version++;
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  async setFilter(filter: ImageFilter): Promise<void> {
    this.filter = filter;
    this.focusIndex = 0;
    this.selection = new Set();
    await this.reload({ newList: true });
  }

  async setSort(sort: LibrarySort): Promise<void> {
    this.sort = sort;
    await this.reload({ newList: true });
  }

  async loadDetails(): Promise<void> {
    const item = this.focused;
    if (!item) {
      this.details = null;
      return;
    }
    try {
      const details = await this.api.getImageDetails({ imageId: item.id });
      if (this.focused?.id === item.id) this.details = details;
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  // --- focus and selection -------------------------------------------------------

  focus(index: number, options: { extend?: boolean; toggle?: boolean } = {}): void {
    if (this.total === 0) return;
    const next = Math.max(0, Math.min(this.total - 1, index));
    if (options.extend) {
      const anchor = this.anchorIndex >= 0 ? this.anchorIndex : this.focusIndex;
      this.anchorIndex = anchor;
      this.selectRange(Math.min(anchor, next), Math.max(anchor, next));
    } else if (options.toggle) {
      const item = this.getItem(next);
      if (item) {
        const selection = new Set(this.selection);
        // Ctrl+click after a plain click: the plainly clicked (focused) image is part of the selection, as in any file manager.
        const focused = this.getItem(this.focusIndex);
        if (selection.size === 0 && focused && focused.id !== item.id) selection.add(focused.id);
        if (selection.has(item.id)) selection.delete(item.id);
        else selection.add(item.id);
        this.selection = selection;
      }
      this.anchorIndex = next;
    } else {
      this.anchorIndex = next;
    }
    this.focusIndex = next;
    void this.ensureRange(next - 20, next + 60);
    void this.loadDetails();
  }

  selectRange(first: number, last: number): void {
    const selection = new Set<number>();
    for (let index = first; index <= last; index++) {
      const item = this.getItem(index);
      if (item) selection.add(item.id);
    }
    this.selection = selection;
  }

  selectIndices(indices: number[], add: boolean): void {
    const selection = add ? new Set(this.selection) : new Set<number>();
    for (const index of indices) {
      const item = this.getItem(index);
      if (item) selection.add(item.id);
    }
    this.selection = selection;
  }

  async selectAll(): Promise<void> {
    try {
      this.selection = new Set(await this.api.getImageIds({ filter: this.filter }));
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  clearSelection(): void {
    this.selection = new Set();
    this.anchorIndex = this.focusIndex;
  }

  // --- labelling -------------------------------------------------------------------

  /** The images a label key applies to: the selection, or else the focused image. */
  private targets(): number[] {
    if (this.selection.size > 0) return [...this.selection];
    const item = this.focused;
    return item ? [item.id] : [];
  }

  /**
   * Labels the targets; with a single focused image, moves on to the next one. The grid
   * shows the new label at once, marked pending, and as saved only once the catalog
   * has committed it; a failed write puts the old labels back.
   */
  async label(classId: number | null): Promise<boolean> {
    const imageIds = this.targets();
    if (imageIds.length === 0) return false;
    const single = this.selection.size === 0;
    // Selected images may lie anywhere in the list; the focused one lies in the loaded pages.
    if (!single) this.moves++;
    const targets = new Set(imageIds);
    const before = this.labelsOf(targets);
    this.pending = new Set([...this.pending, ...imageIds]);
    const label: ItemLabel = { classId, labelSource: classId === null ? null : 'human' };
    this.applyLabels(new Map(imageIds.map((id) => [id, label])));
    if (single) this.focus(this.focusIndex + 1);
    try {
      await this.api.setLabels({ imageIds, classId });
      if (!single) this.moves++;
      this.scheduleRefresh();
      void this.refreshUndoState();
      if (this.details && targets.has(this.details.image.id)) void this.loadDetails();
      return true;
    } catch (error) {
      this.applyLabels(before);
      this.error = errorPayload(error);
      return false;
    } finally {
      const pending = new Set(this.pending);
      for (const id of imageIds) pending.delete(id);
      this.pending = pending;
    }
  }

  /** The cached labels of some images, to put back if their write fails. */
  private labelsOf(imageIds: ReadonlySet<number>): Map<number, ItemLabel> {
    const labels = new Map<number, ItemLabel>();
    for (const { items } of this.pages.values()) {
      for (const item of items)
        if (imageIds.has(item.id)) labels.set(item.id, { classId: item.classId, labelSource: item.labelSource });
    }
    return labels;
  }

  /**
   * Replaces cached grid items with relabelled copies. New objects, not mutation: the
   * grid passes each item through a derived value, which only notifies on a new reference.
   */
  private applyLabels(labels: ReadonlyMap<number, ItemLabel>): void {
    for (const { items } of this.pages.values()) {
      items.forEach((item, at) => {
        const label = labels.get(item.id);
        if (label) items[at] = { ...item, ...label };
      });
    }
    this.version++;
  }

  /**
   * Counts, and the list itself under filters a label can leave (Unlabeled, a class),
   * are re-read once labelling pauses: one query per burst of key presses, not per key.
   */
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.reload(), REFRESH_AFTER_LABEL_MS);
  }

  /**
   * Pins the targets to a split by hand (locked, so re-splitting keeps them), or with
   * `null` returns them to the automatic split. The inspector passes its one image.
   */
  async setSplit(split: Split | null, imageIds: number[] = this.targets()): Promise<boolean> {
    if (imageIds.length === 0) return false;
    try {
      await this.api.setImageSplit({ imageIds, split });
      await this.reload({ exact: true }); // split badges, counts, and the list under a split filter
      return true;
    } catch (error) {
      this.error = errorPayload(error);
      return false;
    }
  }

  async labelByName(name: string): Promise<boolean> {
    let cls = this.classes.find((c) => c.name === name);
    if (!cls) cls = (await this.createClass({ name })) ?? undefined;
    return cls ? this.label(cls.id) : false;
  }

  async refreshUndoState(): Promise<void> {
    try {
      this.undoState = await this.api.getUndoState({});
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  async undo(): Promise<void> {
    await this.runAndReload(() => this.api.undo({}));
  }

  async redo(): Promise<void> {
    await this.runAndReload(() => this.api.redo({}));
  }

  // --- classes ---------------------------------------------------------------------

  async createClass(input: {
    name: string;
    description?: string;
    hotkey?: string | null;
  }): Promise<ClassRecord | null> {
    try {
      const created = await this.api.createClass(input);
      this.classes = sortClasses([...this.classes, created]);
      return created;
    } catch (error) {
      this.error = errorPayload(error);
      return null;
    }
  }

  async updateClass(
    classId: number,
    patch: { name?: string; description?: string; colour?: string | null; hotkey?: string | null; archived?: boolean },
  ): Promise<boolean> {
    try {
      const updated = await this.api.updateClass({ classId, ...patch });
      this.classes = sortClasses(
        patch.archived
          ? this.classes.filter((c) => c.id !== classId)
          : this.classes.map((c) => (c.id === classId ? updated : c)),
      );
      return true;
    } catch (error) {
      this.error = errorPayload(error);
      return false;
    }
  }

  async mergeClasses(sourceId: number, targetId: number): Promise<void> {
    await this.runAndReload(() => this.api.mergeClasses({ sourceId, targetId }));
  }

  async deleteClass(classId: number): Promise<void> {
    if (this.filter.classId === classId) this.filter = {};
    await this.runAndReload(() => this.api.deleteClass({ classId }));
  }

  async importClassList(text: string): Promise<{ created: number; updated: number } | null> {
    try {
      const result = await this.api.importClassList({ text });
      await this.reload({ exact: true });
      return result;
    } catch (error) {
      this.error = errorPayload(error);
      return null;
    }
  }

  /** Undo, redo, merge and delete change rows anywhere in the list: the reload reads pages by position. */
  private async runAndReload(action: () => Promise<unknown>): Promise<void> {
    try {
      this.moves++;
      await action();
      this.moves++;
      await this.reload({ exact: true });
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  clearError(): void {
    this.error = null;
  }
}

/** Whether a page holds as many rows as its place in a list of `total` says it should. */
function fits(page: number, result: LoadedPage, total: number): boolean {
  return result.items.length === Math.max(0, Math.min(PAGE_SIZE, total - page * PAGE_SIZE));
}

function indexOfImage(pages: ReadonlyMap<number, LoadedPage>, imageId: number): number {
  for (const [page, { items }] of pages) {
    const at = items.findIndex((item) => item.id === imageId);
    if (at >= 0) return page * PAGE_SIZE + at;
  }
  return -1;
}

/** Gardiner order (A1 < A2 < … < Aa1) for sign codes, then other names alphabetically. */
function sortClasses(classes: ClassRecord[]): ClassRecord[] {
  return [...classes].sort((a, b) => compareGardinerCodes(a.name, b.name));
}
