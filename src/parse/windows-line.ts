/**
 * Byte-level parser for one line of the Windows DNS Server debug log (dns.log).
 *
 * A line is classified without any state carried from earlier lines, so that
 * the result never depends on where a byte range starts (chunk-size
 * independence): header lines, blank lines and Details-mode continuation lines
 * are recognised by their own first bytes. The speed memos kept in
 * PacketFields (where the context sat on the last line, the last timestamp
 * prefix checked) only skip work: the answer is the same without them.
 *
 * PACKET line layout. The date prefix has 1–3 tokens, so columns count from
 * the first byte of `PACKET`; in the standard layout every field then sits at
 * a fixed column (an address longer than 15 characters moves the rest right),
 * checked by its separator bytes. Any other layout is read by tokenising:
 *
 *   6/20/2017 5:36:59 AM 0E24 PACKET  0000009AC98841A0 UDP Snd ::1             2de6 R Q [8085 A DR  NOERROR] SOA    (4)file(5)local(0)
 *   └─── timestamp ────┘ └tid┘ └ctx─┘  └─ packet id ──┘ └pr┘└dir┘└ ip ───────┘  └xid┘ │ │ └──── flags ──────┘ └qtype┘ └──── name ───┘
 *                                                                                     QR opcode
 *
 * The QR slot is a single byte, `R` or a space, and is the one place where a
 * single space is meaningful; whitespace-collapsed copies (`9e90 Q [`) are
 * handled because an opcode letter is never `R`.
 */
import {
  BRACKET_CLOSE,
  BRACKET_OPEN,
  CR,
  DIGIT_VALUE,
  SPACE,
  TAB,
} from '../core/index.js';

/** What a line turned out to be. */
export const LineKind = {
  /** A PACKET summary line; the record's offsets are filled in. */
  PACKET: 1,
  /** An EVENT, Note or other non-PACKET context line. */
  EVENT: 2,
  /** Header block, blank line or Details-mode continuation: expected, not a record. */
  SKIPPED: 3,
  /** Looked like it should be a record but did not parse: count and sample it. */
  UNPARSED: 4,
} as const;
export type LineKindValue = (typeof LineKind)[keyof typeof LineKind];

/** Direction byte values stored in `PacketFields.dir`. */
export const DIR_SND = 1;
export const DIR_RCV = 2;

/** Opcode letters as bytes. */
export const OPCODE_QUERY = 0x51; // 'Q'
const OPCODE_NOTIFY = 0x4e; // 'N'
const OPCODE_UPDATE = 0x55; // 'U'
const OPCODE_UNKNOWN = 0x3f; // '?'
const QR_RESPONSE = 0x52; // 'R'

/** How many leading tokens may precede the context token (date/time up to 3 tokens + thread id + slack for localized designators). */
const MAX_TOKENS_BEFORE_CONTEXT = 6;
/** Longest timestamp prefix the memo holds (a localized date and time is about 20–30 bytes). */
const PREFIX_MEMO_BYTES = 64;
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

// Four-byte words as DataView.getInt32(offset, true) reads them (little-endian).
const W_PACK = 0x4b434150; // "PACK"
const W_ET = 0x20205445; // "ET  "
const W_UDP = 0x20504455; // "UDP "
const W_TCP = 0x20504354; // "TCP "
const W_SND = 0x20646e53; // "Snd "
const W_RCV = 0x20766352; // "Rcv "

/**
 * Offsets of one PACKET line's fields, as half-open byte ranges into the buffer.
 * One instance is reused for every line (allocation-free hot loop); every field
 * is initialised here so the object keeps one shape.
 */
export class PacketFields {
  timeStart = 0;
  timeEnd = 0;
  protoStart = 0;
  dir = 0;
  ipStart = 0;
  ipEnd = 0;
  xidStart = 0;
  xidEnd = 0;
  isResponse = false;
  opcode = 0;
  rcodeStart = 0;
  rcodeEnd = 0;
  qtypeStart = 0;
  qtypeEnd = 0;
  nameStart = 0;
  nameEnd = 0;
  /**
   * Where the last PACKET context started, relative to its line: lines of one
   * file have date prefixes of (nearly) the same length, so the next line is
   * tried there first. Only a speed hint — the result is the same without it.
   */
  contextHint = -1;
  /**
   * Column of `PACKET` when the padded fields (`ipEnd`, `qtypeEnd`, `rcodeStart`,
   * `rcodeEnd`) are still to be found by `completeFields`, else -1. The standard
   * layout leaves them for later: only hits and pairings read them.
   */
  pendingColumns = -1;
  /** How far an address longer than its field pushed the later columns right (with `pendingColumns`). */
  pendingShift = 0;
  /** A DataView over the buffer last parsed (`viewOf`), for reading four bytes at once. */
  view: DataView = EMPTY_VIEW;
  viewOf: Uint8Array | null = null;
  /**
   * A copy of the last timestamp prefix (bytes before the thread id) that was
   * checked, and its length: a line with the same prefix (most lines: a log
   * holds many lines per second) skips the byte-by-byte check. Only a speed
   * memo — the check is a pure function of these bytes.
   */
  readonly prefixCopy = new DataView(new ArrayBuffer(PREFIX_MEMO_BYTES));
  prefixLength = -1;
}

// "PACKET", "EVENT", "Note:" as bytes
const P = 0x50, A = 0x41, C = 0x43, K = 0x4b, E = 0x45, T = 0x54, V = 0x56, N = 0x4e;
const LO_O = 0x6f, LO_T = 0x74, LO_E = 0x65, COLON = 0x3a;

function isOpcode(b: number): boolean {
  return b === OPCODE_QUERY || b === OPCODE_UPDATE || b === OPCODE_NOTIFY || b === OPCODE_UNKNOWN;
}

function skipSpaces(buf: Uint8Array, p: number, end: number): number {
  while (p < end && (buf[p] === SPACE || buf[p] === TAB)) p++;
  return p;
}

function tokenEnd(buf: Uint8Array, p: number, end: number): number {
  while (p < end && buf[p] !== SPACE && buf[p] !== TAB) p++;
  return p;
}

/**
 * Classify the line `buf[start, end)` (no line terminator inside; a trailing CR
 * is tolerated) and, for a PACKET line, fill `f` with its field offsets. For an
 * EVENT or Note line only `timeStart`/`timeEnd` are set.

 */
export function parseWindowsLine(buf: Uint8Array, start: number, end: number, f: PacketFields): LineKindValue {
  // Trailing CR / spaces never belong to a field.
  while (end > start && (buf[end - 1] === CR || buf[end - 1] === SPACE || buf[end - 1] === TAB)) end--;
  if (end === start) return LineKind.SKIPPED;
  const first = buf[start]!;
  if (DIGIT_VALUE[first] === 255) return classifyNonRecord(buf, start, end);

  // Fast path: the context where the previous line had it.
  const hint = f.contextHint;
  if (hint > 0) {
    const c = start + hint;
    if (c + 7 < end && buf[c - 1] === SPACE) {
      const dv = f.viewOf === buf ? f.view : bindView(buf, f);
      if (dv.getInt32(c, true) === W_PACK && (dv.getInt32(c + 4, true) & 0xffffff) === (W_ET & 0xffffff)) {
        // the thread id token before it, then at least one timestamp token
        let q = c - 1;
        while (q > start && buf[q - 1] === SPACE) q--;
        const tidEnd = q;
        while (q > start && buf[q - 1] !== SPACE) q--;
        if (tidEnd - q >= 3 && tidEnd - q <= 4 && isUpperHex(buf, q, tidEnd) && q > start && timestampPrefixOk(buf, dv, start, q, f)) {
          f.timeStart = start;
          f.timeEnd = trimBack(buf, start, q);
          return standardColumns(buf, dv, c, end, f) || parsePacketTail(buf, c + 6, end, f) ? LineKind.PACKET : LineKind.UNPARSED;
        }
      }
    }
  }
  // Walk the leading tokens until the context token.
  let p = start;
  let prevTokStart = -1;
  let prevTokEnd = -1;
  for (let t = 0; t < MAX_TOKENS_BEFORE_CONTEXT && p < end; t++) {
    const te = tokenEnd(buf, p, end);
    const len = te - p;
    if (len === 6 && buf[p] === P && buf[p + 1] === A && buf[p + 2] === C && buf[p + 3] === K && buf[p + 4] === E && buf[p + 5] === T) {
      if (t < 2) return LineKind.UNPARSED; // needs at least a date and a thread id before it
      f.contextHint = p - start;
      f.timeStart = start;
      f.timeEnd = trimBack(buf, start, prevTokStart);
      const dv = f.viewOf === buf ? f.view : bindView(buf, f);
      return standardColumns(buf, dv, p, end, f) || parsePacketTail(buf, te, end, f) ? LineKind.PACKET : LineKind.UNPARSED;
    }
    if (t >= 2 && ((len === 5 && buf[p] === E && buf[p + 1] === V && buf[p + 2] === E && buf[p + 3] === N && buf[p + 4] === T) ||
      (len === 5 && buf[p] === N && buf[p + 1] === LO_O && buf[p + 2] === LO_T && buf[p + 3] === LO_E && buf[p + 4] === COLON))) {
      f.timeStart = start;
      f.timeEnd = trimBack(buf, start, prevTokStart);
      return LineKind.EVENT;
    }
    prevTokStart = p;
    prevTokEnd = te;
    p = skipSpaces(buf, te, end);
  }
  // A dated line whose context is some other word (DSPoll, Init, Lookup…): the
  // format allows more contexts; they are not packets. A context is an
  // upper-case word right after a 3–4 digit hex thread id.
  if (prevTokEnd > 0) {
    const tid = otherContextThreadId(buf, start, end);
    if (tid > start) {
      f.timeStart = start;
      f.timeEnd = trimBack(buf, start, tid);
      return LineKind.EVENT;
    }
  }
  return LineKind.UNPARSED;
}

/**
 * True when the token walk would also reach the thread id at `tidStart`: the
 * timestamp part before it is 1–4 tokens, none of which the walk would stop
 * at (PACKET anywhere, EVENT or Note: from the third token on). One pass over
 * the bytes: a token starting "PA", "EV" or "No" sends the line to the walk.
 */
function notPacketBefore(buf: Uint8Array, start: number, tidStart: number): boolean {
  let tokens = 0;
  let prevBlank = true;
  for (let p = start; p < tidStart; p++) {
    const b = buf[p]!;
    if (b === SPACE || b === TAB) {
      prevBlank = true;
      continue;
    }
    if (prevBlank) {
      tokens++;
      const b1 = buf[p + 1];
      if ((b === P && b1 === A) || (b === E && b1 === V) || (b === N && b1 === LO_O)) return false;
      prevBlank = false;
    }
  }
  return tokens >= 1 && tokens <= MAX_TOKENS_BEFORE_CONTEXT - 2;
}

function bindView(buf: Uint8Array, f: PacketFields): DataView {
  f.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  f.viewOf = buf;
  return f.view;
}

/**
 * `notPacketBefore(buf, start, tidStart)`, answered from the memo when the
 * prefix is byte-for-byte the last one checked (compared four bytes at a time;
 * the last word may overlap the one before it).
 */
function timestampPrefixOk(buf: Uint8Array, dv: DataView, start: number, tidStart: number, f: PacketFields): boolean {
  const len = tidStart - start;
  if (len === f.prefixLength && len >= 4) {
    const copy = f.prefixCopy;
    let i = 0;
    while (i + 4 <= len && dv.getInt32(start + i, true) === copy.getInt32(i, true)) i += 4;
    if (i + 4 > len && dv.getInt32(tidStart - 4, true) === copy.getInt32(len - 4, true)) return true;
  }
  if (!notPacketBefore(buf, start, tidStart)) return false;
  if (len <= PREFIX_MEMO_BYTES) {
    for (let i = 0; i < len; i++) f.prefixCopy.setUint8(i, buf[start + i]!);
    f.prefixLength = len;
  }
  return true;
}

function trimBack(buf: Uint8Array, start: number, p: number): number {
  while (p > start && (buf[p - 1] === SPACE || buf[p - 1] === TAB)) p--;
  return p;
}

/**
 * A dated line of the shape `<date…> <HEX3-4> <Word> …` (a context other than
 * PACKET, EVENT, Note): the offset of its thread id, or -1.
 */
function otherContextThreadId(buf: Uint8Array, start: number, end: number): number {
  let p = start;
  for (let t = 0; t < MAX_TOKENS_BEFORE_CONTEXT && p < end; t++) {
    const te = tokenEnd(buf, p, end);
    const len = te - p;
    if (t >= 2 && (len === 3 || len === 4) && isUpperHex(buf, p, te)) {
      const q = skipSpaces(buf, te, end);
      const b = buf[q];
      return q < end && b !== undefined && b >= A && b <= 0x5a ? p : -1;
    }
    p = skipSpaces(buf, te, end);
  }
  return -1;
}

function isUpperHex(buf: Uint8Array, p: number, e: number): boolean {
  for (; p < e; p++) {
    const b = buf[p]!;
    if (!((b >= 0x30 && b <= 0x39) || (b >= A && b <= 0x46))) return false;
  }
  return true;
}

// Column offsets from the first byte of PACKET on a line in the standard layout
// (64-bit server: 16-hex packet id; remote address of at most 15 characters),
// as measured in docs/windows-dns-debug-log.md §4.1.
const COL_ID = 8;
const COL_ID_END = 24;
const COL_PROTO = 25;
const COL_DIR = 29;
const COL_IP = 33;
const COL_IP_PAD_END = 48;
const COL_XID = 49;
const COL_XID_END = 53;
const COL_QR = 54;
const COL_OPCODE = 56;
const COL_FLAGS_OPEN = 58;
const COL_FLAGS_CLOSE = 77;
const COL_QTYPE = 79;
const COL_QTYPE_PAD_END = 85;
const COL_NAME = 86;
/** Longest remote address text: a full IPv6 address with an embedded IPv4 part and a zone (`%` and up to 16 more). */
const MAX_ADDRESS_CHARS = 64;

/**
 * The fast path for the standard layout: every field at its fixed column, checked
 * by its separator bytes instead of walking every byte. An address longer than
 * its 15 columns (IPv6) is one token followed by one blank, and the columns after
 * it move right by its excess. A line that does not line up (32-bit packet id,
 * collapsed whitespace, a damaged line) returns false and takes the token walk. For a
 * well-formed line both give the same fields; a line whose separators all sit
 * at their columns is read by its columns (a blank inside the address field
 * would belong to the address), which is a pure function of the line's bytes.
 */
function standardColumns(buf: Uint8Array, dv: DataView, c: number, end: number, f: PacketFields): boolean {
  if (end <= c + COL_NAME) return false;
  if (dv.getInt32(c + 4, true) !== W_ET || buf[c + COL_ID] === SPACE || buf[c + COL_ID_END] !== SPACE) return false;
  const proto = dv.getInt32(c + COL_PROTO, true); // "UDP " / "TCP ": the protocol and the blank after it
  if (proto !== W_UDP && proto !== W_TCP) return false;
  const dirWord = dv.getInt32(c + COL_DIR, true); // "Snd " / "Rcv "
  let dir: number;
  if (dirWord === W_SND) dir = DIR_SND;
  else if (dirWord === W_RCV) dir = DIR_RCV;
  else return false;
  if (buf[c + COL_IP] === SPACE) return false;
  // An address longer than its 15-column field (IPv6) pushes the rest of the line right by its excess.
  let s = c;
  if (buf[c + COL_IP_PAD_END] !== SPACE) {
    // one token from its column on (a blank inside would make it two: the token walk decides those)
    let e = c + COL_IP + 1;
    const limit = Math.min(end, c + COL_IP + MAX_ADDRESS_CHARS + 1);
    while (e < limit && buf[e] !== SPACE && buf[e] !== TAB) e++;
    if (e <= c + COL_IP_PAD_END || e >= limit || buf[e] !== SPACE) return false;
    s = c + (e - (c + COL_IP_PAD_END));
    if (end <= s + COL_NAME) return false;
  }
  for (let i = COL_XID; i < COL_XID_END; i++) {
    const b = buf[s + i];
    if (b === SPACE || b === TAB) return false;
  }
  // " R Q" or "   Q": blank, QR slot, blank, opcode
  const qrWord = dv.getInt32(s + COL_XID_END, true);
  const qr = (qrWord >> 8) & 0xff;
  const op = qrWord >>> 24;
  if ((qrWord & 0xff00ff) !== 0x200020 || (qr !== QR_RESPONSE && qr !== SPACE) || !isOpcode(op) ||
    dv.getUint16(s + COL_OPCODE + 1, true) !== 0x5b20 /* " [" */ || dv.getUint16(s + COL_FLAGS_CLOSE, true) !== 0x205d /* "] " */ ||
    buf[s + COL_QTYPE] === SPACE || buf[s + COL_QTYPE_PAD_END] !== SPACE || buf[s + COL_NAME] === SPACE) {
    return false;
  }
  f.protoStart = c + COL_PROTO;
  f.dir = dir;
  f.ipStart = c + COL_IP;
  f.xidStart = s + COL_XID;
  f.xidEnd = s + COL_XID_END;
  f.isResponse = qr === QR_RESPONSE;
  f.opcode = op;
  f.qtypeStart = s + COL_QTYPE;
  f.nameStart = s + COL_NAME;
  f.nameEnd = end;
  // ipEnd, qtypeEnd and the rcode: completeFields
  f.pendingColumns = c;
  f.pendingShift = s - c;
  return true;
}

/**
 * Fill in the padded fields a standard-layout line left for later (`ipEnd`,
 * `qtypeEnd`, `rcodeStart`, `rcodeEnd`); call before reading them. `buf` is the
 * buffer the line was parsed from, unchanged since.
 */
export function completeFields(buf: Uint8Array, f: PacketFields): void {
  const c = f.pendingColumns;
  if (c < 0) return;
  f.pendingColumns = -1;
  // Padded fields end where their padding starts (read backwards: padding is shorter than the field).
  f.ipEnd = trimBack(buf, c + COL_IP, c + f.pendingShift + COL_IP_PAD_END);
  const s = c + f.pendingShift; // the columns after the address
  f.qtypeEnd = trimBack(buf, s + COL_QTYPE, s + COL_QTYPE_PAD_END);
  // rcode: the last token inside the brackets
  let r = s + COL_FLAGS_CLOSE;
  while (r > s + COL_FLAGS_OPEN && buf[r - 1] === SPACE) r--;
  f.rcodeEnd = r;
  while (r > s + COL_FLAGS_OPEN && buf[r - 1] !== SPACE && buf[r - 1] !== BRACKET_OPEN) r--;
  f.rcodeStart = r;
}

/** Parse everything after the `PACKET` token; false when the line is malformed. */
function parsePacketTail(buf: Uint8Array, p: number, end: number, f: PacketFields): boolean {
  f.pendingColumns = -1;
  p = skipSpaces(buf, p, end);
  p = skipSpaces(buf, tokenEnd(buf, p, end), end); // internal packet id
  // protocol
  if (end - p < 4) return false;
  const b0 = buf[p]!, b1 = buf[p + 1]!, b2 = buf[p + 2]!;
  if (!((b0 === 0x55 && b1 === 0x44 && b2 === 0x50) || (b0 === 0x54 && b1 === 0x43 && b2 === 0x50))) return false; // UDP | TCP
  f.protoStart = p;
  p = skipSpaces(buf, p + 3, end);
  // direction
  if (end - p < 4) return false;
  const d0 = buf[p]!, d1 = buf[p + 1]!, d2 = buf[p + 2]!;
  if (d0 === 0x53 && d1 === 0x6e && d2 === 0x64) f.dir = DIR_SND; // Snd
  else if (d0 === 0x52 && d1 === 0x63 && d2 === 0x76) f.dir = DIR_RCV; // Rcv
  else return false;
  p = skipSpaces(buf, p + 3, end);
  // remote IP
  f.ipStart = p;
  p = tokenEnd(buf, p, end);
  f.ipEnd = p;
  if (f.ipEnd === f.ipStart) return false;
  p = skipSpaces(buf, p, end);
  // xid
  f.xidStart = p;
  p = tokenEnd(buf, p, end);
  f.xidEnd = p;
  if (f.xidEnd === f.xidStart || p >= end) return false;
  // QR slot then opcode: "xid R Q [" (response) or "xid   Q [" / "xid Q [" (query)
  const q = p + 1;
  if (q + 3 < end && buf[q] === QR_RESPONSE && buf[q + 1] === SPACE && isOpcode(buf[q + 2]!) && buf[q + 3] === SPACE) {
    f.isResponse = true;
    f.opcode = buf[q + 2]!;
    p = q + 3;
  } else {
    p = skipSpaces(buf, p, end);
    if (p + 1 >= end || !isOpcode(buf[p]!) || buf[p + 1] !== SPACE) return false;
    f.isResponse = false;
    f.opcode = buf[p]!;
    p += 1;
  }
  p = skipSpaces(buf, p, end);
  if (buf[p] !== BRACKET_OPEN) return false;
  // flags group: "[hhhh FFFF  RCODE]" — rcode is the last token before ']'
  let close = p + 1;
  while (close < end && buf[close] !== BRACKET_CLOSE) close++;
  if (close >= end) return false;
  let r = close;
  while (r > p && buf[r - 1] === SPACE) r--;
  f.rcodeEnd = r;
  while (r > p && buf[r - 1] !== SPACE && buf[r - 1] !== BRACKET_OPEN) r--;
  f.rcodeStart = r;
  p = skipSpaces(buf, close + 1, end);
  // question type
  f.qtypeStart = p;
  p = tokenEnd(buf, p, end);
  f.qtypeEnd = p;
  if (f.qtypeEnd === f.qtypeStart) return false;
  p = skipSpaces(buf, p, end);
  if (p >= end) return false;
  f.nameStart = p;
  f.nameEnd = end;
  return true;
}

const HEADER_PREFIXES: readonly Uint8Array[] = [
  'DNS Server log file creation at',
  'Log file wrap at',
  'Message logging key',
  'UDP question info at',
  'UDP response info at',
  'TCP question info at',
  'TCP response info at',
].map((s) => Buffer.from(s, 'latin1'));

/** A line that does not start with a digit: header, continuation, or garbage. */
function classifyNonRecord(buf: Uint8Array, start: number, end: number): LineKindValue {
  const first = buf[start]!;
  if (first === TAB || first === SPACE) return LineKind.SKIPPED; // header key table, Details dump body
  for (let i = 0; i < HEADER_PREFIXES.length; i++) {
    const pre = HEADER_PREFIXES[i]!;
    if (end - start < pre.length) continue;
    let j = 0;
    while (j < pre.length && buf[start + j] === pre[j]) j++;
    if (j === pre.length) return LineKind.SKIPPED;
  }
  return LineKind.UNPARSED;
}
