/**
 * Parsed feeds, compiled matcher images and DGA names kept between runs
 * (`CacheStore`).
 *
 * Loading a 100,000-name feed and compiling the run's set costs ~0.2 s in a
 * fresh process, about a seventh of a 1 GB scan, and the same again on every
 * run with the same feed. Three kinds of entry:
 *
 * - `feed`: one feed file's parse (its columns, skipped lines and IPs), keyed
 *   by a SHA-256 of the file's bytes: any other feed file with the same bytes
 *   uses it too, under its own name.
 * - `set`: the compiled image of a whole run's set and the compiler's list of
 *   repeated positions, keyed by the bundled list, the feeds' digests in
 *   order, the generated DGA names (so the log's dates) and the search
 *   suffixes.
 * - `dga`: the DGA names of a date range for a list of configurations (a few
 *   thousand names cost 20–30 ms to generate in a fresh process, most of
 *   what is left of the indicator work once the other two are cached).
 *
 * Every key also holds the identity of the running code (`codeIdentity`: the
 * bundle's build id, a hash of the compiled code), so a changed parser or
 * compiler never reads an old entry.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateNames, type DgaConfig, type DgaName } from '../dga/index.js';
import { DnshuntError, ErrorCode, type CivilDate } from '../core/index.js';
import { FeedResult, MAX_FEED_BYTES, readFeed, type FeedColumns, type FeedSnapshot, type Indicator, type IndicatorSet } from '../ioc/index.js';
import { CompiledMatcher, MATCHER_VERSION, buildMatcher } from '../match/index.js';
import { CacheStore, defaultCacheDir, type PeekedEntry } from './cache-store.js';

/** Bump when what the entries hold changes shape. */
const ENTRY_FORMAT = 1;
/**
 * Feed files are hashed this much at a time. Small: a fresh buffer costs a
 * page fault per 4 KiB on first touch (~12 µs each on the benchmark VM), and
 * a 100,000-name feed hashed in 1 MiB pieces took 9-11 ms, in 64 KiB ones 4-5 ms.
 */
const HASH_READ_BYTES = 64 * 1024;

/** Everything a compiled set is made of, in position order (see IndicatorSet). */
export interface SetParts {
  /** The object indicators (bundled list), IPs included: the set drops them itself. */
  objects: readonly Indicator[];
  /** Digest of each feed file (`IndicatorCache.readFeed`), in load order. */
  feedDigests: readonly string[];
  /** The generated DGA names, in order. */
  generated: readonly string[];
}

/** Set by the bundler (scripts/bundle.mjs): a SHA-256 of the compiled code and package.json. */
declare const __DNSHUNT_BUILD_ID__: string | undefined;

let codeIdentityMemo: string | null = null;

/**
 * The running code's identity: the bundle's build id; unbundled (tests, the
 * dist/ CLI), the package version and the size and mtime of this module's
 * file, which every build rewrites.
 */
export function codeIdentity(): string {
  if (codeIdentityMemo === null && typeof __DNSHUNT_BUILD_ID__ === 'string') codeIdentityMemo = `build ${__DNSHUNT_BUILD_ID__}|${ENTRY_FORMAT}|${MATCHER_VERSION}`;
  if (codeIdentityMemo === null) {
    const here = fileURLToPath(import.meta.url);
    const st = statSync(here);
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    codeIdentityMemo = `${String(pkg.version)}|${st.size}|${st.mtimeMs}|${ENTRY_FORMAT}|${MATCHER_VERSION}`;
  }
  return codeIdentityMemo;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * SHA-256 of a feed file's bytes, or null when it is not a regular file of a
 * usable size or cannot be read (the feed reader then says why). Checked
 * before opening: opening a FIFO would wait for a writer.
 */
function fileDigest(path: string): string | null {
  let fd = -1;
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > MAX_FEED_BYTES) return null;
    fd = openSync(path, 'r');
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(HASH_READ_BYTES);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
    }
    return hash.digest('hex');
  } catch {
    return null;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/**
 * The cache `scan` and `tail` use, per their options (`cache: false`: none).
 * `deferFeeds` (scan): a cached feed's columns are read when first needed
 * (`IndicatorCache.readFeed`); call `close` when the run is over.
 */
export function openIndicatorCache(o: { cache: boolean; cacheDir?: string }, deferFeeds = false): IndicatorCache | null {
  if (!o.cache) return null;
  return new IndicatorCache(new CacheStore(o.cacheDir ?? defaultCacheDir()), codeIdentity(), o.cacheDir !== undefined || Boolean(process.env.DNSHUNT_CACHE_DIR), deferFeeds);
}

/** Parsed feeds, compiled sets and DGA names through a CacheStore; new entries are written by `flush` or `flushAsync`. */
export class IndicatorCache {
  readonly store: CacheStore;
  private readonly code: string;
  /** Entries computed this run and not written yet: kind, key, and how to make their parts. */
  private readonly unsaved: { kind: string; key: string; parts: () => { meta: unknown; sections: Uint8Array[] } }[] = [];
  /** How the last run went, for tests and benchmarks: entries read and entries computed. */
  readonly stats = { feedHits: 0, feedMisses: 0, setHits: 0, setMisses: 0, dgaHits: 0, dgaMisses: 0 };

  /** Whether the user chose the folder (a failed write is then worth a warning). */
  private readonly chosenFolder: boolean;
  /** Whether cached feeds' columns are read when first needed (`readFeed`). */
  private readonly deferFeeds: boolean;
  /** Feed entries held open for deferred reads, until `close`. */
  private readonly held: PeekedEntry[] = [];

  constructor(store: CacheStore, code = codeIdentity(), chosenFolder = true, deferFeeds = false) {
    this.store = store;
    this.code = code;
    this.chosenFolder = chosenFolder;
    this.deferFeeds = deferFeeds;
  }

  /** Let go of the feed entries held for deferred reads (their feeds then read nothing more from the cache). */
  close(): void {
    for (const e of this.held.splice(0)) e.close();
  }

  /**
   * The warning for a failed write (`flush`'s answer), or null. Said only for a
   * folder the user chose: the default one may simply not be writable for a
   * service account, and the cache is only an optimisation.
   */
  writeWarning(error: string | null): string | null {
    return error !== null && this.chosenFolder ? `the indicator cache in ${this.store.dir} could not be written (${error}); see --cache-dir and --no-cache` : null;
  }

  /**
   * A feed's parse, from the cache when its bytes were parsed before; and the
   * digest of the bytes the parse is of. A file the feed reader refuses is
   * refused with its error. With `deferFeeds`, only the entry's header is
   * read now: a hit's domain and line are read alone when a report asks, the
   * whole columns only when a set must be compiled (the entry is held open
   * till `close`). Without, the columns are read now.
   */
  readFeed(path: string): { feed: FeedResult; digest: string } {
    const digest = fileDigest(path);
    const peeked = digest === null ? null : this.store.peek('feed', this.feedKey(digest));
    if (peeked !== null && digest !== null && isFeedMeta(peeked.meta)) {
      const meta = peeked.meta;
      this.stats.feedHits++;
      const columns = (): FeedColumns => {
        try {
          return feedColumns(path, digest, meta, peeked);
        } finally {
          peeked.close();
        }
      };
      if (!this.deferFeeds) return { feed: FeedResult.deferred(path, meta, columns).loaded(), digest };
      this.held.push(peeked);
      return { feed: FeedResult.deferred(path, meta, columns, (i) => feedDomain(meta, peeked, i)), digest };
    }
    peeked?.close();
    this.stats.feedMisses++;
    // Parsed from a second read: hash what is parsed, so a file rewritten since
    // the first read is stored (and keyed in the set) under its new bytes.
    const hash = createHash('sha256');
    const feed = readFeed(path, (bytes) => hash.update(bytes));
    const parsed = hash.digest('hex');
    this.unsaved.push({
      kind: 'feed',
      key: this.feedKey(parsed),
      parts: () => {
        const snap = feed.snapshot();
        return { meta: snap.meta, sections: [snap.pool, bytesOf(snap.ends), bytesOf(snap.lines)] };
      },
    });
    return { feed, digest: parsed };
  }

  private feedKey(digest: string): string {
    return sha256(`feed|${this.code}|${digest}`);
  }

  /**
   * `generateNames(configs, from, to, back, fwd)`, from the cache when the same
   * names were generated before. Errors (bad dates, margins or configurations)
   * are generateNames' own: nothing is stored for a call that throws.
   */
  dgaNames(configs: readonly DgaConfig[], from: CivilDate, to: CivilDate, back: number, fwd: number): DgaName[] {
    const key = sha256(JSON.stringify(['dga', this.code, configs, from, to, back, fwd]));
    const cached = this.store.get('dga', key);
    const names = cached === null ? null : namesFromEntry(cached.meta, cached.sections, configs);
    if (names !== null) {
      this.stats.dgaHits++;
      return names;
    }
    this.stats.dgaMisses++;
    const fresh = generateNames(configs, from, to, back, fwd);
    this.unsaved.push({ kind: 'dga', key, parts: () => namesToEntry(fresh, configs) });
    return fresh;
  }

  /**
   * The set's compiled image (the compiler's repeated positions told to the
   * set, as buildMatcher does), from the cache when the same set was compiled
   * before.
   */
  compile(set: IndicatorSet, suffixes: readonly string[], parts: SetParts): CompiledMatcher {
    const key = sha256(JSON.stringify([
      'set',
      this.code,
      parts.objects.map((o) => `${o.kind}:${o.value}`),
      parts.feedDigests,
      parts.generated,
      suffixes,
    ]));
    const cached = this.store.get('set', key, (i) => i === 0);
    if (cached !== null) {
      const [image, repeats] = cached.sections;
      const pairs = repeats && repeats.byteLength % 4 === 0 ? Array.from(new Int32Array(repeats.buffer as ArrayBuffer)) : null;
      if (image && pairs !== null && pairs.every((p) => p >= 0 && p < set.count)) {
        try {
          const m = new CompiledMatcher(image.buffer as SharedArrayBuffer);
          set.compiledRepeats(pairs);
          this.stats.setHits++;
          return m;
        } catch {
          // not an image this code can read: compile it again
        }
      }
    }
    this.stats.setMisses++;
    const image = buildMatcher(set, suffixes);
    const pairs = set.compiledRepeatPairs ?? [];
    this.unsaved.push({ kind: 'set', key, parts: () => ({ meta: null, sections: [new Uint8Array(image.buffer), bytesOf(Int32Array.from(pairs))] }) });
    return image;
  }

  /**
   * Write the entries computed since the last flush. Returns null, or the
   * first error's text (the cache is only an optimisation: the run goes on).
   */
  flush(): string | null {
    for (const e of this.unsaved.splice(0)) {
      try {
        const { meta, sections } = e.parts();
        this.store.put(e.kind, e.key, meta, sections);
      } catch (err) {
        return errorText(err);
      }
    }
    return null;
  }

  /** `flush`, with the event loop free between slices of the writing. */
  async flushAsync(): Promise<string | null> {
    for (const e of this.unsaved.splice(0)) {
      try {
        const { meta, sections } = e.parts();
        await this.store.putAsync(e.kind, e.key, meta, sections);
      } catch (err) {
        return errorText(err);
      }
    }
    return null;
  }
}

function errorText(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

function bytesOf(a: Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** What a `dga` entry's metadata holds: the distinct windows, as [year, month, day]. */
interface DgaEntryMeta {
  windows: [number, number, number][];
}

/**
 * DGA names as an entry: the names' bytes back to back, their end offsets,
 * and per name its configuration's index in `configs`, its window's index in
 * the metadata and its index in the window.
 */
function namesToEntry(names: readonly DgaName[], configs: readonly DgaConfig[]): { meta: DgaEntryMeta; sections: Uint8Array[] } {
  const windows: [number, number, number][] = [];
  const windowIndex = new Map<CivilDate, number>();
  const configIndex = new Map<DgaConfig, number>(configs.map((c, i) => [c, i]));
  const text = Buffer.from(names.map((n) => n.name).join(''), 'latin1');
  const ends = new Int32Array(names.length);
  const refs = new Int32Array(names.length * 3);
  let end = 0;
  names.forEach((n, i) => {
    end += n.name.length;
    ends[i] = end;
    let w = windowIndex.get(n.window);
    if (w === undefined) {
      w = windows.length;
      windows.push([n.window.year, n.window.month, n.window.day]);
      windowIndex.set(n.window, w);
    }
    refs[i * 3] = configIndex.get(n.config) ?? -1;
    refs[i * 3 + 1] = w;
    refs[i * 3 + 2] = n.index;
  });
  return { meta: { windows }, sections: [new Uint8Array(text.buffer, text.byteOffset, text.byteLength), bytesOf(ends), bytesOf(refs)] };
}

/** The names a `dga` entry holds, or null when it does not fit `configs`. */
function namesFromEntry(meta: unknown, sections: readonly Uint8Array[], configs: readonly DgaConfig[]): DgaName[] | null {
  const [text, endBytes, refBytes] = sections;
  const windows = (meta as Partial<DgaEntryMeta> | null)?.windows;
  if (!text || !endBytes || !refBytes || !Array.isArray(windows) || endBytes.byteLength % 4 !== 0 || refBytes.byteLength !== endBytes.byteLength * 3) return null;
  const dates: CivilDate[] = windows.map(([year, month, day]) => ({ year, month, day }));
  const ends = new Int32Array(endBytes.buffer as ArrayBuffer);
  const refs = new Int32Array(refBytes.buffer as ArrayBuffer);
  const all = Buffer.from(text.buffer as ArrayBuffer).toString('latin1');
  const out: DgaName[] = [];
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    const config = configs[refs[i * 3]!];
    const window = dates[refs[i * 3 + 1]!];
    const end = ends[i]!;
    if (config === undefined || window === undefined || end < start || end > all.length) return null;
    out.push({ name: all.slice(start, end), config, window, index: refs[i * 3 + 2]! });
    start = end;
  }
  return start === all.length ? out : null;
}

/** Longest domain a feed holds (RFC 1035 names are at most 253 characters; the feed reader refuses longer). */
const MAX_FEED_DOMAIN = 253;

/**
 * Domain `i` of a feed's cached parse and its line, read alone from the entry
 * (a few blocks of each column); null when they cannot be (the entry went or
 * went bad), and then the whole columns are read, or the feed parsed again.
 */
function feedDomain(meta: FeedSnapshot['meta'], entry: PeekedEntry, i: number): { domain: string; line: number } | null {
  const ends = entry.read(1, (i === 0 ? 0 : i - 1) * 4, i === 0 ? 4 : 8);
  const line = entry.read(2, i * 4, 4);
  if (ends === null || line === null) return null;
  const e = Buffer.from(ends.buffer, ends.byteOffset, ends.byteLength);
  const start = i === 0 ? 0 : e.readInt32LE(0);
  const end = e.readInt32LE(i === 0 ? 0 : 4);
  if (start < 0 || end <= start || end > meta.bytes || end - start > MAX_FEED_DOMAIN) return null;
  const pool = entry.read(0, start, end - start);
  if (pool === null) return null;
  return { domain: Buffer.from(pool.buffer, pool.byteOffset, pool.byteLength).toString('latin1'), line: Buffer.from(line.buffer, line.byteOffset, 4).readInt32LE(0) };
}

/**
 * The columns of a feed's cached parse, read now: from its entry, or, when the
 * entry went (pruned by another run) or went bad since its header was read,
 * from the feed parsed again, if it still holds the bytes the run used.
 */
function feedColumns(path: string, digest: string, meta: FeedSnapshot['meta'], entry: PeekedEntry): FeedColumns {
  const [pool, ends, lines] = entry.sections() ?? [];
  if (pool && ends && lines && ends.byteLength % 4 === 0 && lines.byteLength % 4 === 0) {
    const columns = { pool: new Uint8Array(pool.buffer as ArrayBuffer), ends: new Int32Array(ends.buffer as ArrayBuffer), lines: new Int32Array(lines.buffer as ArrayBuffer) };
    if (FeedResult.fits(meta.count, meta.bytes, columns)) return columns;
  }
  const hash = createHash('sha256');
  const again = readFeed(path, (bytes) => hash.update(bytes));
  if (hash.digest('hex') !== digest) {
    throw new DnshuntError(ErrorCode.BAD_FEED, `indicator feed ${path} changed during the run, and its cached parse is gone: run again`);
  }
  return again.snapshot();
}

function isCount(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

/** The shape `FeedResult.snapshot` gives its metadata (checked: an entry is data from disk). */
function isFeedMeta(m: unknown): m is FeedSnapshot['meta'] {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return isCount(r['count']) && isCount(r['bytes']) && isCount(r['labels']) && isCount(r['problemCount']) &&
    Array.isArray(r['problems']) && r['problems'].every((q: unknown) => {
      const o = q as Record<string, unknown> | null;
      return typeof o === 'object' && o !== null && isCount(o['line']) && typeof o['text'] === 'string' && typeof o['reason'] === 'string';
    }) &&
    Array.isArray(r['ips']) && r['ips'].every((q: unknown) => {
      const o = q as Record<string, unknown> | null;
      return typeof o === 'object' && o !== null && isCount(o['line']) && typeof o['value'] === 'string' && (o['kind'] === 'ip' || o['kind'] === 'domain') && typeof o['group'] === 'string';
    });
}
