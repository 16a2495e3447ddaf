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
  completeFields,
  decodeName,
  labelsToString,
  newLabelArray,
  parseWindowsLine,
} from '../parse/index.js';
import { NOT_WAITING, skimXidWord, type SkimWait, type Skimmer } from './skim.js';

/**
 * PACKET lines at least this long are checked for inner lone CRs: two records
 * joined by a lone CR are at least this long, while single PACKET lines rarely
 * are (only those with names over ~110 characters), so the check costs nothing
 * on ordinary lines.
 */
const CR_CHECK_BYTES = 192;
/** How much of an unparsed line is kept in a sample. */
export const SAMPLE_TEXT_BYTES = 200;
/** A matched query waits this many lines for its response before its rcode stays unknown. */
export const PAIR_WINDOW_LINES = 5000;
/**
 * After this many skim calls in a row that took no line (a log whose lines
 * the skim never takes), lines go to the JavaScript path `SKIM_PAUSE_LINES`
 * at a time between tries, so such a log does not pay a call per line.
 */
const SKIM_MISSES_BEFORE_PAUSE = 4;
const SKIM_PAUSE_LINES = 64;
/** Matched queries that may wait for responses while the skim goes on (the module compares two ids). */
const MAX_PENDING_SKIMMED = 2;

/** A matched query still waiting for the server's response to the client. */
interface PendingPair {
  hit: RawHit;
  /** Its `pairKey`: a response answers it when the response's key is the same. */
  key: string;
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

/**
 * `buf[start, end)` as text with A–Z folded to a–z and nothing else (the fold
 * of the LOWER table, which the matcher and `pendingXid` use too; a Latin-1
 * `toLowerCase` would also fold É and make two rules).
 */
function asciiLower(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(LOWER[buf[i]!]!);
  return s;
}

/**
 * What pairs a query with its response, and a retry with the query it
 * repeats: client, id and question name as logged (id and name with A–Z
 * folded only, as `pendingXid` compares ids). The line's padded fields must be
 * complete (`completeFields`).
 */
function pairKey(buf: Uint8Array, f: PacketFields): string {
  return `${latin1(buf, f.ipStart, f.ipEnd)}\0${asciiLower(buf, f.xidStart, f.xidEnd)}\0${asciiLower(buf, f.nameStart, f.nameEnd)}`;
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
  /** Next CR at or after the last checked position in the current frame (see innerCr). */
  private nextCr = -1;
  private frameEnd = 0;
  /** Line counter of the lookahead (continues from `lineNo`); -1 before the lookahead starts. */
  private lookLine = -1;
  private readonly skimmer: Skimmer | null;
  /** Skim calls in a row that took no line. */
  private skimMisses = 0;
  /** Lines left to the JavaScript path before the next skim call. */
  private skimPause = 0;
  /** What the skim must leave to the pairing (`waitForSkim`). */
  private readonly wait: SkimWait = { ...NOT_WAITING };

  /**
   * With a `skimmer`, the common lines of buffers in its memory are taken by
   * the WebAssembly skim (same results, sooner; `src/scan/skim.ts`); other
   * buffers, and every line the skim leaves, take the JavaScript path.
   */
  constructor(matcher: NameMatcher, maxSamples: number, skimmer: Skimmer | null = null) {
    this.matcher = matcher;
    this.maxSamples = maxSamples;
    this.skimmer = skimmer;
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
    this.counters.bytes += end - start;
    this.frame(buf, start, end, false);
  }

  /**
   * Lookahead past the range end: only responses to pending matched queries,
   * and client queries that repeat one (and so take over from it), are looked
   * at; nothing is counted. Lines are framed exactly as `feedLines` frames
   * them, so pairing does not depend on where a range ended. Returns true when
   * nothing is pending any more.
   */
  feedLookahead(buf: Buffer, start: number, end: number): boolean {
    if (this.lookLine < 0) this.lookLine = this.lineNo;
    this.frame(buf, start, end, true);
    return this.pending.length === 0;
  }

  /** Give up on every pending pair (their rcode stays null). */
  dropPending(): void {
    this.pending = [];
  }

  /**
   * Offset of the first CR inside `buf[start, end)` that is not the line's own
   * terminator, or -1. The position of the next CR in the current frame is
   * remembered, so an LF-only file costs one search per frame and a CRLF file
   * one native search per checked line.
   */
  private innerCr(buf: Buffer, start: number, end: number): number {
    let c = this.nextCr;
    if (c < start) {
      c = buf.indexOf(CR, start);
      if (c < 0 || c >= this.frameEnd) c = this.frameEnd;
      this.nextCr = c;
    }
    return c < end - 1 ? c : -1; // a CR right before the LF ends the line normally
  }

  /** Split `buf[start, end)` into lines; in lookahead mode only pairing is done (responses, and repeats of pending queries). */
  private frame(buf: Buffer, start: number, end: number, look: boolean): void {
    this.nextCr = -1;
    this.frameEnd = end;
    const skimmer = !look && this.skimmer !== null && this.skimmer.owns(buf) ? this.skimmer : null;
    let p = start;
    while (p < end) {
      if (look && this.pending.length === 0) return;
      // While matched queries wait for their responses, the skim leaves every
      // line that may answer one (same query id) to the pairing, and stops
      // where the first one stops waiting.
      if (skimmer !== null && (this.pending.length === 0 || this.waitForSkim())) {
        if (this.skimPause > 0) {
          this.skimPause--;
        } else {
          p = skimmer.skim(buf, p, end, this.fields.contextHint, this.counters, this.pending.length === 0 ? NOT_WAITING : this.wait, this.matcher);
          const taken = skimmer.lastLines;
          this.lineNo += taken;
          if (taken > 0) this.skimMisses = 0;
          else if (++this.skimMisses >= SKIM_MISSES_BEFORE_PAUSE) this.skimPause = SKIM_PAUSE_LINES;
          if (p >= end) return;
        }
      }
      // Windows Server 2012+ writes a blank line after every PACKET line: half of
      // all lines. Take them here without a native indexOf call.
      const b = buf[p];
      if (b === LF || (b === CR && p + 1 < end && buf[p + 1] === LF)) {
        if (look) this.lookLine++;
        else {
          this.lineNo++;
          this.counters.lines++;
          this.counters.skipped++;
        }
        p += b === LF ? 1 : 2;
        continue;
      }
      let nl = buf.indexOf(LF, p);
      if (nl < 0 || nl >= end) nl = end;
      this.segment(buf, p, nl, look);
      p = nl + 1;
    }
  }

  /**
   * One line, or several joined by lone CRs (an old line-end style, or a
   * damaged copy). A line is checked for inner CRs when it is long enough to
   * hold two records, or when it is not a PACKET line (rare lines, cheap to
   * check); the decision depends only on the line's bytes, so both framing
   * modes agree.
   */
  private segment(buf: Buffer, start: number, end: number, look: boolean): void {
    const f = this.fields;
    const kind = parseWindowsLine(buf, start, end, f);
    if (kind !== LineKind.PACKET || end - start >= CR_CHECK_BYTES) {
      const cr = this.innerCr(buf, start, end);
      if (cr >= 0) {
        this.segment(buf, start, cr, look);
        this.segment(buf, cr + 1, end, look);
        return;
      }
    }
    if (look) {
      const line = ++this.lookLine;
      if (kind === LineKind.PACKET) {
        if (f.dir === DIR_SND) this.maybePair(buf, line);
        else if (this.pending.length > 0 && !f.isResponse && f.opcode === OPCODE_QUERY) this.supersede(buf);
      }
      this.expire(line);
    } else {
      this.line(buf, start, end, kind);
    }
  }

  /**
   * A line too long to hold in a read chunk, met in the lookahead: one line
   * with nothing to pair (as `overlongLine` makes it in a range); the caller
   * skips the rest of it. Returns true when nothing is pending any more.
   */
  lookaheadOverlongLine(): boolean {
    if (this.lookLine < 0) this.lookLine = this.lineNo;
    this.expire(++this.lookLine);
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

  private line(buf: Buffer, start: number, end: number, kind: number): void {
    const c = this.counters;
    const line = ++this.lineNo;
    c.lines++;
    const f = this.fields;
    if (kind === LineKind.PACKET) {
      c.records++;
      if (f.dir === DIR_RCV) {
        if (!f.isResponse && f.opcode === OPCODE_QUERY) {
          const count = decodeName(buf, f.nameStart, f.nameEnd, this.labels);
          if (count < 0) {
            // a name nothing can be made of: the line did not parse (counted once, not also as a record)
            c.records--;
            this.unparsedLine(buf, start, end, line);
          } else {
            c.clientQueries++;
            if (count > 0) this.clientQuery(buf, line, count);
          }
        }
      } else if (this.pending.length > 0) {
        this.maybePair(buf, line);
      }
      if (this.pending.length > 0) this.expire(line);
    } else if (kind === LineKind.SKIPPED) {
      c.skipped++;
    } else if (kind === LineKind.EVENT) {
      c.events++;
    } else {
      this.unparsedLine(buf, start, end, line);
    }
  }

  private unparsedLine(buf: Buffer, start: number, end: number, line: number): void {
    this.counters.unparsed++;
    if (this.samples.length < this.maxSamples) this.samples.push({ rangeLine: line, text: sampleText(buf, start, end) });
  }

  /** A Snd line while matched queries wait: pair it if it is a response to a query. */
  private maybePair(buf: Buffer, line: number): void {
    const f = this.fields;
    if (this.pending.length > 0 && f.isResponse && f.opcode === OPCODE_QUERY) this.pair(buf, line);
  }

  private clientQuery(buf: Buffer, line: number, count: number): void {
    const f = this.fields;
    const labels = this.labels;
    const m = this.matcher.match(buf, labels, count, this.nameMatch);
    if (m.id < 0) {
      // the skim takes this name from now on, even when its filter lets it through
      this.skimmer?.clearName(this.matcher, buf, f.nameStart, f.nameEnd);
      return;
    }
    // A hit: rare, so strings are made here and only here.
    completeFields(buf, f);
    const hit: RawHit = {
      rangeLine: line,
      timeText: latin1(buf, f.timeStart, f.timeEnd),
      client: latin1(buf, f.ipStart, f.ipEnd),
      qname: labelsToString(buf, labels, 0, count),
      qtype: latin1(buf, f.qtypeStart, f.qtypeEnd),
      rcode: null,
      xid: asciiLower(buf, f.xidStart, f.xidEnd),
      protocol: latin1(buf, f.protoStart, f.protoStart + 3),
      indicatorId: m.id,
      suffixStripped: m.stripped > 0 ? labelsToString(buf, labels, count - m.stripped, count) : null,
    };
    this.hits.push(hit);
    const key = pairKey(buf, f);
    if (this.pending.length > 0) this.dropRepeated(key);
    this.pending.push({ hit, key, expiresAtLine: line + PAIR_WINDOW_LINES });
  }

  /**
   * A client query seen in the lookahead: it takes over from any pending query
   * it repeats (same client, id and name), as it would have in the range that
   * holds it, so a response is never paired with both.
   */
  private supersede(buf: Buffer): void {
    const f = this.fields;
    if (!this.pendingXid(buf, f.xidStart, f.xidEnd)) return;
    completeFields(buf, f);
    this.dropRepeated(pairKey(buf, f));
  }

  /** Stop waiting for a response for the pending queries with this pairing key (their rcode stays unknown). */
  private dropRepeated(key: string): void {
    const pending = this.pending;
    let kept = 0;
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i]!;
      if (p.key !== key) pending[kept++] = p;
    }
    pending.length = kept;
  }

  /** The current line is a response sent to some client: does it answer a pending matched query? */
  private pair(buf: Buffer, line: number): void {
    const f = this.fields;
    if (!this.pendingXid(buf, f.xidStart, f.xidEnd)) return;
    completeFields(buf, f);
    const key = pairKey(buf, f);
    for (let i = 0; i < this.pending.length; i++) {
      const p = this.pending[i]!;
      if (p.expiresAtLine >= line && p.key === key) {
        p.hit.rcode = latin1(buf, f.rcodeStart, f.rcodeEnd);
        this.pending.splice(i, 1);
        return;
      }
    }
  }

  /**
   * Fill `wait` for the pending queries; false when the skim cannot stand in
   * for the pairing (more than two wait, an id that is not four bytes, or
   * the window of the first is over).
   */
  private waitForSkim(): boolean {
    const pending = this.pending;
    if (pending.length > MAX_PENDING_SKIMMED) return false;
    const x0 = skimXidWord(pending[0]!.hit.xid);
    const x1 = pending.length > 1 ? skimXidWord(pending[1]!.hit.xid) : 0;
    const maxLines = pending[0]!.expiresAtLine - this.lineNo;
    if (x0 < 0 || x1 < 0 || maxLines <= 0) return false;
    const w = this.wait;
    w.xid0 = x0;
    w.xid1 = x1;
    w.maxLines = maxLines;
    return true;
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
