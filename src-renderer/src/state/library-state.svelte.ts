/**
 * The Library: a filtered, sorted view of the catalog paged in on demand, the
 * keyboard focus and selection, and labelling. A label is shown as saved only after
 * the main process has committed it.
 */
import type {
  ApiErrorPayload,
  ClassRecord,
  GridItem,
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

  private pages = new Map<number, GridItem[]>();
  private loading = new Set<number>();
  private generation = 0;

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
   * next image instead of skipping one.
   */
  async reload(options: { newList?: boolean } = {}): Promise<void> {
    const generation = ++this.generation;
    this.loading.clear();
    if (options.newList) {
      // Another filter or sort: the old pages say nothing about the new list.
      this.pages = new Map();
      this.version++;
    }
    try {
      const [classes, counts] = await Promise.all([
        this.api.listClasses({}),
        this.api.getClassCounts({ filter: this.filter }),
      ]);
      if (generation !== this.generation) return;
      const center = Math.max(0, Math.min(this.focusIndex, counts.total - 1));
      const fresh = new Map<number, GridItem[]>();
      const firstPage = Math.floor(Math.max(0, center - 50) / PAGE_SIZE);
      const lastPage = Math.floor(Math.min(counts.total - 1, center + 100) / PAGE_SIZE);
      await Promise.all(
        Array.from({ length: Math.max(0, lastPage - firstPage + 1) }, async (_, i) => {
          const page = firstPage + i;
          const result = await this.api.getImagePage({
            filter: this.filter,
            sort: this.sort,
            offset: page * PAGE_SIZE,
            limit: PAGE_SIZE,
          });
          fresh.set(page, result.items);
        }),
      );
      if (generation !== this.generation) return;
      const focusedId = options.newList ? undefined : this.getItem(this.focusIndex)?.id;
      this.classes = sortClasses(classes);
      this.counts = counts;
      this.total = counts.total;
      this.pages = fresh;
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

  getItem(index: number): GridItem | undefined {
    void this.version;
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** Fetches the pages covering [first, last] that are not cached yet. */
  async ensureRange(first: number, last: number): Promise<void> {
    const wanted: Promise<void>[] = [];
    for (let page = Math.floor(Math.max(0, first) / PAGE_SIZE); page <= Math.floor(last / PAGE_SIZE); page++) {
      if (page * PAGE_SIZE >= this.total || this.pages.has(page) || this.loading.has(page)) continue;
      wanted.push(this.loadPage(page));
    }
    await Promise.all(wanted);
  }

  private async loadPage(page: number): Promise<void> {
    const generation = this.generation;
    this.loading.add(page);
    try {
      const result = await this.api.getImagePage({
        filter: this.filter,
        sort: this.sort,
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
      });
      if (generation !== this.generation) return; // the filter changed meanwhile
      this.pages.set(page, result.items);
      this.version++;
    } catch (error) {
      this.error = errorPayload(error);
    } finally {
      this.loading.delete(page);
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
    const targets = new Set(imageIds);
    const before = this.labelsOf(targets);
    this.pending = new Set([...this.pending, ...imageIds]);
    const label: ItemLabel = { classId, labelSource: classId === null ? null : 'human' };
    this.applyLabels(new Map(imageIds.map((id) => [id, label])));
    if (single) this.focus(this.focusIndex + 1);
    try {
      await this.api.setLabels({ imageIds, classId });
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
    for (const items of this.pages.values()) {
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
    for (const items of this.pages.values()) {
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
      await this.reload(); // split badges, counts, and the list under a split filter
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
      await this.reload();
      return result;
    } catch (error) {
      this.error = errorPayload(error);
      return null;
    }
  }

  private async runAndReload(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
      await this.reload();
    } catch (error) {
      this.error = errorPayload(error);
    }
  }

  clearError(): void {
    this.error = null;
  }
}

function indexOfImage(pages: ReadonlyMap<number, GridItem[]>, imageId: number): number {
  for (const [page, items] of pages) {
    const at = items.findIndex((item) => item.id === imageId);
    if (at >= 0) return page * PAGE_SIZE + at;
  }
  return -1;
}

/** Gardiner order (A1 < A2 < … < Aa1) for sign codes, then other names alphabetically. */
function sortClasses(classes: ClassRecord[]): ClassRecord[] {
  return [...classes].sort((a, b) => compareGardinerCodes(a.name, b.name));
}
