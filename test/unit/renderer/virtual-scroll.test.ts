import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MAX_SCROLL_HEIGHT,
  contentTop,
  scrollSpace,
  scrollTopFor,
} from '../../../src-renderer/src/components/virtual-scroll.js';

test('a list within the cap scrolls one pixel of content per pixel of scrollbar', () => {
  const space = scrollSpace(10_000 * 134, 600);
  assert.equal(space.scrollable, space.content);
  for (const scrollTop of [0, 1, 5_000, 1_339_400]) {
    assert.equal(contentTop(space, scrollTop), scrollTop);
    assert.equal(scrollTopFor(space, scrollTop), scrollTop);
  }
});

test('a million images in three columns: every row, the last included, can be scrolled to', () => {
  // 333,334 rows of 134 px: 44.7 M px, past Chromium's 33.5 M px cap on an element's height.
  const pitch = 134;
  const rows = Math.ceil(1_000_000 / 3);
  const space = scrollSpace(rows * pitch + 6, 600);
  assert.ok(space.scrollable <= MAX_SCROLL_HEIGHT);
  const bottom = space.scrollable - space.viewport;
  // The scrollbar at its end shows the end of the content.
  assert.equal(contentTop(space, bottom), space.content - space.viewport);
  // Its last pixel row belongs to the last row of cells.
  assert.equal(Math.floor((contentTop(space, bottom) + space.viewport - 1 - 6) / pitch), rows - 1);
  assert.equal(contentTop(space, 0), 0);
  // Keyboard focus on any row scrolls to a position that shows it.
  for (const row of [0, 1, 1000, 200_000, rows - 1]) {
    const target = Math.min(row * pitch, space.content - space.viewport);
    const scrollTop = scrollTopFor(space, target);
    assert.ok(scrollTop >= 0 && scrollTop <= bottom, `row ${row}`);
    const shown = contentTop(space, scrollTop);
    assert.ok(shown <= row * pitch + 1e-6 && row * pitch < shown + space.viewport, `row ${row} in view`);
  }
});
