import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import type { AppServices } from '../../app/app-services.js';
import { imageDetails } from '../../catalog/image-details.js';
import { importClassList } from '../../import/class-list.js';

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

export function libraryHandlers(services: AppServices): LibraryHandlers {
  const catalog = () => services.catalog;
  return {
    getCatalogStats: () => catalog().stats(),
    listClasses: ({ includeArchived }) => catalog().classes.list({ includeArchived }),
    getClassCounts: ({ filter }) => ({ ...catalog().grid.classCounts(filter), total: catalog().grid.count(filter) }),
    getImagePage: ({ filter, sort, descending, limit, start }) =>
      catalog().grid.page(filter, { sort, descending, limit, ...start }),
    getImageIds: ({ filter }) => catalog().grid.ids(filter, MAX_SELECT_ALL),
    getImageDetails: ({ imageId }) => imageDetails(catalog(), imageId),
    setLabels: ({ imageIds, classId }) =>
      catalog().labels.setLabels(
        imageIds.map((imageId) => ({ imageId, classId })),
        { source: 'human' },
      ),
    undo: () => catalog().labels.undo(),
    redo: () => catalog().labels.redo(),
    getUndoState: () => ({ undo: catalog().labels.peekUndo() ?? null, redo: catalog().labels.peekRedo() ?? null }),
    createClass: ({ name, description, colour, hotkey }) =>
      // No hotkey given: the catalog gives the next free digit; null means none.
      catalog().classes.create({
        name,
        description,
        colour: colour ?? null,
        ...(hotkey === undefined ? {} : { hotkey }),
      }),
    updateClass: ({ classId, ...patch }) => catalog().classes.update(classId, patch),
    mergeClasses: ({ sourceId, targetId }) => catalog().labels.mergeClasses(sourceId, targetId),
    deleteClass: ({ classId }) => ({ unlabelled: catalog().labels.deleteClass(classId).unlabelled }),
    importClassList: ({ text }) => importClassList(catalog(), text),
  };
}
