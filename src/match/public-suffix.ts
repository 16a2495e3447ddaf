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
import { LabelTable } from './label-table.js';
import { psl } from './psl.js';

/** Memo capacity (distinct last labels: half the slots); past it, answers are computed without being stored. */
const MEMO_SLOTS = 8192;
const MEMO_POOL_BYTES = 128 * 1024;

/** True when `label` (lower case) is a public suffix of its own (an ICANN TLD such as `com`, `pw`, `onion`). */
export function isPublicTopLabel(label: string): boolean {
  return psl().parse(`x.${label}`, { allowPrivateDomains: false }).isIcann === true;
}

/** The public-suffix answer for the label `buf[start, end)`, computed (a string is made). */
export function isPublicLabelBytes(buf: Uint8Array, start: number, end: number): boolean {
  return isPublicTopLabel(Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1').toLowerCase());
}

/** Per-thread memo of `isPublicTopLabel` keyed by the label's bytes. */
export class PublicLabelMemo {
  private readonly table = new LabelTable(MEMO_SLOTS, MEMO_POOL_BYTES);
  private readonly isPublicAt = new Uint8Array(MEMO_SLOTS);

  /** Whether the label `buf[start, end)` is a public top-level suffix (case-insensitive). */
  isPublic(buf: Uint8Array, start: number, end: number): boolean {
    const slot = this.table.find(buf, start, end);
    if (slot >= 0) return this.isPublicAt[slot] === 1;
    const pub = isPublicLabelBytes(buf, start, end);
    const stored = this.table.insert(buf, start, end, slot);
    if (stored >= 0) this.isPublicAt[stored] = pub ? 1 : 0;
    return pub;
  }
}
