/**
 * The Library's keyboard map, as a pure function from a key event to an action, so
 * the view stays small and the mapping is easy to read in one place.
 */
export type LibraryAction =
  | { type: 'move'; dx: number; dy: number; extend: boolean }
  | { type: 'label'; classId: number }
  | { type: 'unknown' }
  | { type: 'clear' }
  | { type: 'picker' }
  | { type: 'selectAll' }
  | { type: 'escape' }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'toggle' };

const MOVES: Record<string, [number, number]> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
  h: [-1, 0],
  l: [1, 0],
  k: [0, -1],
  j: [0, 1],
};

export function libraryAction(event: KeyboardEvent, keyToClass: ReadonlyMap<string, number>): LibraryAction | null {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (mod && key === 'z') return event.shiftKey ? { type: 'redo' } : { type: 'undo' };
  if (mod && key === 'y') return { type: 'redo' };
  if (mod && key === 'a') return { type: 'selectAll' };
  if (mod || event.altKey) return null;
  const move = MOVES[key];
  if (move) return { type: 'move', dx: move[0], dy: move[1], extend: event.shiftKey };
  if (key === 'Enter') return { type: 'picker' };
  if (key === 'Backspace' || key === 'Delete') return { type: 'clear' };
  if (key === 'Escape') return { type: 'escape' };
  if (key === ' ') return { type: 'toggle' };
  if (key === 'u') return { type: 'unknown' };
  const classId = keyToClass.get(key);
  return classId === undefined ? null : { type: 'label', classId };
}

/**
 * Each class's stored hotkey. The catalog gives a new class the next free digit when
 * it is created, so keys never move as classes are added or sorted; a class without
 * one (all ten taken, or the user cleared it) has no key.
 */
export function hotkeyMap(classes: ReadonlyArray<{ id: number; hotkey: string | null }>): Map<string, number> {
  const map = new Map<string, number>();
  for (const cls of classes) if (cls.hotkey) map.set(cls.hotkey.toLowerCase(), cls.id);
  return map;
}

/** Why the grid is empty, in words: "No image is labelled G17 and in the validation split." */
export function describeFilter(
  filter: {
    classId?: number;
    unlabeled?: boolean;
    split?: string;
    labelSource?: string;
    predictedClassId?: number;
    pathContains?: string;
    status?: string;
    confidenceMin?: number;
    confidenceMax?: number;
  },
  classById: ReadonlyMap<number, { name: string }>,
): string {
  const name = (id: number) => classById.get(id)?.name ?? `class ${id}`;
  const sources: Record<string, string> = {
    human: 'labelled by a person',
    import: 'labelled by the import',
    model: 'labelled from a prediction',
  };
  const parts: string[] = [];
  if (filter.classId !== undefined) parts.push(`is labelled ${name(filter.classId)}`);
  if (filter.unlabeled) parts.push('is unlabelled');
  if (filter.labelSource) parts.push(`is ${sources[filter.labelSource] ?? filter.labelSource}`);
  if (filter.split === 'none') parts.push('has no split');
  else if (filter.split) parts.push(`is in the ${filter.split} split`);
  if (filter.predictedClassId !== undefined) parts.push(`is predicted ${name(filter.predictedClassId)}`);
  if (filter.confidenceMin !== undefined || filter.confidenceMax !== undefined)
    parts.push('has a prediction in the confidence range');
  if (filter.pathContains) parts.push(`has “${filter.pathContains}” in its path`);
  if (filter.status === 'missing') parts.push('is missing on disk');
  if (parts.length === 0) return 'No image matches the filters.';
  const last = parts.pop()!;
  return `No image ${parts.length > 0 ? `${parts.join(', ')} and ${last}` : last}.`;
}
