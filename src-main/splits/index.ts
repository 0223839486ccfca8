/** The split algorithms: pure functions over plain data (no SQL, no Electron). */
export * from './types.js';
export { stratifiedSplit, classTargets, activeSplits } from './stratified.js';
export { groupAwareSplit, type GroupAwareResult, type GroupPlacement } from './group-aware.js';
export { assignNewItems, type AssignNewItemsOptions } from './new-items.js';
export {
  compileGroupKey,
  folderKey,
  parseFolderKey,
  groupKeyFromPath,
  GROUP_KEY_PRESETS,
  FOLDER_PRESET,
  UNAS_PICTURE_PRESET,
  type GroupKeyMode,
  type GroupKeyPreset,
} from './group-keys.js';
export {
  findCrossSplitDuplicates,
  duplicateGroupKeys,
  type CrossSplitDuplicate,
  type HashedSplitItem,
} from './duplicates.js';
export { largestRemainder, IMBALANCE_FACTOR } from './summary.js';
