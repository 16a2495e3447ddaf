/**
 * The pair filter: a Bloom filter over the indicators, kept in the compiled
 * image for the WebAssembly skim (`wasm/skim.ts`), which reads a query name
 * and leaves to the matcher only a name that might match.
 *
 * What goes in: for every indicator, its two leftmost labels as a pair
 * (`update.netal` for `update.netal.org`), or its one label (`pw`), with a
 * flag on the image saying some indicator is a single label. An indicator
 * matches a name only when the name holds all of its labels side by side,
 * whatever search suffix is stripped; so a name none of whose adjacent label
 * pairs (nor, with the flag, none of whose labels) is in the filter matches
 * nothing. Four bits a key; the filter has 32 bits an indicator, up to 2 MiB
 * (16 bits each for a million), so about 0.02 % false positives a pair
 * ((1 - e^(-4/32))^4), 0.24 % for a million. A lookup reads a second bit
 * only when the first is set (about one time in eight), so the extra bits
 * cost little; with two bits a key (0.37 % and 1.4 %) a 100,000-name set
 * sent ~16,000 more lines a gigabyte of the benchmark log to the matcher,
 * each a walk of a 5 MB image. A name has a pair fewer than it has labels,
 * and an IPv6 reverse lookup (34 labels) tries 33: a false positive only
 * costs a call to the matcher, but they add up. The compiler sets the keys as it inserts each
 * indicator (build-matcher.ts).
 *
 * The hash is the module's (`labelKey`, `pairKey`, `setBits` in
 * wasm/skim.ts), ported word for word: the tests compare this filter with
 * the one the module builds through its own `filterAddPair`/`filterAddSingle`.
 * A label's key is its length and its first and last four bytes, each
 * OR 0x20 (which folds A–Z as the matcher does, and more: a coarser key only
 * adds false positives).
 */

/** Key namespace of single labels, apart from pairs. */
const SINGLE_SEED = 0x5bd1e995;
const FOLD_WORD = 0x20202020;
const FILTER_BITS_PER_INDICATOR = 32;
const MIN_FILTER_BITS = 1 << 16;
const MAX_FILTER_BITS = 1 << 24;

/** Filter size in bits for `indicators` indicators: a power of two. */
export function filterBitsFor(indicators: number): number {
  const want = Math.max(MIN_FILTER_BITS, indicators * FILTER_BITS_PER_INDICATOR);
  let bits = MIN_FILTER_BITS;
  while (bits < want && bits < MAX_FILTER_BITS) bits *= 2;
  return bits;
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function word(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

/** The key of the label `b[p, p + len)`. */
export function labelKey(b: Uint8Array, p: number, len: number): number {
  let first = 0;
  let last = 0;
  if (len >= 4) {
    first = word(b, p);
    last = word(b, p + len - 4);
  } else {
    for (let i = 0; i < len; i++) first |= b[p + i]! << (i * 8);
    last = first;
  }
  first |= FOLD_WORD;
  last |= FOLD_WORD;
  let h = Math.imul(first, 0x9e3779b1) ^ rotl(Math.imul(last, 0x85ebca77), 15) ^ Math.imul(len, 0xc2b2ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/** The key of a label pair, from the keys of its left and right labels. */
export function pairKey(left: number, right: number): number {
  let h = left ^ rotl(Math.imul(right, 0xcc9e2d51), 13);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** The key of a single label, from its label key. */
export function singleKey(key: number): number {
  return (key ^ SINGLE_SEED) >>> 0;
}

/** Bits a key sets (see the top of this file for why four). */
export const FILTER_PROBES = 4;

/** Set the FILTER_PROBES bits of key `h` in `filter` (`mask` = bit count - 1): `h`, then steps of an odd stride. */
export function setBits(filter: Uint8Array, mask: number, h: number): void {
  const step = (Math.imul(rotl(h, 16), 0x297a2d39) | 1) >>> 0;
  let bit = h >>> 0;
  for (let i = 0; i < FILTER_PROBES; i++) {
    const b = bit & mask;
    filter[b >>> 3]! |= 1 << (b & 7);
    bit = (bit + step) >>> 0;
  }
}
