/**
 * The hash of one label under one parent node, shared by the compiler and the
 * lookup so both agree bit for bit. FNV-1a over ASCII-case-folded bytes, seeded
 * with the parent node id so that the same label under different parents lands
 * in different slots.
 */
import { LOWER } from '../core/index.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Odd 32-bit constant (golden ratio) spreading parent ids over the hash space. */
const PARENT_MIX = 0x9e3779b1;

/** Hash of `buf[start, end)` folded to lower case, under `parent`. Unsigned 32-bit. */
export function labelHash(parent: number, buf: Uint8Array, start: number, end: number): number {
  let h = (FNV_OFFSET ^ Math.imul(parent + 1, PARENT_MIX)) >>> 0;
  for (let i = start; i < end; i++) {
    h ^= LOWER[buf[i]!]!;
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}
