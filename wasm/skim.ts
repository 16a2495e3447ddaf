/**
 * The skim: the common case of a Windows DNS debug log, in WebAssembly.
 *
 * AssemblyScript, compiled by `scripts/build-wasm.mjs` into a module that the
 * scan workers instantiate (`src/scan/skim.ts` is its JavaScript side). It
 * walks the lines of a buffer and takes only lines whose outcome it is sure
 * of, exactly as `RangeScanner` would count them:
 *
 *   - a blank line (LF or CR LF alone): a skipped line;
 *   - a PACKET line in the standard column layout, found the way the
 *     JavaScript parser's fast path finds it (the context at the column the
 *     caller gives, the thread id, the timestamp tokens, the separators of
 *     the fixed columns; a line of 192 bytes or more only without a CR
 *     before its end): a record; and when it is a client query (Rcv, not a
 *     response, opcode Q), its name must decode strictly and the filter
 *     below must rule it out: a client query that matched nothing.
 *
 * A client query whose name the filter lets through (a false positive, or a
 * name that does not decode strictly) is taken all the same when its name's
 * bytes are among the cleared names: the JavaScript path, which decides every
 * such name the first time, found it matches nothing, and a name's outcome
 * depends on its bytes alone. A popular name that happens to pass the filter
 * (`img.dropbox.com` against a 100,000-name feed: 23,000 lines a gigabyte)
 * then costs the matcher once per thread instead of every time.
 *
 * At the first other line it stops and returns that line's start: the
 * JavaScript scanner handles it (and anything rare: hits, pairing, EVENT
 * lines, samples) and calls again after it. So the skim never decides
 * anything the JavaScript path would decide differently; it only decides
 * sooner. The tests hold both paths to the same results.
 *
 * The filter is a Bloom filter of the two leftmost labels of every indicator,
 * as a pair (`update.netal` for `update.netal.org`), or of its one label. An
 * indicator matches a name only when the name holds all of the indicator's
 * labels side by side, with or without search-suffix stripping; so a name
 * none of whose adjacent label pairs (nor, when some indicator has a single
 * label, none of whose labels) is in the filter cannot match. A false
 * positive only sends the line to the JavaScript matcher.
 *
 * Memory (one imported memory, offsets in bytes; the caller places the
 * buffer and the filter, src/scan/skim.ts shows where):
 *
 *   [0, 16)             counters, i32 each: lines, records, clientQueries, skipped
 *   [64, 68)            timestamp-prefix memo length (i32; -1 when empty)
 *   [128, 192)          timestamp-prefix memo bytes
 *   [32768, 65536)      cleared names: 256 slots of 128 bytes, a length byte
 *                       (0: empty) and a query name's bytes as logged, each
 *                       one the JavaScript matcher found to match nothing
 *                       (`clearName`); the caller empties it with the filter
 *   [buffer, …)         the bytes to skim, with 16 readable bytes after them
 *   [filter, +bytes)    the Bloom filter bits (src/match/pair-filter.ts builds
 *                       the same bits; filterAddPair/filterAddSingle below are
 *                       the reference the tests compare it with)
 */

const LF: u32 = 0x0a;
const CR: u32 = 0x0d;
const SP: u32 = 0x20;
const TAB: u32 = 0x09;
const PAREN_OPEN: u32 = 0x28;
const PAREN_CLOSE: u32 = 0x29;

const OUT_LINES: usize = 0;
const OUT_RECORDS: usize = 4;
const OUT_CLIENT_QUERIES: usize = 8;
const OUT_SKIPPED: usize = 12;
const MEMO_LENGTH: usize = 64;
const MEMO_BYTES: usize = 128;
const MEMO_CAPACITY: i32 = 64;
const CLEARED: usize = 32768;
const CLEARED_SLOT_BYTES: usize = 128;
const CLEARED_SLOT_MASK: u32 = 255;
/** Longest name a slot holds (after its length byte). */
const CLEARED_MAX_NAME: usize = CLEARED_SLOT_BYTES - 1;

/**
 * Lines at least this long are checked for a CR before the line end, as the
 * JavaScript scanner checks them (`CR_CHECK_BYTES`); one that has one is left
 * to it.
 */
const LONG_LINE_BYTES: usize = 192;
/** Up to this many tokens may stand before the thread id (`MAX_TOKENS_BEFORE_CONTEXT` - 2). */
const MAX_PREFIX_TOKENS: i32 = 4;
const MAX_LABELS: i32 = 128;
const MAX_ADDRESS_CHARS: usize = 64;

// Little-endian words, as `load<u32>` reads them.
const W_PACK: u32 = 0x4b434150; // "PACK"
const W_ET_SP_SP: u32 = 0x20205445; // "ET  "
const W_UDP: u32 = 0x20504455; // "UDP "
const W_TCP: u32 = 0x20504354; // "TCP "
const W_SND: u32 = 0x20646e53; // "Snd "
const W_RCV: u32 = 0x20766352; // "Rcv "

// Columns from the first byte of PACKET (src/parse/windows-line.ts).
const COL_ID: usize = 8;
const COL_ID_END: usize = 24;
const COL_PROTO: usize = 25;
const COL_DIR: usize = 29;
const COL_IP: usize = 33;
const COL_IP_PAD_END: usize = 48;
const COL_XID: usize = 49;
const COL_XID_END: usize = 53;
const COL_FLAGS_OPEN_SP: usize = 57;
const COL_FLAGS_CLOSE: usize = 77;
const COL_QTYPE: usize = 79;
const COL_QTYPE_PAD_END: usize = 85;
const COL_NAME: usize = 86;

@inline function byte(p: usize): u32 {
  return <u32>load<u8>(p);
}

@inline function isBlank(b: u32): bool {
  return b == SP || b == TAB;
}

@inline function isDigit(b: u32): bool {
  return b - 0x30 < 10;
}

@inline function isUpperHex(b: u32): bool {
  return b - 0x30 < 10 || b - 0x41 < 6;
}

@inline function isOpcode(b: u32): bool {
  return b == 0x51 || b == 0x55 || b == 0x4e || b == 0x3f; // Q U N ?
}

/** The first byte `b` in [p, end), or `end`. Reads up to 15 bytes past `end` (the caller's slack). */
function find(p: usize, end: usize, b: u32): usize {
  const lf = i8x16.splat(<i8>b);
  while (p < end) {
    const m = i8x16.bitmask(i8x16.eq(v128.load(p), lf));
    if (m != 0) {
      const at = p + <usize>ctz(m);
      return at < end ? at : end;
    }
    p += 16;
  }
  return end;
}

/**
 * `notPacketBefore` of the JavaScript parser: the bytes before the thread id
 * are 1–4 tokens, none starting with "PA", "EV" or "No". An LF among them
 * also fails (the JavaScript path never sees one inside a line), so a head
 * that passes holds no line end.
 */
function prefixTokensOk(start: usize, tid: usize): bool {
  let tokens: i32 = 0;
  let prevBlank = true;
  for (let p = start; p < tid; p++) {
    const b = byte(p);
    if (b == LF) return false;
    if (isBlank(b)) {
      prevBlank = true;
      continue;
    }
    if (prevBlank) {
      tokens++;
      const b1 = byte(p + 1);
      if ((b == 0x50 && b1 == 0x41) || (b == 0x45 && b1 == 0x56) || (b == 0x4e && b1 == 0x6f)) return false;
      prevBlank = false;
    }
  }
  return tokens >= 1 && tokens <= MAX_PREFIX_TOKENS;
}

/** `[a, a + len)` equals `[b, b + len)`, for 8 ≤ len: eight bytes at a time, the last word overlapping the one before. */
@inline function sameBytes(a: usize, b: usize, len: usize): bool {
  let i: usize = 0;
  while (i + 8 <= len) {
    if (load<u64>(a + i) != load<u64>(b + i)) return false;
    i += 8;
  }
  return i == len || load<u64>(a + len - 8) == load<u64>(b + len - 8);
}

/** `prefixTokensOk`, answered from the memo when the prefix is the last one that passed. */
function prefixOk(start: usize, tid: usize): bool {
  const len = <i32>(tid - start);
  if (len == load<i32>(MEMO_LENGTH) && len >= 8 && sameBytes(start, MEMO_BYTES, <usize>len)) return true;
  if (!prefixTokensOk(start, tid)) return false;
  if (len <= MEMO_CAPACITY) {
    memory.copy(MEMO_BYTES, start, <usize>len);
    store<i32>(MEMO_LENGTH, len);
  }
  return true;
}

/**
 * The filter's hash of one label `[p, p + len)`, with A–Z folded (by OR 0x20,
 * which folds at least what the matcher folds): its length and its first and
 * last four bytes.
 */
function labelKey(p: usize, len: usize): u32 {
  let first: u32 = 0;
  let last: u32 = 0;
  if (len >= 4) {
    first = load<u32>(p);
    last = load<u32>(p + len - 4);
  } else {
    for (let i: usize = 0; i < len; i++) first |= byte(p + i) << (<u32>i << 3);
    last = first;
  }
  first |= 0x20202020;
  last |= 0x20202020;
  let h = (first * 0x9e3779b1) ^ rotl<u32>(last * 0x85ebca77, 15) ^ (<u32>len * 0xc2b2ae3d);
  h ^= h >> 15;
  h *= 0x2c1b3c6d;
  h ^= h >> 12;
  return h;
}

/** Namespace of single-label keys, apart from pair keys. */
const SINGLE_SEED: u32 = 0x5bd1e995;

@inline function pairKey(left: u32, right: u32): u32 {
  let h = left ^ rotl<u32>(right * 0xcc9e2d51, 13);
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  return h;
}

/** Bits a key sets and a lookup tests (src/match/pair-filter.ts says why four). */
const FILTER_PROBES: u32 = 4;

/** The stride between a key's bits (double hashing): odd, so the four bits differ. */
@inline function probeStep(h: u32): u32 {
  return (rotl<u32>(h, 16) * 0x297a2d39) | 1;
}

@inline function bitSet(filter: usize, bit: u32): bool {
  return ((byte(filter + <usize>(bit >> 3)) >> (bit & 7)) & 1) != 0;
}

@inline function filterHas(filter: usize, mask: u32, h: u32): bool {
  const step = probeStep(h);
  let bit = h;
  for (let i: u32 = 0; i < FILTER_PROBES; i++) {
    if (!bitSet(filter, bit & mask)) return false;
    bit += step;
  }
  return true;
}

function setBits(filter: usize, mask: u32, h: u32): void {
  const step = probeStep(h);
  let bit = h;
  for (let i: u32 = 0; i < FILTER_PROBES; i++) {
    const b = bit & mask;
    store<u8>(filter + <usize>(b >> 3), byte(filter + <usize>(b >> 3)) | (1 << (b & 7)));
    bit += step;
  }
}

/** Add the label pair `[p1, p1 + len1)`, `[p2, p2 + len2)` (left to right as written) to the filter (bit count `mask + 1`, a power of two). */
export function filterAddPair(filter: usize, mask: u32, p1: usize, len1: usize, p2: usize, len2: usize): void {
  setBits(filter, mask, pairKey(labelKey(p1, len1), labelKey(p2, len2)));
}

/** Add the single label `[p, p + len)` to the filter. */
export function filterAddSingle(filter: usize, mask: u32, p: usize, len: usize): void {
  setBits(filter, mask, labelKey(p, len) ^ SINGLE_SEED);
}

/**
 * The name `[p, end)` decodes strictly (`decodeStrict`) into at least one
 * label and no adjacent label pair (nor, with `singles`, no label) is in the
 * filter.
 */
function nameMisses(p: usize, end: usize, filter: usize, mask: u32, singles: bool): bool {
  let count: i32 = 0;
  let prev: u32 = 0;
  while (p < end) {
    if (byte(p) != PAREN_OPEN) return false;
    p++;
    let len: usize = 0;
    let digits: i32 = 0;
    while (p < end) {
      const d = byte(p) - 0x30;
      if (d >= 10) break;
      len = len * 10 + <usize>d;
      digits++;
      p++;
      if (digits > 3) return false;
    }
    if (digits == 0 || p >= end || byte(p) != PAREN_CLOSE) return false;
    p++;
    if (len == 0) return p == end && count > 0;
    if (p + len > end || count >= MAX_LABELS) return false;
    const key = labelKey(p, len);
    if (count > 0 && filterHas(filter, mask, pairKey(prev, key))) return false;
    if (singles && filterHas(filter, mask, key ^ SINGLE_SEED)) return false;
    prev = key;
    count++;
    p += len;
  }
  return count > 0; // no terminating (0): the JavaScript decoder accepts that too
}

/** The cleared-names slot of the name `[p, p + len)`: FNV-1a of its bytes. */
function clearedSlot(p: usize, len: usize): usize {
  let h: u32 = 0x811c9dc5;
  for (let i: usize = 0; i < len; i++) h = (h ^ byte(p + i)) * 0x01000193;
  h ^= h >> 16;
  return CLEARED + <usize>(h & CLEARED_SLOT_MASK) * CLEARED_SLOT_BYTES;
}

/** Whether the name `[p, end)` is among the cleared names, byte for byte. */
function isCleared(p: usize, end: usize): bool {
  const len = end - p;
  if (len == 0 || len > CLEARED_MAX_NAME) return false;
  const slot = clearedSlot(p, len);
  if (<usize>byte(slot) != len) return false;
  return memory.compare(slot + 1, p, len) == 0;
}

/**
 * Remember the name `[p, end)` as one the matcher found to match nothing (the
 * JavaScript path calls this; a longer name than a slot holds is not kept,
 * and a name in the same slot is replaced).
 */
export function clearName(p: usize, end: usize): void {
  const len = end - p;
  if (len == 0 || len > CLEARED_MAX_NAME) return;
  const slot = clearedSlot(p, len);
  store<u8>(slot, <u8>len);
  memory.copy(slot + 1, p, len);
}

/**
 * The line head `[p, c)` — timestamp, thread id, the blanks before the
 * context at `c` — passes what the JavaScript fast path asks of it (a blank
 * before `c`, a thread id of 3–4 upper-case hex digits, 1–4 timestamp tokens
 * that are not PACKET, EVENT or Note:) and holds no LF.
 */
function headOk(p: usize, c: usize): bool {
  if (byte(c - 1) != SP) return false;
  let q = c - 1;
  while (q > p && byte(q - 1) == SP) q--;
  const tidEnd = q;
  while (q > p && byte(q - 1) != SP) q--;
  const tidLen = tidEnd - q;
  if (tidLen < 3 || tidLen > 4 || q <= p) return false;
  if (!isUpperHex(byte(q)) || !isUpperHex(byte(q + 1)) || !isUpperHex(byte(q + 2)) || (tidLen == 4 && !isUpperHex(byte(q + 3)))) return false;
  return prefixOk(p, q);
}

/** ASCII letters folded to lower case in each byte of a word (other bytes may change too: only ever compared folded). */
const FOLD_WORD: u32 = 0x20202020;

/**
 * Skim the lines of `[p, end)` (`end` right after an LF, or the end of the
 * input) with the context expected `hint` bytes into each line (0: none is
 * expected, so only blank lines are taken); `singles` when some indicator is
 * a single label. At most `maxLines` lines are taken, and no PACKET line
 * whose query id (its four bytes, folded) is `xid0` or `xid1` (0: none):
 * while a matched query waits for its response, the caller gives its id and
 * how many lines it still waits, and handles the lines that may answer it.
 * Adds what it takes to the counters and returns the start of the first line
 * it left to the caller, or `end`.
 */
export function skim(p: usize, end: usize, hint: usize, filter: usize, mask: u32, singles: bool, xid0: u32, xid1: u32, maxLines: i32): usize {
  let lines: i32 = 0;
  let records: i32 = 0;
  let clientQueries: i32 = 0;
  let skipped: i32 = 0;
  while (p < end && lines < maxLines) {
    const first = byte(p);
    if (first == LF) {
      lines++;
      skipped++;
      p++;
      continue;
    }
    if (first == CR && p + 1 < end && byte(p + 1) == LF) {
      lines++;
      skipped++;
      p += 2;
      continue;
    }
    // The context column comes from an earlier line and may be anywhere: the
    // line must reach past the name column before anything at it is read.
    if (hint == 0 || !isDigit(first) || p + hint + COL_NAME >= end) break;
    const c = p + hint;
    // the head first: it holds no LF when it passes, so the line end is searched from the context on
    if (!headOk(p, c)) break;
    const nl = find(c, end, LF);
    if (nl >= end) break;
    if (nl - p >= LONG_LINE_BYTES && find(p, nl - 1, CR) < nl - 1) break;
    // trailing CR and blanks belong to no field
    let e = nl;
    while (e > p && (byte(e - 1) == CR || isBlank(byte(e - 1)))) e--;
    if (e <= c + COL_NAME || load<u32>(c) != W_PACK || load<u32>(c + 4) != W_ET_SP_SP) break;
    // the fixed columns (standardColumns)
    if (byte(c + COL_ID) == SP || byte(c + COL_ID_END) != SP) break;
    const proto = load<u32>(c + COL_PROTO);
    if (proto != W_UDP && proto != W_TCP) break;
    const dirWord = load<u32>(c + COL_DIR);
    const rcv = dirWord == W_RCV;
    if (!rcv && dirWord != W_SND) break;
    if (byte(c + COL_IP) == SP) break;
    let s = c;
    if (byte(c + COL_IP_PAD_END) != SP) {
      let a = c + COL_IP + 1;
      const cap = c + COL_IP + MAX_ADDRESS_CHARS + 1;
      const limit = cap < e ? cap : e;
      while (a < limit && !isBlank(byte(a))) a++;
      if (a <= c + COL_IP_PAD_END || a >= limit || byte(a) != SP) break;
      s = c + (a - (c + COL_IP_PAD_END));
      if (e <= s + COL_NAME) break;
    }
    if (isBlank(byte(s + COL_XID)) || isBlank(byte(s + COL_XID + 1)) || isBlank(byte(s + COL_XID + 2)) || isBlank(byte(s + COL_XID + 3))) break;
    const xid = load<u32>(s + COL_XID) | FOLD_WORD;
    if (xid == xid0 || xid == xid1) break;
    const qrWord = load<u32>(s + COL_XID_END);
    const qr = (qrWord >> 8) & 0xff;
    const op = qrWord >> 24;
    if ((qrWord & 0xff00ff) != 0x200020 || (qr != 0x52 && qr != SP) || !isOpcode(op)) break;
    if (load<u16>(s + COL_FLAGS_OPEN_SP) != 0x5b20 || load<u16>(s + COL_FLAGS_CLOSE) != 0x205d) break;
    if (byte(s + COL_QTYPE) == SP || byte(s + COL_QTYPE_PAD_END) != SP || byte(s + COL_NAME) == SP) break;
    if (rcv && qr == SP && op == 0x51) {
      if (!nameMisses(s + COL_NAME, e, filter, mask, singles) && !isCleared(s + COL_NAME, e)) break;
      clientQueries++;
    }
    lines++;
    records++;
    p = nl + 1;
  }
  store<i32>(OUT_LINES, load<i32>(OUT_LINES) + lines);
  store<i32>(OUT_RECORDS, load<i32>(OUT_RECORDS) + records);
  store<i32>(OUT_CLIENT_QUERIES, load<i32>(OUT_CLIENT_QUERIES) + clientQueries);
  store<i32>(OUT_SKIPPED, load<i32>(OUT_SKIPPED) + skipped);
  return p;
}
