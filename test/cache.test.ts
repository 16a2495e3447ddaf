/**
 * The indicator cache: the entry store (round trip, damage, pruning, where it
 * lives), parsed feeds and compiled sets read back equal to freshly computed
 * ones and keyed by everything that decides them, and `scan` giving the same
 * report with and without it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CacheStore, defaultCacheDir } from '../src/cli/cache-store.js';
import { IndicatorCache } from '../src/cli/indicator-cache.js';
import { prepareIndicators } from '../src/cli/indicators.js';
import { generateNames, parseDgaSpecs } from '../src/dga/index.js';
import { readFeed, type FeedResult } from '../src/ioc/index.js';
import { CLI, FIXTURES, runCli, tempDir } from './helpers.js';

const tmp = tempDir('dnshunt-cache-');
after(() => tmp.cleanup());
let dirNo = 0;
const freshDir = (): string => join(tmp.dir, `c${dirNo++}`);

/** Change the one-digit value of `field` in an entry's metadata (JSON text inside the header's JSON) to `digit`, in place. */
function changeMetaDigit(path: string, field: string, digit: string): void {
  const b = readFileSync(path);
  const at = b.indexOf(`${field}\\":`);
  assert.ok(at > 0, 'the metadata is in the header as JSON text');
  b[at + field.length + 3] = digit.charCodeAt(0);
  writeFileSync(path, b);
}

function padTo8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function entryFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.bin')).sort() : [];
}

describe('CacheStore', () => {
  it('gives back what was put: meta, sections of any length, shared where asked', () => {
    const store = new CacheStore(freshDir());
    const sections = [Uint8Array.of(1, 2, 3), new Uint8Array(0), new Uint8Array(new Int32Array([7, -1, 1 << 30]).buffer), Uint8Array.from({ length: 1001 }, (_, i) => i & 0xff)];
    store.put('k', 'abc', { n: 1, s: 'x' }, sections);
    const e = store.get('k', 'abc', (i) => i === 2);
    assert.ok(e);
    assert.deepEqual(e.meta, { n: 1, s: 'x' });
    assert.deepEqual(e.sections.map((s) => [...s]), sections.map((s) => [...s]));
    assert.ok(e.sections[2]!.buffer instanceof SharedArrayBuffer);
    assert.ok(!(e.sections[0]!.buffer instanceof SharedArrayBuffer));
    assert.equal(store.get('k', 'abd'), null, 'another key');
    assert.equal(store.get('other', 'abc'), null, 'another kind');
  });

  it('treats a damaged, truncated, renamed or foreign entry as missing, and removes it', () => {
    const dir = freshDir();
    const store = new CacheStore(dir);
    const damage: [string, (b: Buffer, path: string) => void][] = [
      ['a flipped byte in a section', (b, p) => { b[b.length - 9]! ^= 0x40; writeFileSync(p, b); }],
      ['truncated', (b, p) => writeFileSync(p, b.subarray(0, b.length - 8))],
      ['grown', (b, p) => writeFileSync(p, Buffer.concat([b, Buffer.alloc(8)]))],
      ['not ours', (_b, p) => writeFileSync(p, 'hello, world\n')],
      ['empty', (_b, p) => writeFileSync(p, '')],
      ['a header that is not JSON', (b, p) => { b[13] = 0x7b; b[14] = 0x7b; writeFileSync(p, b); }],
    ];
    for (const [what, spoil] of damage) {
      store.put('k', 'key', null, [Uint8Array.from({ length: 64 }, (_, i) => i)]);
      const [name] = entryFiles(dir);
      const path = join(dir, name!);
      spoil(readFileSync(path), path);
      assert.equal(store.get('k', 'key'), null, what);
      assert.equal(existsSync(path), false, `${what}: removed`);
    }
    // an intact entry copied under another key's name is not that key's entry
    store.put('k', 'one', null, [Uint8Array.of(1)]);
    writeFileSync(join(dir, 'k-two.bin'), readFileSync(join(dir, 'k-one.bin')));
    assert.equal(store.get('k', 'two'), null);
    assert.ok(store.get('k', 'one'));
  });

  it('trusts only entries of its own user that nobody else may write', { skip: process.platform === 'win32' && 'no file owners' }, () => {
    const dir = freshDir();
    const store = new CacheStore(dir);
    store.put('k', 'a', null, [Uint8Array.of(1)]);
    chmodSync(join(dir, 'k-a.bin'), 0o666);
    assert.equal(store.get('k', 'a'), null, 'writable by others');
    assert.ok(existsSync(join(dir, 'k-a.bin')), 'left alone: it may be another user\'s');
    store.put('k', 'b', null, [Uint8Array.of(1)]);
    chmodSync(join(dir, 'k-b.bin'), 0o644);
    assert.ok(store.get('k', 'b'), 'readable by others is fine');
  });

  it('treats an entry whose metadata was changed as missing', () => {
    const dir = freshDir();
    const store = new CacheStore(dir);
    store.put('k', 'm', { labels: 4, ips: [] }, [Uint8Array.of(1, 2, 3)]);
    const path = join(dir, 'k-m.bin');
    changeMetaDigit(path, 'labels', '1'); // 4 -> 1, same length
    assert.equal(store.get('k', 'm'), null);
    assert.equal(existsSync(path), false);
  });

  it('peek checks the header alone and reads the sections only when asked, checked against the digests it read first', () => {
    const dir = freshDir();
    const store = new CacheStore(dir);
    const sections = [Uint8Array.of(1, 2, 3), Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff)];
    store.put('k', 'p', { n: 2 }, sections);
    const path = join(dir, 'k-p.bin');
    const peeked = store.peek('k', 'p');
    assert.ok(peeked);
    assert.deepEqual(peeked.meta, { n: 2 });
    assert.deepEqual(peeked.sections()?.map((x) => [...x]), sections.map((x) => [...x]));
    // a damaged section: the header still checks out, the sections do not (and get refuses the entry)
    const b = readFileSync(path);
    b[b.length - 9]! ^= 0x40;
    writeFileSync(path, b);
    const late = store.peek('k', 'p');
    assert.ok(late, 'the header is intact');
    assert.equal(late.sections(), null);
    late.close();
    assert.equal(existsSync(path), false, 'a section found damaged removes the entry (the next run computes it again)');
    // replaced in between by another run (written aside and renamed, as put does): the file held open is still read
    store.put('k', 'p', { n: 2 }, sections);
    const before = store.peek('k', 'p');
    assert.ok(before);
    store.put('k', 'p', { n: 2 }, [Uint8Array.of(1, 2, 4), sections[1]!]);
    assert.deepEqual(before.sections()?.[0], Uint8Array.of(1, 2, 3), 'the bytes its header promised');
    before.close();
    assert.equal(before.sections(), null, 'closed');
    // overwritten in place (damage): not what the header promised
    const same = store.peek('k', 'p');
    assert.ok(same);
    writeFileSync(path, 'x');
    assert.equal(same.sections(), null);
    same.close();
    // a damaged header is a miss, and the entry is removed
    store.put('k', 'p', { n: 2 }, sections);
    changeMetaDigit(path, 'n', '3');
    assert.equal(store.peek('k', 'p'), null);
    assert.equal(existsSync(path), false);
  });

  it('peek reads a few bytes of a section alone: the blocks that hold them, checked', () => {
    const dir = freshDir();
    const store = new CacheStore(dir);
    const big = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 0xff);
    store.put('k', 'r', null, [Uint8Array.of(7), big]);
    const peeked = store.peek('k', 'r');
    assert.ok(peeked);
    for (const [off, len] of [[0, 10], [16_380, 10], [16_384, 1], [99_990, 10], [0, 100_000], [50_000, 0]] as const) {
      assert.deepEqual(peeked.read(1, off, len), big.subarray(off, off + len), `${off}+${len}`);
    }
    assert.equal(peeked.read(1, 99_995, 10), null, 'past the end');
    assert.equal(peeked.read(1, -1, 2), null);
    assert.equal(peeked.read(2, 0, 1), null, 'no such section');
    // a damaged byte at 40,000 (the third block): reads of that block fail, others do not
    const path = join(dir, 'k-r.bin');
    const b = readFileSync(path);
    const at = b.length - padTo8(100_000) + 40_000;
    b[at]! ^= 0x10;
    writeFileSync(path, b);
    assert.equal(peeked.read(1, 39_990, 20), null);
    assert.equal(peeked.read(1, 32_768, 1), null, 'anywhere in the damaged block');
    assert.deepEqual(peeked.read(1, 10, 10), big.subarray(10, 20));
    assert.deepEqual(peeked.read(1, 49_152, 16), big.subarray(49_152, 49_168));
  });

  it('writes the same file slice by slice with the event loop free (putAsync) as in one go (put)', async () => {
    const a = new CacheStore(freshDir());
    const b = new CacheStore(freshDir());
    const big = Uint8Array.from({ length: 9 * 1024 * 1024 + 5 }, (_, i) => (i * 7) & 0xff);
    const sections = [big, Uint8Array.of(9), new Uint8Array(0)];
    a.put('k', 'same', { a: [1, 'x'] }, sections);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await b.putAsync('k', 'same', { a: [1, 'x'] }, sections);
    clearInterval(timer);
    assert.ok(readFileSync(join(a.dir, 'k-same.bin')).equals(readFileSync(join(b.dir, 'k-same.bin'))), 'byte for byte');
    const e = b.get('k', 'same');
    assert.ok(e);
    assert.deepEqual(e.meta, { a: [1, 'x'] });
    assert.ok(Buffer.from(e.sections[0]!).equals(Buffer.from(big)));
    assert.ok(ticks > 0, 'timers ran while it wrote');
  });

  it('prunes the least recently used entries past its bound, and stale temporary files', () => {
    const dir = freshDir();
    const store = new CacheStore(dir, 3000);
    const kb = new Uint8Array(1000);
    const old = Date.now() / 1000 - 3600 * 2;
    store.put('k', 'a', null, [kb]);
    store.put('k', 'b', null, [kb]);
    utimesSync(join(dir, 'k-a.bin'), old - 10, old - 10);
    utimesSync(join(dir, 'k-b.bin'), old, old);
    assert.ok(store.get('k', 'a'), 'reading a makes it the most recently used');
    writeFileSync(join(dir, 'k-x.bin.1.abc.tmp'), 'left by a writer that died');
    utimesSync(join(dir, 'k-x.bin.1.abc.tmp'), old, old);
    writeFileSync(join(dir, 'k-y.bin.1.abc.tmp'), 'being written right now');
    store.put('k', 'c', null, [kb]);
    assert.deepEqual(entryFiles(dir), ['k-a.bin', 'k-c.bin'], 'b, the least recently used, went first');
    assert.ok(!existsSync(join(dir, 'k-x.bin.1.abc.tmp')) && existsSync(join(dir, 'k-y.bin.1.abc.tmp')));
  });

  it('lives in the per-user cache folder of each platform unless told otherwise', () => {
    assert.equal(defaultCacheDir({ DNSHUNT_CACHE_DIR: '/x/y' }, 'linux', '/home/a'), '/x/y');
    assert.equal(defaultCacheDir({}, 'linux', '/home/a'), join('/home/a', '.cache', 'dnshunt'));
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/var/cache/a' }, 'linux', '/home/a'), join('/var/cache/a', 'dnshunt'));
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: 'relative' }, 'linux', '/home/a'), join('/home/a', '.cache', 'dnshunt'), 'a relative XDG_CACHE_HOME is ignored, as the spec says');
    assert.equal(defaultCacheDir({}, 'darwin', '/Users/a'), join('/Users/a', 'Library', 'Caches', 'dnshunt'));
    assert.equal(defaultCacheDir({ LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local' }, 'win32', 'C:\\Users\\a'), join('C:\\Users\\a\\AppData\\Local', 'dnshunt', 'Cache'));
  });

  it('throws the file system error when the folder cannot be made', () => {
    const blocker = join(tmp.dir, 'a-file');
    writeFileSync(blocker, 'x');
    assert.throws(() => new CacheStore(join(blocker, 'cache')).put('k', 'a', null, []), (e: NodeJS.ErrnoException) => e.code === 'ENOTDIR');
  });
});

/** Everything a FeedResult tells, as plain data. */
function feedFacts(f: FeedResult) {
  return {
    domains: f.domains,
    lines: f.domains.map((_, i) => f.lineOf(i)),
    count: f.count,
    bytes: f.bytes,
    labels: f.labels,
    problems: f.problems,
    problemCount: f.problemCount,
    indicators: f.indicators,
  };
}

describe('IndicatorCache', () => {
  const feedText = [
    '# a feed with every kind of line',
    'evil.pw',
    'EVIL.pw',
    '0.0.0.0 payment.example.net',
    'http://c2.example.org/gate.php',
    '203.0.113.9',
    'com',
    'not a domain at all',
    'xn--bcher-kva.example',
    'evil.pw',
    '',
  ].join('\n');

  it('reads a feed back equal to its parse, under the name it is read by now', () => {
    const dir = freshDir();
    const a = join(tmp.dir, 'feed-a.txt');
    const b = join(tmp.dir, 'feed-b.txt');
    writeFileSync(a, feedText);
    writeFileSync(b, feedText);
    const cache = new IndicatorCache(new CacheStore(dir), 'code-1');
    const first = cache.readFeed(a);
    assert.deepEqual(cache.stats, { feedHits: 0, feedMisses: 1, setHits: 0, setMisses: 0, dgaHits: 0, dgaMisses: 0 });
    assert.equal(cache.flush(), null);
    const again = new IndicatorCache(new CacheStore(dir), 'code-1').readFeed(a);
    assert.deepEqual(feedFacts(again.feed), feedFacts(first.feed));
    assert.deepEqual(feedFacts(again.feed), feedFacts(readFeed(a)));
    const other = new IndicatorCache(new CacheStore(dir), 'code-1');
    const viaB = other.readFeed(b);
    assert.equal(other.stats.feedHits, 1, 'the same bytes under another name');
    assert.deepEqual(feedFacts(viaB.feed), feedFacts(readFeed(b)), 'provenance names feed-b.txt');
    const newCode = new IndicatorCache(new CacheStore(dir), 'code-2');
    newCode.readFeed(a);
    assert.equal(newCode.stats.feedMisses, 1, 'another build of the code does not read old entries');
    writeFileSync(a, `${feedText}more.example\n`);
    const changed = new IndicatorCache(new CacheStore(dir), 'code-1');
    assert.deepEqual(feedFacts(changed.readFeed(a).feed), feedFacts(readFeed(a)));
    assert.equal(changed.stats.feedMisses, 1, 'changed bytes');
  });

  it('reads a cached feed\'s domains and lines only when first asked for; from the feed itself when the entry went bad meanwhile, unless the feed changed', () => {
    const dir = freshDir();
    const path = join(tmp.dir, 'feed-deferred.txt');
    writeFileSync(path, feedText);
    const first = new IndicatorCache(new CacheStore(dir), 'code-1');
    const want = feedFacts(first.readFeed(path).feed);
    assert.equal(first.flush(), null);
    const [entry] = entryFiles(dir).filter((n) => n.startsWith('feed-'));
    const entryPath = join(dir, entry!);
    const spoil = (): void => {
      const b = readFileSync(entryPath);
      b[b.length - 9]! ^= 0x40;
      writeFileSync(entryPath, b);
    };
    const intact = readFileSync(entryPath);
    // read now, spoiled after: the columns come from the feed, the same as before
    const late = new IndicatorCache(new CacheStore(dir), 'code-1', true, true);
    const deferred = late.readFeed(path);
    assert.equal(late.stats.feedHits, 1);
    assert.equal(deferred.feed.count, readFeed(path).count, 'the counts are known at once');
    spoil();
    assert.deepEqual(feedFacts(deferred.feed), want);
    // the same, with the feed rewritten meanwhile: the run cannot explain its hits, and says so
    writeFileSync(entryPath, intact);
    const changed = new IndicatorCache(new CacheStore(dir), 'code-1', true, true).readFeed(path);
    spoil();
    writeFileSync(path, `${feedText}more.example\n`);
    assert.throws(() => changed.feed.domain(0), (e: unknown) => (e as { code?: string }).code === 'DNSHUNT_E_BAD_FEED' && /changed during the run/.test((e as Error).message));
    // intact: read from the entry (a mutant that always parses again fails the case above, one that never does fails this one)
    writeFileSync(path, feedText);
    writeFileSync(entryPath, intact);
    const fine = new IndicatorCache(new CacheStore(dir), 'code-1', true, true).readFeed(path);
    writeFileSync(path, `${feedText}more.example\n`);
    assert.deepEqual(feedFacts(fine.feed), want, 'from the entry, not from the changed feed');
    // not deferred (tail): the columns are read at once, so nothing later can spoil them
    writeFileSync(path, feedText);
    writeFileSync(entryPath, intact);
    const eager = new IndicatorCache(new CacheStore(dir), 'code-1').readFeed(path);
    spoil();
    writeFileSync(path, `${feedText}more.example\n`);
    assert.deepEqual(feedFacts(eager.feed), want, 'read before the entry and the feed changed');
  });

  it('explains a hit from a cached feed by reading that domain\'s blocks alone, not the whole parse', () => {
    const dir = freshDir();
    const path = join(tmp.dir, 'feed-blocks.txt');
    const names = Array.from({ length: 4000 }, (_, i) => `host${i}.example${i % 7}.com`);
    writeFileSync(path, `${names.join('\n')}\n`);
    const first = new IndicatorCache(new CacheStore(dir), 'code-1');
    first.readFeed(path);
    assert.equal(first.flush(), null);
    const [entry] = entryFiles(dir).filter((n) => n.startsWith('feed-'));
    const entryPath = join(dir, entry!);
    // damage the last domain's bytes (far from the first's blocks), then change the feed: only a read of the whole parse meets either
    const b = readFileSync(entryPath);
    const at = b.indexOf(names[names.length - 1]!, 0, 'latin1');
    assert.ok(at > 0);
    b[at]! ^= 0x01;
    writeFileSync(entryPath, b);
    const cache = new IndicatorCache(new CacheStore(dir), 'code-1', true, true);
    const feed = cache.readFeed(path).feed;
    writeFileSync(path, 'changed.example\n');
    assert.equal(feed.domain(0), names[0]);
    assert.equal(feed.lineOf(0), 1);
    assert.equal(feed.domain(1234), names[1234]);
    assert.equal(feed.lineOf(1234), 1235);
    // the damaged block: not read alone, and the whole parse cannot be had any more
    assert.throws(() => feed.domain(names.length - 1), /changed during the run/);
    cache.close();
    // past 256 domains read alone, the columns are read whole (here they cannot be any more)
    writeFileSync(path, `${names.join('\n')}\n`);
    writeFileSync(entryPath, b);
    const many = new IndicatorCache(new CacheStore(dir), 'code-1', true, true);
    const feed2 = many.readFeed(path).feed;
    writeFileSync(path, 'changed.example\n');
    for (let i = 0; i < 256; i++) assert.equal(feed2.domain(i), names[i]);
    assert.equal(feed2.domain(100), names[100], 'one read before: no new read');
    assert.throws(() => feed2.domain(256), /changed during the run/);
    many.close();
  });

  it('leaves an unreadable feed to the feed reader, which says why', () => {
    const cache = new IndicatorCache(new CacheStore(freshDir()), 'code-1');
    assert.throws(() => cache.readFeed(join(tmp.dir, 'no-such-feed.txt')), /cannot read indicator feed/);
    assert.throws(() => cache.readFeed(tmp.dir), /not a regular file/);
  });

  it('does not open a FIFO given as a feed (it would wait for a writer)', { skip: process.platform === 'win32' && 'no mkfifo', timeout: 10_000 }, () => {
    const fifo = join(tmp.dir, 'feed.fifo');
    execFileSync('mkfifo', [fifo]);
    const cache = new IndicatorCache(new CacheStore(freshDir()), 'code-1');
    assert.throws(() => cache.readFeed(fifo), /not a regular file/);
  });

  it('keys a parsed feed by the bytes the parser saw (the feed reader hands them over, in order, whole)', () => {
    const big = join(tmp.dir, 'feed-big.txt');
    const lines: string[] = [];
    for (let i = 0; lines.length * 20 < 9 * 1024 * 1024; i++) lines.push(`host${i}.example${i % 97}.com`);
    writeFileSync(big, `${lines.join('\r\n')}\r\n`);
    for (const path of [big, join(tmp.dir, 'feed-a.txt')]) {
      const seen: Buffer[] = [];
      readFeed(path, (b) => seen.push(Buffer.from(b)));
      assert.ok(Buffer.concat(seen).equals(readFileSync(path)), path);
    }
    const dir = freshDir();
    const first = new IndicatorCache(new CacheStore(dir), 'code-1');
    const r = first.readFeed(big);
    assert.equal(r.digest, createHash('sha256').update(readFileSync(big)).digest('hex'));
    assert.equal(first.flush(), null);
    const again = new IndicatorCache(new CacheStore(dir), 'code-1');
    assert.equal(again.readFeed(big).feed.count, lines.length);
    assert.equal(again.stats.feedHits, 1);
  });

  it('compiles a set once: the image read back is the same bytes and explains hits the same way', () => {
    const dir = freshDir();
    const feed = join(tmp.dir, 'feed-set.txt');
    writeFileSync(feed, feedText);
    const opts = { builtin: true, iocFiles: [feed], dgaSpecs: [] as string[], from: { year: 2016, month: 2, day: 16 }, to: { year: 2016, month: 2, day: 17 }, suffixes: ['corp.local'] };
    const plain = prepareIndicators(opts);
    const c1 = new IndicatorCache(new CacheStore(dir), 'code-1');
    const fresh = prepareIndicators({ ...opts, cache: c1 });
    assert.equal(c1.flush(), null);
    const c2 = new IndicatorCache(new CacheStore(dir), 'code-1');
    const cached = prepareIndicators({ ...opts, cache: c2 });
    assert.deepEqual(c2.stats, { feedHits: 1, feedMisses: 0, setHits: 1, setMisses: 0, dgaHits: 1, dgaMisses: 0 });
    assert.equal(c1.stats.dgaMisses, 1);
    for (const p of [fresh, cached]) {
      assert.deepEqual(Buffer.from(new Uint8Array(p.image.buffer)), Buffer.from(new Uint8Array(plain.image.buffer)));
      assert.deepEqual(p.set.entries, plain.set.entries, 'every domain with all its provenance, repeats merged');
      assert.deepEqual(p.problems, plain.problems);
    }
    const evilId = plain.set.domains.indexOf('evil.pw');
    assert.equal(cached.set.entry(evilId).sources.length, 3, 'listed three times in the feed');
    // whatever changes the set is another entry
    const variants: [typeof opts, number][] = [
      [{ ...opts, suffixes: ['corp.example'] }, 1],
      [{ ...opts, to: { year: 2016, month: 2, day: 18 } }, 0],
      [{ ...opts, builtin: false }, 1],
      [{ ...opts, dgaSpecs: ['locky-v1'] }, 0],
    ];
    for (const [v, dgaHits] of variants) {
      const c = new IndicatorCache(new CacheStore(dir), 'code-1');
      const p = prepareIndicators({ ...v, cache: c });
      assert.deepEqual(c.stats, { feedHits: 1, feedMisses: 0, setHits: 0, setMisses: 1, dgaHits, dgaMisses: 1 - dgaHits }, JSON.stringify(v));
      assert.deepEqual(Buffer.from(new Uint8Array(p.image.buffer)), Buffer.from(new Uint8Array(prepareIndicators(v).image.buffer)));
    }
  });

  it('gives back DGA names equal to generated ones, keyed by configurations, dates and margins', () => {
    const dir = freshDir();
    const from = { year: 2016, month: 2, day: 16 };
    const to = { year: 2016, month: 3, day: 2 };
    const configs = parseDgaSpecs([]);
    const c1 = new IndicatorCache(new CacheStore(dir), 'code-1');
    const fresh = c1.dgaNames(configs, from, to, 4, 2);
    assert.equal(c1.flush(), null);
    const c2 = new IndicatorCache(new CacheStore(dir), 'code-1');
    const cached = c2.dgaNames(configs, from, to, 4, 2);
    assert.equal(c2.stats.dgaHits, 1);
    assert.ok(fresh.length > 1000, String(fresh.length));
    assert.deepEqual(cached, generateNames(configs, from, to, 4, 2));
    assert.ok(cached.every((n) => configs.includes(n.config)), 'the configurations are the objects given');
    for (const [f, t, b, w, cs] of [[from, to, 3, 2, configs], [from, to, 4, 3, configs], [from, { ...to, day: 3 }, 4, 2, configs], [from, to, 4, 2, parseDgaSpecs(['locky-v1'])]] as const) {
      const c = new IndicatorCache(new CacheStore(dir), 'code-1');
      assert.deepEqual(c.dgaNames(cs, f, t, b, w), generateNames(cs, f, t, b, w));
      assert.equal(c.stats.dgaMisses, 1);
    }
    assert.throws(() => new IndicatorCache(new CacheStore(dir), 'code-1').dgaNames(configs, to, from, 4, 2), /after end date/);
  });

  it('tells a folder it cannot write to without failing the run', () => {
    const blocker = join(tmp.dir, 'blocker');
    writeFileSync(blocker, 'x');
    const feed = join(tmp.dir, 'feed-w.txt');
    writeFileSync(feed, feedText);
    const cache = new IndicatorCache(new CacheStore(join(blocker, 'cache')), 'code-1');
    const p = prepareIndicators({ builtin: false, iocFiles: [feed], dgaSpecs: ['none'], from: null, to: null, suffixes: [], cache });
    assert.ok(p.set.size > 0);
    assert.equal(cache.flush(), 'ENOTDIR');
  });
});

describe('dnshunt scan with the cache', () => {
  const log = join(FIXTURES, 'sample-dns.log');
  const report = (stdout: string): unknown => {
    const r = JSON.parse(stdout) as { stats: { seconds?: number } };
    delete r.stats.seconds;
    return r;
  };

  it('reports the same with no cache, a cold cache and a warm one, and --no-cache keeps nothing', async () => {
    const dir = freshDir();
    const feed = join(tmp.dir, 'feed-cli.txt');
    writeFileSync(feed, 'fnarsipfqe.pw\nvgmexksbecmqwl.eu\n');
    const args = ['scan', '--format', 'json', '--ioc', feed, log];
    const none = await runCli([...args, '--no-cache'], { cli: CLI, env: { DNSHUNT_CACHE_DIR: dir } });
    assert.deepEqual(entryFiles(dir), [], '--no-cache writes nothing');
    const cold = await runCli(args, { cli: CLI, env: { DNSHUNT_CACHE_DIR: dir } });
    const written = entryFiles(dir);
    assert.deepEqual(written.map((n) => n.split('-')[0]), ['dga', 'feed', 'set'], 'DGA names, one parsed feed, one compiled set');
    const mtimes = written.map((n) => statSync(join(dir, n)).mtimeMs);
    const warm = await runCli(args, { cli: CLI, env: { DNSHUNT_CACHE_DIR: dir } });
    assert.deepEqual(entryFiles(dir), written, 'nothing new written');
    assert.ok(written.every((n, i) => statSync(join(dir, n)).mtimeMs >= mtimes[i]!));
    const other = freshDir();
    const viaFlag = await runCli([...args, '--cache-dir', other], { cli: CLI, env: { DNSHUNT_CACHE_DIR: dir } });
    assert.equal(entryFiles(other).length, 3, '--cache-dir wins over the environment');
    for (const r of [none, cold, warm, viaFlag]) assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(report(cold.stdout), report(none.stdout));
    assert.deepEqual(report(warm.stdout), report(none.stdout));
    assert.deepEqual(report(viaFlag.stdout), report(none.stdout));
  });

  it('scans on with a warning when the cache folder cannot be written', async () => {
    const blocker = join(tmp.dir, 'cli-blocker');
    mkdirSync(tmp.dir, { recursive: true });
    writeFileSync(blocker, 'x');
    const r = await runCli(['scan', '--format', 'json', '--cache-dir', join(blocker, 'c'), log], { cli: CLI });
    assert.equal(r.code, 1, r.stderr);
    const warnings = (JSON.parse(r.stdout) as { warnings: string[] }).warnings;
    assert.ok(warnings.some((w) => /indicator cache .* could not be written \(ENOTDIR\)/.test(w)), warnings.join('\n'));
  });

  it('tail uses it too: the same alerts from a cold and a warm cache', async () => {
    const dir = freshDir();
    const run = (state: string) => runCli(['tail', '--once', '--from-start', '--quiet', '--jsonl', '-', '--state-dir', join(tmp.dir, state), log], { cli: CLI, env: { DNSHUNT_CACHE_DIR: dir } });
    const cold = await run('tail-state-1');
    const written = entryFiles(dir);
    assert.ok(written.some((n) => n.startsWith('set-')), written.join(', '));
    const warm = await run('tail-state-2');
    assert.deepEqual(entryFiles(dir), written);
    for (const r of [cold, warm]) assert.equal(r.code, 0, r.stderr);
    assert.ok(cold.stdout.split('\n').length > 2);
    assert.equal(warm.stdout, cold.stdout);
  });
});
