/**
 * Reading indicator feeds: one indicator a line, `#` comments, hosts-file lines
 * (`0.0.0.0 evil.example`) and URLs (the host is taken). Bad lines are reported
 * with file and line number and skipped; a feed that cannot be read at all is an error.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { CR, DASH, DIGIT_0, DIGIT_9, DOT, DnshuntError, ErrorCode, LF, LOWER_A, LOWER_Z } from '../core/index.js';
import type { DomainList } from '../match/index.js';
import { normalizeIndicator, onlyPublicSuffixReason } from './normalize.js';

/** One indicator with its provenance. */
export interface Indicator {
  /** Normalised value: a lower-case domain, or an IP. */
  value: string;
  kind: 'domain' | 'ip';
  /** Human-readable provenance: `feed:/path/list.txt line 3`, `builtin:locky-static [C2] Proofpoint …`. */
  source: string;
  /** Group or role (`C2`, `PAY`, `feed`). */
  group: string;
}

/** A feed line that was skipped. */
export interface FeedProblem {
  file: string;
  line: number;
  text: string;
  reason: string;
}

/** A parsed feed in plain parts (see `FeedResult.snapshot`). */
export interface FeedSnapshot {
  meta: {
    count: number;
    bytes: number;
    labels: number;
    problemCount: number;
    problems: { line: number; text: string; reason: string }[];
    ips: { value: string; kind: 'domain' | 'ip'; group: string; line: number }[];
  };
  /** Domain bytes back to back, `bytes` long. */
  pool: Uint8Array<ArrayBuffer>;
  /** End offset in `pool` of each domain, and the line it came from. */
  ends: Int32Array<ArrayBuffer>;
  lines: Int32Array<ArrayBuffer>;
}

/** The three columns of a parse (see `FeedSnapshot`). */
export type FeedColumns = Pick<FeedSnapshot, 'pool' | 'ends' | 'lines'>;

/** Feeds larger than this are refused whole (a feed of 1,000,000 names is about 20 MB). */
export const MAX_FEED_BYTES = 512 * 1024 * 1024;
/**
 * A feed bigger than this is read this much at a time. Small enough that each
 * piece's text is an ordinary young-generation string, collected at once:
 * with 1 MiB pieces (large objects, kept until a full collection) a
 * 1,000,000-name feed peaked 40 MB higher and loaded 30 % slower; read whole,
 * it peaked 17 MB higher (BENCHMARKS.md).
 */
export const FEED_READ_BYTES = 32 * 1024;
/**
 * A feed up to this size is read in one piece: parsing it in one call lets
 * V8 optimise the loop sooner (a 100,000-name feed read in pieces made a scan
 * ~4 % slower), and its memory is small either way.
 */
export const FEED_WHOLE_BYTES = 8 * 1024 * 1024;
/** How much of a bad line is quoted back. */
const MAX_QUOTE = 120;
/** Skipped lines kept (with their text) per feed; the rest are only counted. */
export const MAX_PROBLEM_SAMPLES = 1000;
const SEPARATOR_RE = /[\s,;]/;
const HOSTS_IPS = new Set(['0.0.0.0', '127.0.0.1', '::', '::1', '::0']);
const HOSTS_IGNORED_NAMES = new Set(['localhost', 'localhost.localdomain', 'local', 'broadcasthost', 'ip6-localhost', 'ip6-loopback']);

/** Domains of a deferred feed read one by one before its columns are read whole instead. */
const MAX_READ_ALONE = 256;
/** Initial capacity of a feed's columns (they double as needed). */
const INITIAL_DOMAINS = 1024;

/**
 * A parsed feed, kept in columns: a feed can hold a million names, and an
 * object, a string and a provenance string per name made loading it mostly
 * garbage collection and held ~70 MB of heap per million names. Domains are
 * stored as their bytes back to back; strings and provenance text
 * (`feed:FILE line N`) are made only when asked for.
 */
export class FeedResult implements DomainList {
  readonly file: string;
  /** IP indicators (few), in line order, and the line of each. */
  readonly ips: Indicator[] = [];
  readonly ipLines: number[] = [];
  /** The first MAX_PROBLEM_SAMPLES skipped lines (a CSV given as a feed can make every line one). */
  readonly problems: FeedProblem[] = [];
  /** Every skipped line, sampled or not. */
  problemCount = 0;
  /** Number of domain indicators. */
  count = 0;
  /** Their total length in bytes, and their total label count. */
  bytes = 0;
  labels = 0;
  private pool: Uint8Array<ArrayBuffer>;
  /** End offset in `pool` of each domain (it starts where the one before ends). */
  private ends: Int32Array<ArrayBuffer> = new Int32Array(INITIAL_DOMAINS);
  private lines: Int32Array<ArrayBuffer> = new Int32Array(INITIAL_DOMAINS);
  /** Where the columns come from when they were not loaded yet (`deferred`); null once they are here. */
  private pending: (() => FeedColumns) | null = null;
  /** While they are not: one domain and its line, read alone (`deferred`), and those read so far. */
  private readOne: ((i: number) => { domain: string; line: number } | null) | null = null;
  private readSoFar: Map<number, { domain: string; line: number }> | null = null;

  /** `poolBytes`: room for this many domain bytes before the pool has to grow (a feed's text length is always enough). */
  constructor(file: string, poolBytes = INITIAL_DOMAINS * 16) {
    this.file = file;
    this.pool = new Uint8Array(Math.max(poolBytes, 16));
  }

  /** Count a skipped line; keep it while there are fewer than MAX_PROBLEM_SAMPLES. */
  addProblem(line: number, text: string, reason: string): void {
    this.problemCount++;
    if (this.problems.length < MAX_PROBLEM_SAMPLES) this.problems.push({ file: this.file, line, text: text.slice(0, MAX_QUOTE), reason });
  }

  /** Append a normalised domain (ASCII) found on `line`. */
  addDomain(value: string, line: number): void {
    if (this.count === this.ends.length) {
      this.ends = grow(this.ends);
      this.lines = grow(this.lines);
    }
    if (this.bytes + value.length > this.pool.length) {
      const bigger = new Uint8Array(Math.max(this.pool.length * 2, this.bytes + value.length, INITIAL_DOMAINS * 16));
      bigger.set(this.pool);
      this.pool = bigger;
    }
    const pool = this.pool;
    let at = this.bytes;
    let labels = 1;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c === DOT) labels++;
      pool[at++] = c;
    }
    this.bytes = at;
    this.labels += labels;
    this.ends[this.count] = at;
    this.lines[this.count] = line;
    this.count++;
  }

  /**
   * Fix the columns to their used length (call once the feed is read). Views,
   * not copies, where the spare room is at most what is used (a copy of a
   * million-name feed's columns would briefly hold them twice); a pool mostly
   * unused is copied to its size.
   */
  trim(): void {
    // the pool was sized from the file; a feed that is mostly comments, URLs or bad lines leaves most of it unused
    this.pool = this.bytes < this.pool.length / 2 ? this.pool.slice(0, this.bytes) : this.pool.subarray(0, this.bytes);
    this.ends = this.ends.subarray(0, this.count);
    this.lines = this.lines.subarray(0, this.count);
  }

  /**
   * The parse in plain parts (for a cache of parsed feeds): the three columns,
   * shared, not copied, and the few objects. `FeedResult.fromSnapshot` makes
   * the same result from them. Call after `trim`.
   */
  snapshot(): FeedSnapshot {
    this.load();
    return {
      meta: {
        count: this.count,
        bytes: this.bytes,
        labels: this.labels,
        problemCount: this.problemCount,
        problems: this.problems.map(({ line, text, reason }) => ({ line, text, reason })),
        ips: this.ips.map(({ value, kind, group }, i) => ({ value, kind, group, line: this.ipLines[i]! })),
      },
      pool: this.pool,
      ends: this.ends,
      lines: this.lines,
    };
  }

  /**
   * The result a snapshot was made of, for the feed now at `file` (provenance
   * names this path); null when the parts do not fit together (then the feed
   * is parsed again).
   */
  static fromSnapshot(file: string, snap: FeedSnapshot): FeedResult | null {
    if (!FeedResult.fits(snap.meta.count, snap.meta.bytes, snap)) return null;
    const r = FeedResult.ofMeta(file, snap.meta);
    r.pool = snap.pool;
    r.ends = snap.ends;
    r.lines = snap.lines;
    return r;
  }

  /**
   * A result known by its snapshot's metadata (counts, skipped lines, IPs),
   * whose columns `load` gives on first use: a scan whose compiled set is
   * cached needs a feed's domains and lines only to explain a hit, and then
   * only a hit's: `one(i)` reads domain `i` and its line alone (null: it
   * could not, and `load` is used). `load` must give columns that fit the
   * metadata's counts (`fits`), or throw.
   */
  static deferred(file: string, meta: FeedSnapshot['meta'], load: () => FeedColumns, one: ((i: number) => { domain: string; line: number } | null) | null = null): FeedResult {
    const r = FeedResult.ofMeta(file, meta);
    r.pending = load;
    r.readOne = one;
    return r;
  }

  /** This result with its columns brought in now (deferred ones are read; returns `this`). */
  loaded(): this {
    this.load();
    return this;
  }

  /**
   * Domain `i` and its line without loading the columns, when they are
   * deferred and can be read alone; else null. After MAX_READ_ALONE domains
   * the columns are read whole (a run with that many hits from one feed reads
   * less that way).
   */
  private oneAlone(i: number): { domain: string; line: number } | null {
    if (this.pending === null || this.readOne === null || !Number.isInteger(i) || i < 0 || i >= this.count) return null;
    this.readSoFar ??= new Map();
    if (this.readSoFar.size >= MAX_READ_ALONE && !this.readSoFar.has(i)) return null;
    let got = this.readSoFar.get(i) ?? null;
    if (got === null) {
      got = this.readOne(i);
      if (got !== null) this.readSoFar.set(i, got);
    }
    return got;
  }

  /** Whether `columns` are those of a parse of `count` domains of `bytes` bytes in all (lengths and the pool's end agree). */
  static fits(count: number, bytes: number, columns: FeedColumns): boolean {
    const { pool, ends, lines } = columns;
    return ends.length === count && lines.length === count && pool.length === bytes && (count > 0 ? ends[count - 1] === bytes : bytes === 0);
  }

  private static ofMeta(file: string, meta: FeedSnapshot['meta']): FeedResult {
    const r = new FeedResult(file, 0);
    r.count = meta.count;
    r.bytes = meta.bytes;
    r.labels = meta.labels;
    r.problemCount = meta.problemCount;
    for (const q of meta.problems) r.problems.push({ file, line: q.line, text: q.text, reason: q.reason });
    for (const ip of meta.ips) {
      r.ips.push({ value: ip.value, kind: ip.kind, source: r.sourceOf(ip.line), group: ip.group });
      r.ipLines.push(ip.line);
    }
    return r;
  }

  /** Bring deferred columns in (a no-op once they are here). */
  private load(): void {
    const load = this.pending;
    if (load === null) return;
    const columns = load();
    if (!FeedResult.fits(this.count, this.bytes, columns)) throw new DnshuntError(ErrorCode.INTERNAL, `indicator feed ${this.file}: its columns do not fit its counts`);
    this.pool = columns.pool;
    this.ends = columns.ends;
    this.lines = columns.lines;
    this.pending = null;
    this.readOne = null;
    this.readSoFar = null;
  }

  private startOf(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]!;
  }

  /** Domain `i` as text. */
  domain(i: number): string {
    if (this.pending !== null) {
      const alone = this.oneAlone(i);
      if (alone !== null) return alone.domain;
      this.load();
    }
    return Buffer.from(this.pool.buffer, this.pool.byteOffset + this.startOf(i), this.ends[i]! - this.startOf(i)).toString('latin1');
  }

  /** The feed line domain `i` came from. */
  lineOf(i: number): number {
    if (this.pending !== null) {
      const alone = this.oneAlone(i);
      if (alone !== null) return alone.line;
      this.load();
    }
    return this.lines[i]!;
  }

  copyTo(i: number, into: Uint8Array): number {
    if (this.pending !== null) this.load();
    const start = this.startOf(i);
    const len = Math.min(this.ends[i]! - start, into.length);
    const pool = this.pool;
    for (let j = 0; j < len; j++) into[j] = pool[start + j]!;
    return len;
  }

  /** Every domain as text, in line order (made on each call). */
  get domains(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.domain(i));
    return out;
  }

  /** Provenance text of a feed line. */
  sourceOf(line: number): string {
    return `feed:${this.file} line ${line}`;
  }

  /** Every indicator as an object, in line order (domains and IPs together). Made on each call. */
  get indicators(): Indicator[] {
    this.load();
    const out: Indicator[] = [];
    let ip = 0;
    for (let d = 0; d <= this.count; d++) {
      const line = d < this.count ? this.lines[d]! : Infinity;
      while (ip < this.ips.length && this.ipLines[ip]! < line) out.push(this.ips[ip++]!);
      if (d < this.count) out.push({ value: this.domain(d), kind: 'domain', source: this.sourceOf(line), group: 'feed' });
    }
    return out;
  }
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(a.length * 2, INITIAL_DOMAINS));
  b.set(a);
  return b;
}

const UNDERSCORE = 0x5f;
/** Longest domain (RFC 1035) and label the plain-line check accepts. */
const MAX_PLAIN_NAME = 253;
const MAX_PLAIN_LABEL = 63;

function isLabelChar(c: number): boolean {
  return (c >= LOWER_A && c <= LOWER_Z) || (c >= DIGIT_0 && c <= DIGIT_9) || c === DASH || c === UNDERSCORE;
}

/**
 * True when `text[start, end)` is already a normal domain: lower-case labels
 * of 1–63 letters, digits, `_` or inner `-`, at least two of them, at most 253
 * characters, the last not all digits. Such a line is its own normalised value
 * (what normalizeIndicator would return for it); anything else takes the
 * general path, so a false "no" costs only time.
 */
function isPlainDomain(text: string, start: number, end: number): boolean {
  const len = end - start;
  if (len < 3 || len > MAX_PLAIN_NAME) return false;
  let labelStart = start;
  let labels = 0;
  let digitsOnly = true;
  for (let i = start; i <= end; i++) {
    const c = i < end ? text.charCodeAt(i) : DOT;
    if (c === DOT) {
      const l = i - labelStart;
      if (l === 0 || l > MAX_PLAIN_LABEL) return false;
      if (text.charCodeAt(labelStart) === DASH || text.charCodeAt(i - 1) === DASH) return false;
      labels++;
      if (i === end && digitsOnly) return false;
      labelStart = i + 1;
      digitsOnly = true;
      continue;
    }
    if (!isLabelChar(c)) return false;
    if (c < DIGIT_0 || c > DIGIT_9) digitsOnly = false;
  }
  return labels >= 2;
}

/**
 * True when `raw` is certainly a single token: no comment, blank, separator or
 * control character (what the general path would strip or split on).
 */
function isSingleToken(raw: string): boolean {
  if (raw.length === 0) return false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    // blank and control characters, '#', ',', ';' and the no-break space (a blank to trim())
    if (c <= 0x20 || c === 0x23 || c === 0x2c || c === 0x3b || c === 0x7f || c === 0xa0) return false;
  }
  return true;
}

/**
 * Parses a feed handed over in pieces (a file is read a chunk at a time, so
 * neither the whole file nor its text is ever in memory at once). Lines end at
 * LF, CR LF or a lone CR; a piece may end anywhere, even between the CR and
 * the LF of one line end: the unfinished line waits for the next piece. The
 * result does not depend on where the text was cut (tested).
 */
export class FeedParser {
  readonly out: FeedResult;
  private carry = '';
  private lineNo = 0;

  /** `expectedBytes`: the feed's size if known (sizes the domain pool once). */
  constructor(file: string, expectedBytes?: number) {
    this.out = new FeedResult(file, expectedBytes);
  }

  /** Parse the lines that `text` completes. */
  push(text: string): void {
    // A piece with no line end only lengthens the unfinished line: keep it without
    // scanning that line again (a feed that is one long line stays linear).
    if (text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
      this.carry += text;
      return;
    }
    const t = this.carry.length > 0 ? this.carry + text : text;
    this.carry = t.slice(this.parseLines(t, false));
  }

  /** Parse what is left as the last line(s) and return the result. */
  end(): FeedResult {
    this.parseLines(this.carry, true);
    this.carry = '';
    this.out.trim();
    return this.out;
  }

  /**
   * Parse the lines of `text`; unless `final`, stop before a line whose end is
   * not in `text` yet (a CR at the very end may be the first half of CR LF).
   * Returns where the unparsed rest starts.
   */
  private parseLines(text: string, final: boolean): number {
    const out = this.out;
    const n = text.length;
    let p = 0;
    while (p <= n) {
      let e = p;
      while (e < n) {
        const c = text.charCodeAt(e);
        if (c === LF || c === CR) break;
        e++;
      }
      if (!final && (e >= n || (e === n - 1 && text.charCodeAt(e) === CR))) return p;
      const lineNo = ++this.lineNo;
      const lineStart = p;
      const lineEnd = e;
      const raw = text.slice(p, e);
      if (e < n && text.charCodeAt(e) === CR && e + 1 < n && text.charCodeAt(e + 1) === LF) e++;
      p = e + 1;
      if (isPlainDomain(text, lineStart, lineEnd)) addPlainDomain(out, raw, lineNo);
      else if (isSingleToken(raw)) addToken(out, raw, raw, lineNo);
      else parseLine(out, raw, lineNo);
      if (e >= n) break;
    }
    return n;
  }
}

/** Parse a feed's whole text. `file` names it in sources and problems. */
export function parseFeed(text: string, file: string): FeedResult {
  // a normalised domain is never longer than the text it came from: the pool never grows
  const parser = new FeedParser(file, text.length);
  parser.push(text);
  return parser.end();
}

/** The general path: comments, blanks, hosts-file lines, several tokens. */
function parseLine(out: FeedResult, raw: string, lineNo: number): void {
  // '#' starts a comment unless it is inside a URL (fragment)
  const hash = raw.includes('#') ? raw.search(/(^|\s)#/) : -1;
  const body = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
  if (body.length === 0) return;
  if (body.includes('\u0000')) {
    out.addProblem(lineNo, raw, 'contains NUL bytes (binary file?)');
    return;
  }
  let tokens = SEPARATOR_RE.test(body) ? body.split(/[\s,;]+/).filter((t) => t.length > 0) : [body];
  if (tokens.length > 1 && HOSTS_IPS.has(tokens[0]!)) {
    tokens = tokens.slice(1).filter((t) => !HOSTS_IGNORED_NAMES.has(t.toLowerCase()));
    if (tokens.length === 0) return;
  } else if (tokens.length > 1) {
    out.addProblem(lineNo, raw, 'more than one token and not a hosts-file line');
    return;
  }
  for (const t of tokens) addToken(out, t, raw, lineNo);
}

/** A line that is already a normal domain: only the public-suffix check is left. */
function addPlainDomain(out: FeedResult, value: string, lineNo: number): void {
  const reason = onlyPublicSuffixReason(value);
  if (reason === null) out.addDomain(value, lineNo);
  else out.addProblem(lineNo, value, reason);
}

function addToken(out: FeedResult, token: string, raw: string, lineNo: number): void {
  const n = normalizeIndicator(token);
  if (!n.ok) {
    out.addProblem(lineNo, raw, n.reason);
  } else if (n.kind === 'domain') {
    out.addDomain(n.value, lineNo);
  } else {
    out.ips.push({ value: n.value, kind: n.kind, source: out.sourceOf(lineNo), group: 'feed' });
    out.ipLines.push(lineNo);
  }
}

/**
 * Read and parse a feed file; throws DnshuntError(BAD_FEED) when the file
 * cannot be used at all. `onBytes` sees every byte that was parsed, in order
 * (a cache hashes them: the key of a stored parse is then the hash of exactly
 * what was parsed, even if the file changed meanwhile).
 */
export function readFeed(path: string, onBytes?: (bytes: Uint8Array) => void): FeedResult {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new DnshuntError(ErrorCode.BAD_FEED, `indicator feed ${path} is not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof DnshuntError) throw e;
    throw new DnshuntError(ErrorCode.BAD_FEED, `cannot read indicator feed ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (size > MAX_FEED_BYTES) throw new DnshuntError(ErrorCode.BAD_FEED, `indicator feed ${path} is larger than ${MAX_FEED_BYTES} bytes`);
  // Read a chunk at a time: a big feed is never held whole, as bytes or as text.
  const parser = new FeedParser(path, size);
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    const chunk = Buffer.allocUnsafe(size <= FEED_WHOLE_BYTES ? Math.max(size, 1) : FEED_READ_BYTES);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      onBytes?.(chunk.subarray(0, n));
      parser.push(chunk.toString('latin1', 0, n));
    }
  } catch (e) {
    throw new DnshuntError(ErrorCode.BAD_FEED, `cannot read indicator feed ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  } finally {
    if (fd >= 0) closeSync(fd);
  }
  return parser.end();
}
