/**
 * Read a file's head and tail (never the whole file) to learn its timestamp
 * texts: enough to decide the date layout and the dates the log covers, which
 * the DGA needs before the matcher is compiled.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { CR, LF, SPACE, TAB, type CivilDate, type DateOrder } from '../core/index.js';
import {
  DIR_RCV,
  LineKind,
  OPCODE_QUERY,
  PacketFields,
  decodeName,
  detectDateOrder,
  labelsToString,
  newLabelArray,
  parseTimestamp,
  parseWindowsLine,
} from '../parse/index.js';
import type { DateOrderEvidence } from '../parse/index.js';

/** Bytes read at each end of a file. */
export const SAMPLE_BYTES = 256 * 1024;
const HEADER_PREFIX = 'DNS Server log file creation at ';
const WRAP_PREFIX = 'Log file wrap at ';

/** The timestamp texts found at both ends of a file, in file order, and the AD domains its clients asked about. */
export interface FileSample {
  head: string[];
  tail: string[];
  /**
   * Active Directory domains seen in client queries of the head (the labels after
   * `_msdcs`, as in `_ldap._tcp.dc._msdcs.contoso.local`), with their counts:
   * the search suffix clients append is almost always one of them.
   */
  adDomains: Map<string, number>;
}

const MSDCS = '_msdcs';

/** First bytes of the header and wrap lines (`D`, `L`): any other undated line is passed over without making a string. */
const HEADER_FIRST = HEADER_PREFIX.charCodeAt(0);
const WRAP_FIRST = WRAP_PREFIX.charCodeAt(0);
/** `PACKET` and the separator after it. */
const PACKET_WORD_BYTES = 7;
/** Line prefixes of the current timestamp remembered (a server logs from a few threads). */
const REPEAT_PREFIXES = 8;

/**
 * The timestamp texts of `buf[0, n)`, skipping a first partial line when asked.
 * A run of lines with the same timestamp bytes gives one text (a busy log writes
 * many lines a second), so few strings are made.
 *
 * Most lines are not parsed at all (this runs once per file, before the matcher
 * exists, in code the JIT has not compiled yet). A blank line adds no text, and
 * neither does a line whose bytes up to and including `PACKET ` repeat those of
 * a PACKET line of the current timestamp (same timestamp, thread id and
 * context: it parses to that timestamp or to no record). Such prefixes are
 * kept per thread id, a few at a time, and forgotten when the timestamp changes.
 */
function timestampsIn(buf: Buffer, n: number, skipFirstPartial: boolean): string[] {
  const out: string[] = [];
  const f = new PacketFields();
  let p = 0;
  if (skipFirstPartial) {
    const nl = buf.indexOf(LF);
    if (nl < 0 || nl >= n) return out;
    p = nl + 1;
  }
  let lastStart = -1;
  let lastEnd = -1;
  // PACKET lines of the current timestamp: line start and length through `PACKET ` (a ring)
  const repeatStart = new Int32Array(REPEAT_PREFIXES);
  const repeatLength = new Int32Array(REPEAT_PREFIXES);
  let repeats = 0;
  lines: while (p < n) {
    let nl = buf.indexOf(LF, p);
    if (nl < 0 || nl >= n) nl = n;
    const length = nl - p;
    if (length === 0 || (length === 1 && buf[p] === CR)) {
      p = nl + 1;
      continue;
    }
    for (let r = 0; r < repeats && r < REPEAT_PREFIXES; r++) {
      const k = repeatLength[r]!;
      if (length > k && buf.compare(buf, repeatStart[r]!, repeatStart[r]! + k, p, p + k) === 0) {
        p = nl + 1;
        continue lines;
      }
    }
    const kind = parseWindowsLine(buf, p, nl, f);
    if (kind === LineKind.PACKET || kind === LineKind.EVENT) {
      if (!sameBytes(buf, f.timeStart, f.timeEnd, lastStart, lastEnd)) {
        out.push(buf.toString('latin1', f.timeStart, f.timeEnd));
        repeats = 0;
      }
      lastStart = f.timeStart;
      lastEnd = f.timeEnd;
      const through = f.contextHint + PACKET_WORD_BYTES;
      if (kind === LineKind.PACKET && through <= length && isBlank(buf[p + through - 1]!)) {
        repeatStart[repeats % REPEAT_PREFIXES] = p;
        repeatLength[repeats % REPEAT_PREFIXES] = through;
        repeats++;
      }
    } else if (buf[p] === HEADER_FIRST || buf[p] === WRAP_FIRST) {
      const line = buf.toString('latin1', p, Math.min(nl, p + 120)).replace(/\r$/, '');
      if (line.startsWith(HEADER_PREFIX)) out.push(line.slice(HEADER_PREFIX.length).trim());
      else if (line.startsWith(WRAP_PREFIX)) out.push(line.slice(WRAP_PREFIX.length).trim());
    }
    p = nl + 1;
  }
  return out;
}

function isBlank(b: number): boolean {
  return b === SPACE || b === TAB;
}

function sameBytes(buf: Buffer, s: number, e: number, ps: number, pe: number): boolean {
  if (e - s !== pe - ps) return false;
  for (let i = 0; i < e - s; i++) if (buf[s + i] !== buf[ps + i]) return false;
  return true;
}

/** `_msdcs` after its underscore, as lower-case bytes. */
const MSDCS_TAIL = Buffer.from(MSDCS.slice(1), 'latin1');
const UNDERSCORE = 0x5f;
/** ASCII upper case to lower case; other bytes unchanged. */
const CASE_BIT = 0x20;

/** Offset of the next `_msdcs` in any case in `buf[from, n)`, or -1 (found by its underscore, a rare byte in a log). */
function indexOfMsdcs(buf: Buffer, from: number, n: number): number {
  const tail = MSDCS_TAIL.length;
  for (let at = buf.indexOf(UNDERSCORE, from); at >= 0 && at + tail < n; at = buf.indexOf(UNDERSCORE, at + 1)) {
    let j = 0;
    while (j < tail && (buf[at + 1 + j]! | CASE_BIT) === MSDCS_TAIL[j]) j++;
    if (j === tail) return at;
  }
  return -1;
}

/**
 * Count the AD domains of the client queries in `buf[0, n)` that name `_msdcs`.
 * Only lines holding `_msdcs` in any case are parsed; each is then decoded
 * like any query name, so dotted copies and repaired names count too.
 */
function adDomainsIn(buf: Buffer, n: number, adDomains: Map<string, number>): void {
  const f = new PacketFields();
  const labels = newLabelArray();
  let at = indexOfMsdcs(buf, 0, n);
  while (at >= 0) {
    const start = buf.lastIndexOf(LF, at) + 1;
    let nl = buf.indexOf(LF, at);
    if (nl < 0 || nl > n) nl = n;
    const kind = parseWindowsLine(buf, start, nl, f);
    if (kind === LineKind.PACKET && f.dir === DIR_RCV && !f.isResponse && f.opcode === OPCODE_QUERY) {
      const count = decodeName(buf, f.nameStart, f.nameEnd, labels);
      const name = count > 1 ? labelsToString(buf, labels, 0, count) : '';
      const i = name.lastIndexOf(`${MSDCS}.`);
      if (i >= 0 && (i === 0 || name[i - 1] === '.')) {
        const domain = name.slice(i + MSDCS.length + 1);
        if (domain.includes('.')) adDomains.set(domain, (adDomains.get(domain) ?? 0) + 1);
      }
    }
    at = nl < n ? indexOfMsdcs(buf, nl + 1, n) : -1;
  }
}

/** Sample the first and last SAMPLE_BYTES of `path` (up to `size`). */
export function sampleFile(path: string, size: number): FileSample {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.min(SAMPLE_BYTES, Math.max(size, 1)));
    const n = readSync(fd, buf, 0, Math.min(buf.length, size), 0);
    const adDomains = new Map<string, number>();
    const head = timestampsIn(buf, n, false);
    adDomainsIn(buf, n, adDomains);
    let tail: string[] = [];
    if (size > SAMPLE_BYTES) {
      const from = size - SAMPLE_BYTES;
      const m = readSync(fd, buf, 0, SAMPLE_BYTES, from);
      tail = timestampsIn(buf, m, true);
    }
    return { head, tail, adDomains };
  } finally {
    closeSync(fd);
  }
}

/** The date layout and the covered dates of a set of samples. */
export interface DateSummary {
  evidence: DateOrderEvidence;
  /** Earliest and latest dates parsed from the samples, or null when none parsed. */
  from: CivilDate | null;
  to: CivilDate | null;
}

function cmp(a: CivilDate, b: CivilDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Decide the date order (unless forced) and the date range covered by the samples. */
export function summarizeDates(samples: readonly FileSample[], forced: DateOrder | null): DateSummary {
  const texts = samples.flatMap((s) => [...s.head, ...s.tail]);
  const evidence = forced ? { order: forced, ambiguous: false, conflicting: false } : detectDateOrder(texts);
  let from: CivilDate | null = null;
  let to: CivilDate | null = null;
  for (const t of texts) {
    const p = parseTimestamp(t, evidence.order);
    if (!p) continue;
    if (!from || cmp(p.date, from) < 0) from = p.date;
    if (!to || cmp(p.date, to) > 0) to = p.date;
  }
  return { evidence, from, to };
}
