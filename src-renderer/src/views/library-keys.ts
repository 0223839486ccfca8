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

/** Explicit hotkeys first; digits 1…9, 0 go to the first classes that have none. */
export function hotkeyMap(classes: ReadonlyArray<{ id: number; hotkey: string | null }>): Map<string, number> {
  const map = new Map<string, number>();
  for (const cls of classes) if (cls.hotkey) map.set(cls.hotkey.toLowerCase(), cls.id);
  const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'].filter((digit) => !map.has(digit));
  for (const cls of classes) {
    if (cls.hotkey || digits.length === 0) continue;
    map.set(digits.shift()!, cls.id);
  }
  return map;
}
