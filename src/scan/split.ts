/**
 * Split a file into newline-aligned byte ranges. Invariant: every range starts
 * at a line start (offset 0 or right after an LF) and ends right after an LF or
 * at the size given; consecutive ranges tile [0, size) with no gap or overlap.
 */
import { readSync } from 'node:fs';
import { LF } from '../core/index.js';

/** Default range size: big enough that per-task overhead vanishes, small enough for progress and balance. */
export const DEFAULT_RANGE_BYTES = 16 * 1024 * 1024;
/** Bytes read at a time to find the line end after a range boundary (a debug-log line is a few hundred bytes). */
const PROBE_BYTES = 4 * 1024;

/** A half-open byte range. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Ranges of about `rangeBytes` covering [0, size) of the open file `fd`. */
export function splitRanges(fd: number, size: number, rangeBytes: number): ByteRange[] {
  const ranges: ByteRange[] = [];
  const probe = Buffer.allocUnsafe(Math.min(PROBE_BYTES, Math.max(1, size)));
  let start = 0;
  while (start < size) {
    let end = Math.min(size, start + Math.max(1, rangeBytes));
    if (end < size) end = nextLineStart(fd, end - 1, size, probe);
    ranges.push({ start, end });
    start = end;
  }
  return ranges;
}

/** Offset right after the first LF at or after `from`, or `size`. */
function nextLineStart(fd: number, from: number, size: number, probe: Buffer): number {
  let pos = from;
  while (pos < size) {
    const n = readSync(fd, probe, 0, Math.min(probe.length, size - pos), pos);
    if (n === 0) return size;
    const i = probe.indexOf(LF);
    if (i >= 0 && i < n) return pos + i + 1;
    pos += n;
  }
  return size;
}
