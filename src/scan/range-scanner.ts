/**
 * The per-range scanning logic, a pure function of bytes: frame lines, parse
 * them, match client queries, pair matched queries with the server's response
 * to find the rcode. Workers wire it to file reads; tests and the tailer call
 * it in-process.
 *
 * Invariant (write it down, test it): `feedLines` is given only complete lines
 * — the slice ends right after an LF, or at the end of input — and every line
 * is classified without state from earlier lines, so results never depend on
 * where the input was cut into slices.
 */
import {
  CR,
  LF,
  LOWER,
  addCounters,
  emptyCounters,
  type RangeSample,
  type RawHit,
  type ScanCounters,
} from '../core/index.js';
import type { NameMatcher } from '../match/index.js';
import { NameMatch } from '../match/index.js';
import {
  DIR_RCV,
  DIR_SND,
  LineKind,
  OPCODE_QUERY,
  PacketFields,
  decodeName,
  labelsToString,
  newLabelArray,
  parseWindowsLine,
} from '../parse/index.js';

/** Lines longer than this are checked for inner stray CRs (old line-end style) and split on them. */
const LONG_LINE_BYTES = 1024;
/** How much of an unparsed line is kept in a sample. */
export const SAMPLE_TEXT_BYTES = 200;
/** A matched query waits this many lines for its response before its rcode stays unknown. */
export const PAIR_WINDOW_LINES = 5000;

/** A matched query still waiting for the server's response to the client. */
interface PendingPair {
  hit: RawHit;
  /** Lower-case question name as logged (raw wire text), to compare with the response. */
  rawName: string;
  expiresAtLine: number;
}

function sampleText(buf: Uint8Array, start: number, end: number): string {
  const stop = Math.min(end, start + SAMPLE_TEXT_BYTES);
  let s = '';
  for (let i = start; i < stop; i++) {
    const b = buf[i]!;
    // control bytes and non-ASCII are shown escaped: samples end up on terminals and in JSON
    s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 0x09 ? '\t' : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return end > stop ? `${s}…` : s;
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
}

/** Scans the lines of one byte range; accumulate with `feedLines`, read the results from its fields. */
export class RangeScanner {
  readonly counters: ScanCounters = emptyCounters();
  readonly hits: RawHit[] = [];
  readonly samples: RangeSample[] = [];
  /** Lines seen so far (the 1-based number of the last line). */
  lineNo = 0;
  private readonly matcher: NameMatcher;
  private readonly maxSamples: number;
  private readonly fields = new PacketFields();
  private readonly labels = newLabelArray();
  private readonly nameMatch = new NameMatch();
  private pending: PendingPair[] = [];

  constructor(matcher: NameMatcher, maxSamples: number) {
    this.matcher = matcher;
    this.maxSamples = maxSamples;
  }

  /** Matched queries whose response has not been seen yet. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Process the complete lines in `buf[start, end)`. `end` is right after an LF
   * or the end of input; a final line without an LF is processed as a line.
   */
  feedLines(buf: Buffer, start: number, end: number): void {
    let p = start;
    this.counters.bytes += end - start;
    while (p < end) {
      // Windows Server 2012+ writes a blank line after every PACKET line: half of
      // all lines. Take them here without a native indexOf call.
      const b = buf[p];
      if (b === LF || (b === CR && p + 1 < end && buf[p + 1] === LF)) {
        this.lineNo++;
        this.counters.lines++;
        this.counters.skipped++;
        p += b === LF ? 1 : 2;
        continue;
      }
      let nl = buf.indexOf(LF, p);
      if (nl < 0 || nl >= end) nl = end;
      if (nl - p > LONG_LINE_BYTES) this.longLine(buf, p, nl);
      else this.line(buf, p, nl);
      p = nl + 1;
    }
  }

  /**
   * Lookahead past the range end: only responses to pending matched queries are
   * looked at; nothing is counted. Returns true when nothing is pending any more.
   */
  feedLookahead(buf: Buffer, start: number, end: number): boolean {
    let p = start;
    let line = this.lineNo;
    const f = this.fields;
    while (p < end && this.pending.length > 0) {
      let nl = buf.indexOf(LF, p);
      if (nl < 0 || nl >= end) nl = end;
      line++;
      if (parseWindowsLine(buf, p, nl, f) === LineKind.PACKET && f.dir === DIR_SND && f.isResponse && f.opcode === OPCODE_QUERY) {
        this.pair(buf, line);
      }
      this.expire(line);
      p = nl + 1;
    }
    return this.pending.length === 0;
  }

  /**
   * Count a line too long to hold in a read chunk as one unparsed line and
   * sample its head; the caller skips the rest of it.
   */
  overlongLine(buf: Buffer, start: number, end: number): void {
    const line = ++this.lineNo;
    this.counters.lines++;
    this.counters.unparsed++;
    this.counters.bytes += end - start;
    if (this.samples.length < this.maxSamples) this.samples.push({ rangeLine: line, text: sampleText(buf, start, end) });
  }

  /** Give up on every pending pair (their rcode stays null). */
  dropPending(): void {
    this.pending = [];
  }

  /** Add another scanner's results (used when a range was scanned in parts). */
  merge(other: RangeScanner): void {
    addCounters(this.counters, other.counters);
    for (const h of other.hits) {
      h.rangeLine += this.lineNo;
      this.hits.push(h);
    }
    for (const s of other.samples) if (this.samples.length < this.maxSamples) this.samples.push({ rangeLine: s.rangeLine + this.lineNo, text: s.text });
    this.lineNo += other.lineNo;
  }

  private longLine(buf: Buffer, start: number, end: number): void {
    // A long line may really be several lines joined by lone CRs.
    let p = start;
    for (let i = start; i < end - 1; i++) {
      if (buf[i] === CR && buf[i + 1] !== LF) {
        this.line(buf, p, i);
        p = i + 1;
      }
    }
    this.line(buf, p, end);
  }

  private line(buf: Buffer, start: number, end: number): void {
    const c = this.counters;
    const line = ++this.lineNo;
    c.lines++;
    const f = this.fields;
    const kind = parseWindowsLine(buf, start, end, f, this.pending.length > 0);
    if (kind === LineKind.PACKET) {
      c.records++;
      if (f.dir === DIR_RCV && !f.isResponse && f.opcode === OPCODE_QUERY) {
        c.clientQueries++;
        this.clientQuery(buf, line);
      } else if (this.pending.length > 0 && f.dir === DIR_SND && f.isResponse && f.opcode === OPCODE_QUERY) {
        this.pair(buf, line);
      }
      if (this.pending.length > 0) this.expire(line);
    } else if (kind === LineKind.SKIPPED) {
      c.skipped++;
    } else if (kind === LineKind.EVENT) {
      c.events++;
    } else {
      c.unparsed++;
      if (this.samples.length < this.maxSamples) this.samples.push({ rangeLine: line, text: sampleText(buf, start, end) });
    }
  }

  private clientQuery(buf: Buffer, line: number): void {
    const f = this.fields;
    const labels = this.labels;
    const count = decodeName(buf, f.nameStart, f.nameEnd, labels);
    if (count <= 0) {
      if (count < 0) {
        this.counters.unparsed++;
        if (this.samples.length < this.maxSamples) this.samples.push({ rangeLine: line, text: sampleText(buf, f.timeStart, f.nameEnd) });
      }
      return;
    }
    const m = this.matcher.match(buf, labels, count, this.nameMatch);
    if (m.id < 0) return;
    // A hit: rare, so strings are made here and only here.
    const hit: RawHit = {
      rangeLine: line,
      timeText: latin1(buf, f.timeStart, f.timeEnd),
      client: latin1(buf, f.ipStart, f.ipEnd),
      qname: labelsToString(buf, labels, 0, count),
      qtype: latin1(buf, f.qtypeStart, f.qtypeEnd),
      rcode: null,
      xid: latin1(buf, f.xidStart, f.xidEnd).toLowerCase(),
      protocol: latin1(buf, f.protoStart, f.protoStart + 3),
      indicatorId: m.id,
      suffixStripped: m.stripped > 0 ? labelsToString(buf, labels, count - m.stripped, count) : null,
    };
    this.hits.push(hit);
    this.pending.push({ hit, rawName: latin1(buf, f.nameStart, f.nameEnd).toLowerCase(), expiresAtLine: line + PAIR_WINDOW_LINES });
  }

  /** The current line is a response sent to some client: does it answer a pending matched query? */
  private pair(buf: Buffer, line: number): void {
    const f = this.fields;
    if (!this.pendingXid(buf, f.xidStart, f.xidEnd)) return;
    const client = latin1(buf, f.ipStart, f.ipEnd);
    const xid = latin1(buf, f.xidStart, f.xidEnd).toLowerCase();
    for (let i = 0; i < this.pending.length; i++) {
      const p = this.pending[i]!;
      if (p.hit.client === client && p.hit.xid === xid && p.rawName === latin1(buf, f.nameStart, f.nameEnd).toLowerCase()) {
        p.hit.rcode = latin1(buf, f.rcodeStart, f.rcodeEnd);
        this.pending.splice(i, 1);
        return;
      }
    }
    void line;
  }

  /** Cheap pre-check without strings: does any pending query have this xid? */
  private pendingXid(buf: Buffer, start: number, end: number): boolean {
    const len = end - start;
    for (let i = 0; i < this.pending.length; i++) {
      const x = this.pending[i]!.hit.xid;
      if (x.length !== len) continue;
      let j = 0;
      while (j < len && x.charCodeAt(j) === LOWER[buf[start + j]!]) j++;
      if (j === len) return true;
    }
    return false;
  }

  private expire(line: number): void {
    while (this.pending.length > 0 && this.pending[0]!.expiresAtLine < line) this.pending.shift();
  }
}
