/**
 * A table keyed by a label's bytes (ASCII case folded), for the per-thread
 * memos of the hot path: a lookup hashes the bytes in place and makes no
 * string. Open addressing over fixed typed arrays; entries are never removed,
 * and a full table takes no new ones (callers then compute without storing),
 * so memory stays bounded whatever the log holds. Callers keep their values in
 * arrays of their own, indexed by the slot this table returns.
 */
import { LOWER } from '../core/index.js';
import { labelHash } from './label-hash.js';

/** Parent id used to seed the label hash (any fixed value works). */
const TABLE_SEED = 0x7ffffff0;

export class LabelTable {
  readonly slots: number;
  private readonly hashes: Int32Array;
  private readonly offsets: Int32Array;
  private readonly lengths: Int32Array;
  private readonly used: Uint8Array;
  private readonly pool: Uint8Array;
  private readonly maxEntries: number;
  private poolUsed = 0;
  private entries = 0;
  /** Hash of the label last passed to `find`, for the `insert` that may follow. */
  private lastHash = 0;

  /** `slots` must be a power of two; at most half of them are filled. */
  constructor(slots: number, poolBytes: number) {
    this.slots = slots;
    this.hashes = new Int32Array(slots);
    this.offsets = new Int32Array(slots);
    this.lengths = new Int32Array(slots);
    this.used = new Uint8Array(slots);
    this.pool = new Uint8Array(poolBytes);
    this.maxEntries = slots >>> 1;
  }

  /** The slot holding the label `buf[start, end)`, or `-1 - s` where `s` is the free slot it would take. */
  find(buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    const h = labelHash(TABLE_SEED, buf, start, end) | 0;
    this.lastHash = h;
    const mask = this.slots - 1;
    let i = h & mask;
    while (this.used[i] !== 0) {
      if (this.hashes[i] === h && this.lengths[i] === len) {
        const off = this.offsets[i]!;
        let j = 0;
        while (j < len && this.pool[off + j] === LOWER[buf[start + j]!]) j++;
        if (j === len) return i;
      }
      i = (i + 1) & mask;
    }
    return -1 - i;
  }

  /**
   * Store the label of the `find` call that just returned `missing` (< 0);
   * returns its slot, or -1 when the table is full.
   */
  insert(buf: Uint8Array, start: number, end: number, missing: number): number {
    const len = end - start;
    if (this.entries >= this.maxEntries || this.poolUsed + len > this.pool.length) return -1;
    const i = -1 - missing;
    for (let j = 0; j < len; j++) this.pool[this.poolUsed + j] = LOWER[buf[start + j]!]!;
    this.hashes[i] = this.lastHash;
    this.offsets[i] = this.poolUsed;
    this.lengths[i] = len;
    this.used[i] = 1;
    this.poolUsed += len;
    this.entries++;
    return i;
  }
}
