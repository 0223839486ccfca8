import { AppError } from '../../../src-shared/errors.js';
import type { AppServices } from '../../app/app-services.js';
import { detectDelimiter, parseDelimited } from '../../import/csv.js';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import type { ImageDetails } from '../../../src-shared/api/types.js';

type LibraryHandlers = Pick<
  ApiHandlers,
  | 'getCatalogStats'
  | 'listClasses'
  | 'getClassCounts'
  | 'getImagePage'
  | 'getImageIds'
  | 'getImageDetails'
  | 'setLabels'
  | 'undo'
  | 'redo'
  | 'getUndoState'
  | 'createClass'
  | 'updateClass'
  | 'mergeClasses'
  | 'deleteClass'
  | 'importClassList'
>;

/** "Select all" is capped so one call cannot hand the renderer an unbounded list. */
export const MAX_SELECT_ALL = 250_000;

function details(services: AppServices, imageId: number): ImageDetails {
  const { catalog } = services;
  const image = catalog.images.require(imageId);
  const label = catalog.labels.get(imageId);
  const split = catalog.splits.get(imageId);
  const predictions = catalog.runs
    .list()
    .map((run) => catalog.runs.prediction(run.id, imageId))
    .filter((prediction) => prediction !== undefined)
    .map((prediction) => ({ runId: prediction.runId, classId: prediction.classId, confidence: prediction.confidence, topK: prediction.topK }));
  return {
    image,
    absolutePath: catalog.images.absolutePath(image),
    classId: label?.classId ?? null,
    labelSource: label?.source ?? null,
    split: split?.split ?? null,
    splitLocked: split?.locked ?? false,
    history: catalog.labels.historyOf(imageId).map((row) => ({
      at: row.at,
      action: row.action,
      fromClassId: row.old_class_id,
      toClassId: row.new_class_id,
      source: row.new_source,
    })),
    predictions,
  };
}

/** Parses `name,description` lines (a header row is recognised and skipped). */
function parseClassList(text: string): Array<{ name: string; description: string }> {
  const rows = parseDelimited(text, detectDelimiter(text)).filter((row) => row.some((cell) => cell.trim() !== ''));
  const first = rows[0]?.map((cell) => cell.trim().toLowerCase());
  if (first && first[0] === 'name') rows.shift();
  return rows.map((row, index) => {
    const name = (row[0] ?? '').trim();
    if (!name) throw new AppError('INVALID_INPUT', `Class list line ${index + 1} has no class name`);
    return { name, description: (row[1] ?? '').trim() };
  });
}

export function libraryHandlers(services: AppServices): LibraryHandlers {
  const catalog = () => services.catalog;
  return {
    getCatalogStats: () => catalog().stats(),
    listClasses: ({ includeArchived }) => catalog().classes.list({ includeArchived }),
    getClassCounts: ({ filter }) => ({ ...catalog().grid.classCounts(filter), total: catalog().grid.count(filter) }),
    getImagePage: ({ filter, sort, descending, offset, limit }) => catalog().grid.page(filter, { sort, descending, offset, limit }),
    getImageIds: ({ filter }) => {
      const ids: number[] = [];
      let after: string | null = null;
      do {
        const page = catalog().grid.page(filter, { limit: 1000, after });
        for (const item of page.items) ids.push(item.id);
        after = page.nextCursor;
      } while (after && ids.length < MAX_SELECT_ALL);
      return ids.slice(0, MAX_SELECT_ALL);
    },
    getImageDetails: ({ imageId }) => details(services, imageId),
    setLabels: ({ imageIds, classId }) =>
      catalog().labels.setLabels(imageIds.map((imageId) => ({ imageId, classId })), { source: 'human' }),
    undo: () => catalog().labels.undo(),
    redo: () => catalog().labels.redo(),
    getUndoState: () => ({ undo: catalog().labels.peekUndo() ?? null, redo: catalog().labels.peekRedo() ?? null }),
    createClass: ({ name, description, colour, hotkey }) =>
      // No hotkey given: the catalog gives the next free digit; null means none.
      catalog().classes.create({ name, description, colour: colour ?? null, ...(hotkey === undefined ? {} : { hotkey }) }),
    updateClass: ({ classId, ...patch }) => catalog().classes.update(classId, patch),
    mergeClasses: ({ sourceId, targetId }) => catalog().labels.mergeClasses(sourceId, targetId),
    deleteClass: ({ classId }) => ({ unlabelled: catalog().labels.deleteClass(classId).unlabelled }),
    importClassList: ({ text }) => {
      const entries = parseClassList(text);
      return catalog().transaction(() => {
        let created = 0;
        let updated = 0;
        for (const entry of entries) {
          const existing = catalog().classes.findByName(entry.name);
          if (!existing) {
            catalog().classes.create(entry);
            created++;
          } else if (entry.description && entry.description !== existing.description) {
            catalog().classes.update(existing.id, { description: entry.description });
            updated++;
          }
        }
        return { created, updated };
      });
    },
  };
}
