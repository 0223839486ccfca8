/**
 * The Wall view's keyboard map, a pure function from a key event to an action, as the
 * Library's is: class hotkeys label the selected box, arrows and Tab step through the
 * boxes in reading order.
 */
export type WallAction =
  | { type: 'step'; delta: number }
  | { type: 'label'; classId: number }
  | { type: 'clear-label' }
  | { type: 'picker' }
  | { type: 'accept' }
  | { type: 'delete' }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'draw' }
  | { type: 'split' }
  | { type: 'merge' }
  | { type: 'escape' }
  | { type: 'zoom'; factor: number };

const STEPS: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, j: 1, k: -1 };

export function wallAction(event: KeyboardEvent, keyToClass: ReadonlyMap<string, number>): WallAction | null {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (mod && key === 'z') return event.shiftKey ? { type: 'redo' } : { type: 'undo' };
  if (mod && key === 'y') return { type: 'redo' };
  if (mod || event.altKey) return null;
  if (key === 'Tab') return { type: 'step', delta: event.shiftKey ? -1 : 1 };
  const step = STEPS[key];
  if (step !== undefined) return { type: 'step', delta: step };
  if (key === 'Enter') return { type: 'picker' };
  if (key === 'Backspace' || key === 'Delete') return { type: 'delete' };
  if (key === 'Escape') return { type: 'escape' };
  if (key === 'b') return { type: 'draw' };
  if (key === 's') return { type: 'split' };
  if (key === 'm') return { type: 'merge' };
  if (key === 'a') return { type: 'accept' };
  if (key === 'u') return { type: 'clear-label' };
  if (key === '+' || key === '=') return { type: 'zoom', factor: 1.25 };
  if (key === '-') return { type: 'zoom', factor: 0.8 };
  const classId = keyToClass.get(key);
  return classId === undefined ? null : { type: 'label', classId };
}
