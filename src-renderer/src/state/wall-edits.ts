/**
 * Box edits of the Wall view as data: what each did, so that undo can take it back
 * (`inverse`) and redo do it again. Image ids change when a box is drawn again; the
 * state follows them (WallState.remap).
 */
import type { WallBox } from '../../../src-shared/api/contract.js';

/** One undoable edit, with what undoing it needs. Image ids change when a box is drawn again. */
export type WallEdit =
  | { kind: 'add'; imageId: number; box: WallBox; classId: number | null }
  | { kind: 'delete'; imageId: number; box: WallBox; classId: number | null }
  | { kind: 'move'; imageId: number; from: WallBox; to: WallBox }
  | { kind: 'label'; imageId: number; from: number | null; to: number | null }
  /** Several edits that undo as one (split, merge). */
  | { kind: 'group'; edits: WallEdit[] };

export function sameBox(a: WallBox, b: WallBox): boolean {
  return a.every((value, i) => value === b[i]);
}

/** The edit that takes `edit` back. */
export function inverse(edit: WallEdit): WallEdit {
  switch (edit.kind) {
    case 'group':
      return { kind: 'group', edits: edit.edits.map(inverse).reverse() };
    case 'add':
      return { ...edit, kind: 'delete' };
    case 'delete':
      return { ...edit, kind: 'add' };
    case 'move':
      return { ...edit, from: edit.to, to: edit.from };
    case 'label':
      return { ...edit, from: edit.to, to: edit.from };
  }
}
