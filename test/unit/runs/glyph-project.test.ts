/** Whether a project's classes are hieroglyphs decides whether its images may be mirrored. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGlyphProject } from '../../../src-main/runs/dataset-snapshot.js';

test('a project is a glyph project when at least half its class names are Gardiner codes', () => {
  assert.equal(isGlyphProject(['G43', 'D58', 'X1']), true);
  assert.equal(isGlyphProject(['G43', 'UNKNOWN']), true);
  assert.equal(isGlyphProject(['daisy', 'rose', 'tulip']), false);
  assert.equal(isGlyphProject(['G43', 'daisy', 'rose']), false);
});
