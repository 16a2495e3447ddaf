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

/** Parse a feed's text. `file` names it in sources and problems. */
export function parseFeed(text: string, file: string): { indicators: Indicator[]; problems: FeedProblem[] } {
  const indicators: Indicator[] = [];
  const problems: FeedProblem[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    // '#' starts a comment unless it is inside a URL (fragment)
    const hash = raw.includes('#') ? raw.search(/(^|\s)#/) : -1;
    const body = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (body.length === 0) continue;
    if (body.includes('\u0000')) {
      problems.push({ file, line: lineNo, text: raw.slice(0, MAX_QUOTE), reason: 'contains NUL bytes (binary file?)' });
      continue;
    }
    let tokens = SEPARATOR_RE.test(body) ? body.split(/[\s,;]+/).filter((t) => t.length > 0) : [body];
    if (tokens.length > 1 && HOSTS_IPS.has(tokens[0]!)) {
      tokens = tokens.slice(1).filter((t) => !HOSTS_IGNORED_NAMES.has(t.toLowerCase()));
      if (tokens.length === 0) continue;
    } else if (tokens.length > 1) {
      problems.push({ file, line: lineNo, text: raw.slice(0, MAX_QUOTE), reason: 'more than one token and not a hosts-file line' });
      continue;
    }
    for (const t of tokens) {
      const n = normalizeIndicator(t);
      if (!n.ok) {
        problems.push({ file, line: lineNo, text: raw.slice(0, MAX_QUOTE), reason: n.reason });
        continue;
      }
      indicators.push({ value: n.value, kind: n.kind, source: `feed:${file} line ${lineNo}`, group: 'feed' });
    }
  }
  return { indicators, problems };
}

/** Read and parse a feed file; throws DnshuntError(BAD_FEED) when the file cannot be used at all. */
export function readFeed(path: string): { indicators: Indicator[]; problems: FeedProblem[] } {
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
