/**
 * Named byte constants and 256-entry lookup tables used on the hot path.
 * Everything here is allocated once at module load; nothing allocates per byte.
 */

export const TAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const SPACE = 0x20;
export const HASH = 0x23; // '#'
export const PAREN_OPEN = 0x28; // '('
export const PAREN_CLOSE = 0x29; // ')'
export const DOT = 0x2e;
export const SLASH = 0x2f;
export const COLON = 0x3a;
export const DASH = 0x2d;
export const BRACKET_OPEN = 0x5b; // '['
export const BRACKET_CLOSE = 0x5d; // ']'
export const DIGIT_0 = 0x30;
export const DIGIT_9 = 0x39;
export const UPPER_A = 0x41;
export const UPPER_Z = 0x5a;
export const LOWER_A = 0x61;
export const LOWER_Z = 0x7a;
export const NUL = 0x00;

/** ASCII lower-casing table: `LOWER[b]` is `b` with A–Z folded to a–z; every other byte maps to itself. */
export const LOWER: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) t[i] = i >= UPPER_A && i <= UPPER_Z ? i + 32 : i;
  return t;
})();

/** `DIGIT_VALUE[b]` is 0–9 for an ASCII digit and 255 otherwise. */
export const DIGIT_VALUE: Uint8Array = (() => {
  const t = new Uint8Array(256).fill(255);
  for (let i = 0; i < 10; i++) t[DIGIT_0 + i] = i;
  return t;
})();

/** `HEX_VALUE[b]` is 0–15 for an ASCII hex digit (either case) and 255 otherwise. */
export const HEX_VALUE: Uint8Array = (() => {
  const t = new Uint8Array(256).fill(255);
  for (let i = 0; i < 10; i++) t[DIGIT_0 + i] = i;
  for (let i = 0; i < 6; i++) {
    t[UPPER_A + i] = 10 + i;
    t[LOWER_A + i] = 10 + i;
  }
  return t;
})();

/** Bytes that may not appear in a host-name label (controls, space, parentheses, dot). */
export const NOT_LABEL_BYTE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i <= SPACE; i++) t[i] = 1;
  t[0x7f] = 1;
  t[PAREN_OPEN] = 1;
  t[PAREN_CLOSE] = 1;
  t[DOT] = 1;
  return t;
})();

/** Decode a byte range as latin1 (one char per byte): log bytes are ANSI, never assumed UTF-8. */
export function latin1(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
}
