/** Typed-array helpers shared by the main process's binary formats and model work. */

/** `parts` end to end in one new array of their kind. */
export function concatenated<T extends Uint8Array | Float32Array>(
  parts: readonly ArrayLike<number>[],
  make: (length: number) => T,
): T {
  const out = make(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
