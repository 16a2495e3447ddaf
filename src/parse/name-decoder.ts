/**
 * Decode a question name as the Windows debug log prints it — length-prefixed
 * wire style, `(6)_VLMCS(4)_TCP(2)adlabs01(0)` — into label boundaries inside
 * the same buffer. No string is made: `labels` receives [start, end) pairs.
 *
 *   bytes:   ( 6 ) _ V L M C S ( 4 ) _ T C P ( 0 )
 *                  └─label 0──┘       └label 1┘
 *   labels:  [s0, e0, s1, e1]      count = 2
 *
 * Two lenient fallbacks cover copies that went through other tools: a name whose
 * length prefixes disagree with its labels (`(5)test2(15)virot(2)de(0)`) is split
 * on every `(digits)` group, and a dotted name with no parentheses
 * (`.ns1.offeringsmislead.com.`, a SIEM rewrite) is split on dots.
 */
import { DIGIT_VALUE, DOT, PAREN_CLOSE, PAREN_OPEN } from '../core/index.js';

/** Longest possible name is 255 bytes, so at most 127 labels; the array holds two ints per label. */
export const MAX_LABELS = 128;

/** Allocate a label-boundary array big enough for any name. */
export function newLabelArray(): Int32Array {
  return new Int32Array(MAX_LABELS * 2);
}

/** How a name was decoded (for counters). */
export const NameForm = { STRICT: 0, REPAIRED: 1, DOTTED: 2 } as const;

/**
 * Decode `buf[start, end)` into `labels`; returns the label count (0 for the
 * root `(0)`), or -1 when nothing sensible can be made of it.
 */
export function decodeName(buf: Uint8Array, start: number, end: number, labels: Int32Array): number {
  const n = decodeStrict(buf, start, end, labels);
  if (n >= 0) return n;
  return buf.indexOf(PAREN_OPEN, start) >= 0 && buf.indexOf(PAREN_OPEN, start) < end
    ? decodeByGroups(buf, start, end, labels)
    : decodeDotted(buf, start, end, labels);
}

/** Strict length-prefixed decoding; -1 on any disagreement. */
export function decodeStrict(buf: Uint8Array, start: number, end: number, labels: Int32Array): number {
  let p = start;
  let count = 0;
  while (p < end) {
    if (buf[p] !== PAREN_OPEN) return -1;
    p++;
    let len = 0;
    let digits = 0;
    while (p < end) {
      const d = DIGIT_VALUE[buf[p]!]!;
      if (d === 255) break;
      len = len * 10 + d;
      digits++;
      p++;
      if (digits > 3) return -1;
    }
    if (digits === 0 || p >= end || buf[p] !== PAREN_CLOSE) return -1;
    p++;
    if (len === 0) return p === end ? count : -1; // (0) ends the name
    if (p + len > end || count >= MAX_LABELS) return -1;
    labels[count * 2] = p;
    labels[count * 2 + 1] = p + len;
    count++;
    p += len;
  }
  // No terminating (0): accept (some copies drop it) as long as the labels were consistent.
  return count;
}

/** Split on every `(digits)` group, ignoring the digits. */
function decodeByGroups(buf: Uint8Array, start: number, end: number, labels: Int32Array): number {
  let p = start;
  let count = 0;
  let labelStart = -1;
  while (p < end) {
    if (buf[p] === PAREN_OPEN) {
      let q = p + 1;
      while (q < end && DIGIT_VALUE[buf[q]!] !== 255) q++;
      if (q > p + 1 && q < end && buf[q] === PAREN_CLOSE) {
        if (labelStart >= 0 && p > labelStart) {
          if (count >= MAX_LABELS) return -1;
          labels[count * 2] = labelStart;
          labels[count * 2 + 1] = p;
          count++;
        }
        p = q + 1;
        labelStart = p;
        continue;
      }
    }
    if (labelStart < 0) labelStart = p;
    p++;
  }
  if (labelStart >= 0 && end > labelStart) {
    if (count >= MAX_LABELS) return -1;
    labels[count * 2] = labelStart;
    labels[count * 2 + 1] = end;
    count++;
  }
  return count;
}

/** Split a dotted name, ignoring empty labels (leading/trailing dots). */
function decodeDotted(buf: Uint8Array, start: number, end: number, labels: Int32Array): number {
  let count = 0;
  let s = start;
  for (let p = start; p <= end; p++) {
    if (p === end || buf[p] === DOT) {
      if (p > s) {
        if (count >= MAX_LABELS) return -1;
        labels[count * 2] = s;
        labels[count * 2 + 1] = p;
        count++;
      }
      s = p + 1;
    }
  }
  return count;
}

/** The dotted, lower-case text of a decoded name (only for names that matched: strings are for hits). */
export function labelsToString(buf: Uint8Array, labels: Int32Array, from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) {
    if (i > from) out += '.';
    const s = labels[i * 2]!;
    const e = labels[i * 2 + 1]!;
    out += Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1').toLowerCase();
  }
  return out;
}
