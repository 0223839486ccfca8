import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inverse, type WallEdit } from '../../../src-renderer/src/state/wall-edits.js';

test('wall edits: a group is taken back in reverse order, each part inverted; twice is the edit itself', () => {
  const split: WallEdit = {
    kind: 'group',
    edits: [
      { kind: 'move', imageId: 4, from: [10, 5, 90, 39], to: [10, 5, 50, 39] },
      { kind: 'add', imageId: 9, box: [50, 5, 90, 39], classId: null },
    ],
  };
  assert.deepEqual(inverse(split), {
    kind: 'group',
    edits: [
      { kind: 'delete', imageId: 9, box: [50, 5, 90, 39], classId: null },
      { kind: 'move', imageId: 4, from: [10, 5, 50, 39], to: [10, 5, 90, 39] },
    ],
  });
  assert.deepEqual(inverse(inverse(split)), split);
  const label: WallEdit = { kind: 'label', imageId: 4, from: null, to: 7 };
  assert.deepEqual(inverse(label), { kind: 'label', imageId: 4, from: 7, to: null });
});
