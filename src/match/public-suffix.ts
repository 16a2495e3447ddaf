/**
 * "Is this last label a public top-level suffix?" — asked for every client
 * query that did not match as logged, to decide whether its trailing labels are
 * a private search suffix (`corp.local`, `lan`) that may be stripped.
 *
 * The answer comes from the Public Suffix List (the `tldts` package, ICANN
 * section only), never from a hand-written TLD list. A log holds few distinct
 * last labels, so answers are memoised per thread in a small byte-keyed table:
 * the hot path hashes bytes and makes a string only on the first sight of a label.
 */
import { parse } from 'tldts';
import { LOWER } from '../core/index.js';
import { labelHash } from './label-hash.js';

/** Memo capacity (distinct last labels); past it, answers are computed without being stored. */
const MEMO_SLOTS = 8192;
const MEMO_MAX_ENTRIES = MEMO_SLOTS / 2;
const MEMO_POOL_BYTES = 128 * 1024;
/** Parent id used to seed the label hash for the memo (any fixed value works). */
const MEMO_SEED = 0x7ffffff0;

const STATE_PUBLIC = 1;
const STATE_PRIVATE = 2;

/** True when `label` (lower case) is a public suffix of its own (an ICANN TLD such as `com`, `pw`, `onion`). */
export function isPublicTopLabel(label: string): boolean {
  return parse(`x.${label}`, { allowPrivateDomains: false }).isIcann === true;
}

/** Per-thread memo of `isPublicTopLabel` keyed by the label's bytes. */
export class PublicLabelMemo {
  private readonly hashes = new Int32Array(MEMO_SLOTS);
  private readonly offsets = new Int32Array(MEMO_SLOTS);
  private readonly lengths = new Int32Array(MEMO_SLOTS);
  private readonly states = new Uint8Array(MEMO_SLOTS);
  private readonly pool = new Uint8Array(MEMO_POOL_BYTES);
  private poolUsed = 0;
  private entries = 0;

  /** Whether the label `buf[start, end)` is a public top-level suffix (case-insensitive). */
  isPublic(buf: Uint8Array, start: number, end: number): boolean {
    const len = end - start;
    const h = labelHash(MEMO_SEED, buf, start, end) | 0;
    const mask = MEMO_SLOTS - 1;
    let i = h & mask;
    while (this.states[i] !== 0) {
      if (this.hashes[i] === h && this.lengths[i] === len) {
        const off = this.offsets[i]!;
        let j = 0;
        while (j < len && this.pool[off + j] === LOWER[buf[start + j]!]) j++;
        if (j === len) return this.states[i] === STATE_PUBLIC;
      }
      i = (i + 1) & mask;
    }
    const label = Buffer.from(buf.buffer, buf.byteOffset + start, len).toString('latin1').toLowerCase();
    const pub = isPublicTopLabel(label);
    if (this.entries < MEMO_MAX_ENTRIES && this.poolUsed + len <= MEMO_POOL_BYTES) {
      for (let j = 0; j < len; j++) this.pool[this.poolUsed + j] = LOWER[buf[start + j]!]!;
      this.hashes[i] = h;
      this.offsets[i] = this.poolUsed;
      this.lengths[i] = len;
      this.states[i] = pub ? STATE_PUBLIC : STATE_PRIVATE;
      this.poolUsed += len;
      this.entries++;
    }
    return pub;
  }
}
