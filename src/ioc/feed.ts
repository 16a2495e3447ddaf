/**
 * Reading indicator feeds: one indicator a line, `#` comments, hosts-file lines
 * (`0.0.0.0 evil.example`) and URLs (the host is taken). Bad lines are reported
 * with file and line number and skipped; a feed that cannot be read at all is an error.
 */
import { readFileSync, statSync } from 'node:fs';
import { DnshuntError, ErrorCode } from '../core/index.js';
import { normalizeIndicator } from './normalize.js';

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

/** Feeds larger than this are refused whole (a feed of 1,000,000 names is about 20 MB). */
const MAX_FEED_BYTES = 512 * 1024 * 1024;
/** How much of a bad line is quoted back. */
const MAX_QUOTE = 120;
const SEPARATOR_RE = /[\s,;]/;
const HOSTS_IPS = new Set(['0.0.0.0', '127.0.0.1', '::', '::1', '::0']);
const HOSTS_IGNORED_NAMES = new Set(['localhost', 'localhost.localdomain', 'local', 'broadcasthost', 'ip6-localhost', 'ip6-loopback']);

/**
 * A parsed feed, kept in columns: a feed can hold a million names, and an
 * object and a provenance string per name made loading it mostly garbage
 * collection. Provenance (`feed:FILE line N`) is written out only when asked.
 */
export class FeedResult {
  readonly file: string;
  /** Domain indicators (normalised), in line order. */
  readonly domains: string[] = [];
  /** The line of each entry of `domains`. */
  readonly domainLines: number[] = [];
  /** IP indicators (few), in line order, and the line of each. */
  readonly ips: Indicator[] = [];
  readonly ipLines: number[] = [];
  readonly problems: FeedProblem[] = [];

  constructor(file: string) {
    this.file = file;
  }

  /** Provenance text of a feed line. */
  sourceOf(line: number): string {
    return `feed:${this.file} line ${line}`;
  }

  /** Every indicator as an object, in line order (domains and IPs together). Built on each call. */
  get indicators(): Indicator[] {
    const out: Indicator[] = [];
    let ip = 0;
    for (let d = 0; d <= this.domains.length; d++) {
      const line = d < this.domains.length ? this.domainLines[d]! : Infinity;
      while (ip < this.ips.length && this.ipLines[ip]! < line) out.push(this.ips[ip++]!);
      if (d < this.domains.length) out.push({ value: this.domains[d]!, kind: 'domain', source: this.sourceOf(line), group: 'feed' });
    }
    return out;
  }
}

const CH_LF = 0x0a;
const CH_CR = 0x0d;

/**
 * True when `raw` is certainly a plain line: no comment, blank, separator or
 * control character (what the general path would strip or split on). Such a
 * line is the token itself.
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

/** Parse a feed's text. `file` names it in sources and problems. */
export function parseFeed(text: string, file: string): FeedResult {
  const out = new FeedResult(file);
  let lineNo = 0;
  let p = 0;
  const n = text.length;
  while (p <= n) {
    // next line end: LF, CR LF or a lone CR
    let e = p;
    while (e < n) {
      const c = text.charCodeAt(e);
      if (c === CH_LF || c === CH_CR) break;
      e++;
    }
    lineNo++;
    const raw = text.slice(p, e);
    if (e < n && text.charCodeAt(e) === CH_CR && e + 1 < n && text.charCodeAt(e + 1) === CH_LF) e++;
    p = e + 1;
    if (isSingleToken(raw)) addToken(out, raw, raw, lineNo);
    else parseLine(out, raw, lineNo);
    if (e >= n) break;
  }
  return out;
}

/** The general path: comments, blanks, hosts-file lines, several tokens. */
function parseLine(out: FeedResult, raw: string, lineNo: number): void {
  // '#' starts a comment unless it is inside a URL (fragment)
  const hash = raw.includes('#') ? raw.search(/(^|\s)#/) : -1;
  const body = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
  if (body.length === 0) return;
  if (body.includes('\u0000')) {
    out.problems.push({ file: out.file, line: lineNo, text: raw.slice(0, MAX_QUOTE), reason: 'contains NUL bytes (binary file?)' });
    return;
  }
  let tokens = SEPARATOR_RE.test(body) ? body.split(/[\s,;]+/).filter((t) => t.length > 0) : [body];
  if (tokens.length > 1 && HOSTS_IPS.has(tokens[0]!)) {
    tokens = tokens.slice(1).filter((t) => !HOSTS_IGNORED_NAMES.has(t.toLowerCase()));
    if (tokens.length === 0) return;
  } else if (tokens.length > 1) {
    out.problems.push({ file: out.file, line: lineNo, text: raw.slice(0, MAX_QUOTE), reason: 'more than one token and not a hosts-file line' });
    return;
  }
  for (const t of tokens) addToken(out, t, raw, lineNo);
}

function addToken(out: FeedResult, token: string, raw: string, lineNo: number): void {
  const n = normalizeIndicator(token);
  if (!n.ok) {
    out.problems.push({ file: out.file, line: lineNo, text: raw.slice(0, MAX_QUOTE), reason: n.reason });
  } else if (n.kind === 'domain') {
    out.domains.push(n.value);
    out.domainLines.push(lineNo);
  } else {
    out.ips.push({ value: n.value, kind: n.kind, source: out.sourceOf(lineNo), group: 'feed' });
    out.ipLines.push(lineNo);
  }
}

/** Read and parse a feed file; throws DnshuntError(BAD_FEED) when the file cannot be used at all. */
export function readFeed(path: string): FeedResult {
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
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    throw new DnshuntError(ErrorCode.BAD_FEED, `cannot read indicator feed ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseFeed(text, path);
}
