/**
 * Scroll geometry for the virtual grid when the list is taller than a browser lays out.
 *
 * Chromium caps an element's height at 33,554,428 px (Firefox near 17.9 M). A million
 * images in three columns of 134 px is 44.9 M px: the last quarter of the Library could
 * not be scrolled to. So the scrollable height is capped, and a scroll position maps
 * linearly onto the real content: the top of the scrollbar is the first row, its
 * bottom the last, and a pixel of scrollbar is `ratio` pixels of content. Below the
 * cap the ratio is 1 and nothing changes.
 */

/** Well below both browsers' caps. */
export const MAX_SCROLL_HEIGHT = 15_000_000;

export interface ScrollSpace {
  /** The content's real height. */
  content: number;
  /** The height the scroll container is given (the content's, capped). */
  scrollable: number;
  /** The viewport's height. */
  viewport: number;
}

export function scrollSpace(content: number, viewport: number, cap = MAX_SCROLL_HEIGHT): ScrollSpace {
  return { content, scrollable: Math.min(content, cap), viewport };
}

/** The content offset shown at the viewport's top for a scroll position. */
export function contentTop(space: ScrollSpace, scrollTop: number): number {
  const range = space.scrollable - space.viewport;
  if (space.content === space.scrollable || range <= 0) return scrollTop;
  return (Math.min(scrollTop, range) / range) * (space.content - space.viewport);
}

/** The scroll position that shows content offset `top` at the viewport's top (contentTop's inverse). */
export function scrollTopFor(space: ScrollSpace, top: number): number {
  const range = space.scrollable - space.viewport;
  if (space.content === space.scrollable || range <= 0) return top;
  return (Math.max(0, top) / (space.content - space.viewport)) * range;
}
