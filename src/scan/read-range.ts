/**
 * Read one byte range of a file in fixed-size chunks and feed its complete
 * lines to a RangeScanner. This is everything a scan worker does; tests call
 * it in-process. The file is opened read-only and never locked, so the DNS
 * server can keep writing (and even truncate) while it is read.
 *
 *   file:   …──────[start ······························ end)──── lookahead ───…
 *   chunk:         [ carry | new bytes ········ LF | partial ]
 *                   └── fed: up to and including the last LF ┘ └ carried to the next read
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { LF, type ScanRangeRequest, type ScanRangeResult } from '../core/index.js';
import type { NameMatcher } from '../match/index.js';
import { RangeScanner } from './range-scanner.js';
import { skimmerFor } from './skim.js';

/** Read size: large enough to amortise syscalls, small enough to stay in cache. */
export const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * The read buffer, reused by every range this thread scans: a fresh 1 MiB
 * buffer per range is external memory the garbage collector does not feel
 * pressed to free, and the process grew with the file's size. Not from
 * Buffer's pool (it is never a pooled slab). Safe to share: a scan is synchronous.
 */
let scratch: Buffer | null = null;
function readBuffer(bytes: number): Buffer {
  if (scratch === null || scratch.length !== bytes) scratch = Buffer.allocUnsafeSlow(bytes);
  return scratch;
}

/**
 * Scan [req.start, req.end) of req.path. Lines longer than a chunk are counted
 * as one unparsed line each (with a sample) and skipped, so memory stays bounded.
 * The file is read into the skimmer's memory (`skim`, on unless `DNSHUNT_SKIM=0`),
 * so that the WebAssembly skim takes the common lines; `skim: false` leaves
 * every line to the JavaScript path (the tests compare the two).
 */
export function scanFileRange(req: ScanRangeRequest, matcher: NameMatcher, chunkBytes = READ_CHUNK_BYTES, skim = true): ScanRangeResult {
  const skimmer = skim ? skimmerFor(matcher.image, chunkBytes) : null;
  const scanner = new RangeScanner(matcher, req.maxSamples, skimmer);
  const buf = skimmer !== null ? skimmer.buffer : readBuffer(chunkBytes);
  const fd = openSync(req.path, 'r');
  try {
    let pos = req.start;
    let carry = 0;
    let skippingLongLine = false;
    while (pos < req.end) {
      const want = Math.min(chunkBytes - carry, req.end - pos);
      const n = readSync(fd, buf, carry, want, pos);
      if (n === 0) break; // the file shrank under us (wrap): what was read is all there is
      pos += n;
      const filled = carry + n;
      let from = 0;
      if (skippingLongLine) {
        const nl = buf.indexOf(LF, 0);
        if (nl < 0 || nl >= filled) {
          scanner.counters.bytes += filled;
          carry = 0;
          continue;
        }
        scanner.counters.bytes += nl + 1;
        from = nl + 1;
        skippingLongLine = false;
      }
      if (pos >= req.end) {
        scanner.feedLines(buf, from, filled);
        carry = 0;
        break;
      }
      const last = buf.lastIndexOf(LF, filled - 1);
      if (last < from) {
        if (from === 0 && filled === chunkBytes) {
          // One line fills the whole chunk: count it once, sample it, skip to its end.
          scanner.overlongLine(buf, 0, filled);
          skippingLongLine = true;
          carry = 0;
          continue;
        }
        buf.copy(buf, 0, from, filled);
        carry = filled - from;
        continue;
      }
      scanner.feedLines(buf, from, last + 1);
      buf.copy(buf, 0, last + 1, filled);
      carry = filled - last - 1;
    }
    if (carry > 0) scanner.feedLines(buf, 0, carry);
    if (scanner.pendingCount > 0 && req.lookahead > 0) lookahead(fd, req, scanner, buf);
    scanner.dropPending();
  } finally {
    closeSync(fd);
  }
  return {
    kind: 'range-result',
    fileIndex: req.fileIndex,
    rangeIndex: req.rangeIndex,
    counters: scanner.counters,
    hits: scanner.hits,
    samples: scanner.samples,
  };
}

/** Read past the range end only to find responses to matched queries (bounded in lines by the scanner, in bytes by `lookahead`). */
function lookahead(fd: number, req: ScanRangeRequest, scanner: RangeScanner, buf: Buffer): void {
  let pos = req.end;
  const stop = req.end + req.lookahead;
  let carry = 0;
  for (;;) {
    if (carry === buf.length) {
      // One line fills the whole buffer: one line with nothing to pair, as a
      // range counts it; skip to its end and go on pairing after it.
      if (scanner.lookaheadOverlongLine()) return;
      const next = lineEndAfter(fd, buf, pos, stop);
      if (next < 0) return;
      pos = next;
      carry = 0;
      continue;
    }
    const want = Math.min(buf.length - carry, stop - pos);
    // want 0: the byte budget is spent; otherwise a read of 0 bytes is the end
    // of the file, where a last line without a line end still counts.
    const n = want > 0 ? readSync(fd, buf, carry, want, pos) : 0;
    if (n === 0) {
      if (carry > 0 && (want > 0 || readSync(fd, Buffer.alloc(1), 0, 1, pos) === 0)) scanner.feedLookahead(buf, 0, carry);
      return;
    }
    pos += n;
    const filled = carry + n;
    const last = buf.lastIndexOf(LF, filled - 1);
    if (last < 0) {
      carry = filled;
      continue;
    }
    if (scanner.feedLookahead(buf, 0, last + 1)) return;
    buf.copy(buf, 0, last + 1, filled);
    carry = filled - last - 1;
  }
}

/** The offset just after the next LF at or after `pos` (read through `buf`), or -1 when none comes before `stop` or the end of the file. */
function lineEndAfter(fd: number, buf: Buffer, pos: number, stop: number): number {
  while (pos < stop) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, stop - pos), pos);
    if (n === 0) return -1;
    const nl = buf.indexOf(LF, 0);
    if (nl >= 0 && nl < n) return pos + nl + 1;
    pos += n;
  }
  return -1;
}
