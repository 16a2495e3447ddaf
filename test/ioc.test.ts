/**
 * Indicator feeds: normalising one indicator (case, trailing dot, URLs,
 * defanging, wildcards, IPs, public suffixes refused), parsing a feed with
 * problems reported by file and line, and the bundled Locky list checked
 * against its own data file and against ../shared's research list.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildMatcher, NameMatch, NameMatcher } from '../src/match/index.js';
import { BUILTIN_LIST_PATH, FEED_READ_BYTES, FEED_WHOLE_BYTES, FeedParser, buildIndicatorSet, loadBuiltinIndicators, normalizeIndicator, parseFeed, readFeed } from '../src/ioc/index.js';
import { REPO_ROOT, SHARED, tempDir } from './helpers.js';

function ok(raw: string): string {
  const n = normalizeIndicator(raw);
  assert.ok(n.ok, `${raw}: ${n.ok ? '' : n.reason}`);
  return n.value;
}

function refused(raw: string): string {
  const n = normalizeIndicator(raw);
  assert.ok(!n.ok, `${raw} was accepted as ${n.ok ? n.value : ''}`);
  return n.reason;
}

describe('normalizeIndicator', () => {
  it('lower-cases and drops a trailing dot', () => {
    assert.equal(ok('Evil.PW.'), 'evil.pw');
    assert.equal(ok('  evil.pw  '), 'evil.pw');
    assert.equal(ok('FNARSIPFQE.PW'), 'fnarsipfqe.pw');
  });

  it('takes the host of a URL (scheme, user info, port, path, query and fragment dropped)', () => {
    assert.equal(ok('http://evil.pw/main.php'), 'evil.pw');
    assert.equal(ok('https://user:pw@Evil.PW:8443/x?y=1#z'), 'evil.pw');
    assert.equal(ok('http://evil.pw#frag'), 'evil.pw');
  });

  it('undoes the usual defanging', () => {
    assert.equal(ok('hxxp://evil[.]pw/x'), 'evil.pw');
    assert.equal(ok('evil(.)pw'), 'evil.pw');
    assert.equal(ok('evil[dot]pw'), 'evil.pw');
  });

  it('drops a leading "*." (an indicator already covers its subdomains)', () => {
    assert.equal(ok('*.evil.pw'), 'evil.pw');
  });

  it('recognises IPv4 and IPv6 indicators as IPs', () => {
    assert.deepEqual(normalizeIndicator('109.234.38.35'), { ok: true, kind: 'ip', value: '109.234.38.35' });
    assert.deepEqual(normalizeIndicator('http://86.104.134.144/main.php'), { ok: true, kind: 'ip', value: '86.104.134.144' });
    assert.deepEqual(normalizeIndicator('2001:db8::1'), { ok: true, kind: 'ip', value: '2001:db8::1' });
    assert.deepEqual(normalizeIndicator('https://[2001:db8::1]:443/'), { ok: true, kind: 'ip', value: '2001:db8::1' });
  });

  it('refuses an indicator that is only a public suffix, saying why', () => {
    for (const s of ['com', 'co.uk', 'pw', 'CO.UK.', '*.co.uk', 'http://co.uk/']) assert.match(refused(s), /public suffix/, s);
  });

  it('keeps registrable domains under multi-label public suffixes', () => {
    assert.equal(ok('evil.co.uk'), 'evil.co.uk');
    assert.equal(ok('x.evil.co.uk'), 'x.evil.co.uk');
  });

  it('refuses malformed names with a reason', () => {
    for (const s of ['', '   ', 'a..b', '-bad.pw', 'bad-.pw', 'sp ace.pw', 'ev!l.pw', `${'a'.repeat(64)}.pw`, `${'a.'.repeat(130)}pw`, '\u00e4\u00f6.pw']) {
      assert.ok(refused(s).length > 0, s);
    }
  });

  it('property: any normalised domain is lower case, dot-free at the ends, and stable (normalising twice changes nothing)', () => {
    const arbLabel = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(fc.array(arbLabel, { minLength: 2, maxLength: 4 }), fc.constantFrom('', '.', 'http://', 'hxxp://'), (labels, deco) => {
        const raw = deco === '.' ? `${labels.join('.')}.` : `${deco}${labels.join('.')}`;
        const n = normalizeIndicator(raw);
        if (!n.ok) return; // e.g. a random name that is a public suffix
        assert.equal(n.value, n.value.toLowerCase());
        assert.ok(!n.value.startsWith('.') && !n.value.endsWith('.'));
        assert.deepEqual(normalizeIndicator(n.value), n);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseFeed', () => {
  const text = [
    '# Locky feed', //                        1
    'evil.pw', //                             2
    '0.0.0.0 hosts.example', //               3
    '127.0.0.1 localhost', //                 4 (ignored hosts entry)
    'http://url.example/x?y#z', //            5
    'bad line here', //                       6 (problem)
    'co.uk', //                               7 (problem: public suffix)
    '  spaced.example   # trailing comment', // 8
    '', //                                    9
    '1.2.3.4', //                             10 (ip)
    'win.example\r', //                       11 (CRLF)
    'ev!l.example', //                        12 (problem)
    '0.0.0.0 a.example b.example', //         13 (two hosts)
    'last.example', //                        14 (no final newline)
  ].join('\n');
  const r = parseFeed(text, '/feeds/f.txt');

  it('reads domains, hosts-file lines, URLs and IPs with their line numbers', () => {
    assert.deepEqual(
      r.indicators.map((i) => [i.value, i.kind, i.source]),
      [
        ['evil.pw', 'domain', 'feed:/feeds/f.txt line 2'],
        ['hosts.example', 'domain', 'feed:/feeds/f.txt line 3'],
        ['url.example', 'domain', 'feed:/feeds/f.txt line 5'],
        ['spaced.example', 'domain', 'feed:/feeds/f.txt line 8'],
        ['1.2.3.4', 'ip', 'feed:/feeds/f.txt line 10'],
        ['win.example', 'domain', 'feed:/feeds/f.txt line 11'],
        ['a.example', 'domain', 'feed:/feeds/f.txt line 13'],
        ['b.example', 'domain', 'feed:/feeds/f.txt line 13'],
        ['last.example', 'domain', 'feed:/feeds/f.txt line 14'],
      ],
    );
  });

  it('reports each bad line with file, line number, text and a reason', () => {
    assert.deepEqual(r.problems.map((p) => [p.file, p.line, p.text]), [
      ['/feeds/f.txt', 6, 'bad line here'],
      ['/feeds/f.txt', 7, 'co.uk'],
      ['/feeds/f.txt', 12, 'ev!l.example'],
    ]);
    assert.match(r.problems[1]!.reason, /public suffix/);
    for (const p of r.problems) assert.ok(p.reason.length > 0);
  });

  it('line numbers are right for CRLF, LF and CR-only feeds', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const f = parseFeed(['# c', '', 'a.example', 'bad one', 'b.example'].join(eol), 'x');
      assert.deepEqual(f.indicators.map((i) => i.source), ['feed:x line 3', 'feed:x line 5'], JSON.stringify(eol));
      assert.deepEqual(f.problems.map((p) => p.line), [4], JSON.stringify(eol));
    }
  });

  it('a binary feed produces problems, not indicators and not an exception', () => {
    const f = parseFeed('\u0000\u0001\u0002evil\u0000.pw\n\u00ff\u00fe\n', 'bin');
    assert.equal(f.indicators.length, 0);
    assert.equal(f.problems.length, 2);
  });

  it('property: never throws, and every line is an indicator, a problem, or blank/comment', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 30 }), (lines) => {
        const f = parseFeed(lines.join('\n'), 'p');
        for (const i of f.indicators) assert.match(i.source, /^feed:p line \d+$/);
        for (const p of f.problems) assert.ok(p.line >= 1 && p.line <= Math.max(1, lines.join('\n').split(/\r\n|\r|\n/).length));
      }),
      { numRuns: 300 },
    );
  });
});

describe('buildIndicatorSet', () => {
  it('groups by domain in first-seen order, keeps every provenance, and sets IPs aside', () => {
    const s = buildIndicatorSet(
      [
        { value: 'evil.pw', kind: 'domain', source: 'feed:a line 1', group: 'feed' },
        { value: '1.2.3.4', kind: 'ip', source: 'feed:a line 2', group: 'feed' },
        { value: 'evil.pw', kind: 'domain', source: 'feed:b line 7', group: 'feed' },
      ],
      [
        { name: 'fnarsipfqe.pw', description: 'locky-v1 window=2016-02-16 index=0', window: { year: 2016, month: 2, day: 16 } },
        { name: 'evil.pw', description: 'gen', window: { year: 2016, month: 2, day: 18 } },
      ],
    );
    assert.deepEqual(s.entries.map((e) => e.indicator), ['evil.pw', 'fnarsipfqe.pw']);
    assert.deepEqual(s.entries[0]!.sources, ['feed:a line 1', 'feed:b line 7']);
    assert.deepEqual(s.entries[0]!.dga.map((d) => d.description), ['gen']);
    assert.deepEqual(s.entries[1]!.sources, []);
    assert.deepEqual(s.ips.map((i) => i.value), ['1.2.3.4']);
  });
});

describe('IndicatorSet positions and the compiled ids', () => {
  const objects = [{ value: 'evil.pw', kind: 'domain' as const, source: 'builtin:x line 4 [C2]', group: 'C2' }];
  const feedA = parseFeed(['other.example', '# c', 'EVIL.PW'].join('\n'), 'a');
  const feedB = parseFeed(['evil.pw', 'third.example'].join('\n'), 'b');
  const generated = [{ name: 'evil.pw', description: 'gen', window: { year: 2016, month: 2, day: 18 } }, { name: 'dga.pw', description: 'gen2', window: { year: 2016, month: 2, day: 18 } }];
  const set = buildIndicatorSet(objects, generated, [feedA, feedB]);
  const matcher = new NameMatcher(buildMatcher(set.domains), true);

  function idOf(name: string): number {
    const buf = Buffer.from(name, 'latin1');
    const labels = new Int32Array(64);
    let count = 0;
    let start = 0;
    for (let i = 0; i <= buf.length; i++) {
      if (i === buf.length || buf[i] === 0x2e) {
        labels[count * 2] = start;
        labels[count * 2 + 1] = i;
        count++;
        start = i + 1;
      }
    }
    return matcher.match(buf, labels, count, new NameMatch()).id;
  }

  it('keeps a position per listed or generated domain, repeats included, in load order', () => {
    assert.deepEqual(set.domains, ['evil.pw', 'other.example', 'evil.pw', 'evil.pw', 'third.example', 'evil.pw', 'dga.pw']);
    assert.equal(set.listedPositions, 5);
  });

  it('a hit on a repeated domain gets its first position, whose entry holds every provenance in load order', () => {
    const id = idOf('www.evil.pw');
    assert.equal(id, 0);
    const e = set.entry(id);
    assert.equal(e.indicator, 'evil.pw');
    assert.deepEqual(e.sources, ['builtin:x line 4 [C2]', 'feed:a line 3', 'feed:b line 1']);
    assert.deepEqual(e.dga.map((d) => d.description), ['gen']);
    assert.deepEqual(set.entry(idOf('dga.pw')).sources, []);
    assert.equal(set.entry(idOf('third.example')).sources[0], 'feed:b line 2');
  });

  it('compiled from the set itself (which learns the repeats from the compiler), every id explains itself as the full scan does', () => {
    const indexed = buildIndicatorSet(objects, generated, [parseFeed(['other.example', '# c', 'EVIL.PW'].join('\n'), 'a'), parseFeed(['evil.pw', 'third.example'].join('\n'), 'b')]);
    buildMatcher(indexed);
    for (let id = 0; id < set.size; id++) {
      const a = indexed.entry(id);
      const b = set.entry(id);
      assert.deepEqual({ i: a.indicator, s: a.sources, d: a.dga.map((g) => g.description) }, { i: b.indicator, s: b.sources, d: b.dga.map((g) => g.description) }, `id ${id}`);
    }
  });

  it('entries lists each distinct domain once, first-seen order', () => {
    assert.deepEqual(set.entries.map((e) => e.indicator), ['evil.pw', 'other.example', 'third.example', 'dga.pw']);
  });
});

describe('parseFeed columns', () => {
  it('a feed larger than the initial columns keeps every domain, its line and its order', () => {
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) lines.push(i % 10 === 3 ? `# comment ${i}` : `host-${i}-${'x'.repeat(1 + (i % 50))}.example.org`);
    const f = parseFeed(lines.join('\r\n'), 'big');
    const expected = lines.map((l, i) => [l, i + 1] as const).filter(([l]) => !l.startsWith('#'));
    assert.equal(f.count, expected.length);
    assert.deepEqual(f.domains, expected.map(([l]) => l));
    for (let i = 0; i < f.count; i += 101) assert.equal(f.lineOf(i), expected[i]![1]);
    assert.equal(f.bytes, expected.reduce((n, [l]) => n + l.length, 0));
    assert.equal(f.labels, expected.length * 3);
  });

  it('a trimmed (even empty) feed still takes domains', () => {
    const f = parseFeed('', 'empty');
    assert.equal(f.count, 0);
    f.addDomain('late.example', 9);
    f.addDomain('later.example', 10);
    assert.deepEqual(f.domains, ['late.example', 'later.example']);
    assert.equal(f.lineOf(1), 10);
  });
});

describe('feeds read in pieces', () => {
  const view = (f: ReturnType<typeof parseFeed>) => ({ indicators: f.indicators, problems: f.problems });

  it('property: cutting the text anywhere (even between CR and LF) gives the same result as parsing it whole', () => {
    const line = fc.oneof(fc.constantFrom('evil.pw', 'a.example', '# c', '', 'bad one', '0.0.0.0 h.example x.example', '1.2.3.4', 'co.uk', 'http://u.example/x'), fc.string({ maxLength: 12 }));
    const eol = fc.constantFrom('\n', '\r\n', '\r');
    fc.assert(
      fc.property(fc.array(fc.tuple(line, eol), { maxLength: 25 }), fc.array(fc.nat(), { maxLength: 6 }), (lines, cutSeeds) => {
        const text = lines.map(([l, e]) => l + e).join('');
        const cuts = [...new Set(cutSeeds.map((c) => (text.length === 0 ? 0 : c % (text.length + 1))))].sort((a, b) => a - b);
        const parser = new FeedParser('p');
        let from = 0;
        for (const c of [...cuts, text.length]) {
          parser.push(text.slice(from, c));
          from = c;
        }
        assert.deepEqual(view(parser.end()), view(parseFeed(text, 'p')));
      }),
      { numRuns: 400 },
    );
  });

  it('readFeed reads a file bigger than its read chunk, with a CR LF split across two chunks, like parseFeed reads its text', () => {
    const tmp = tempDir('dnshunt-feed-');
    try {
      const boundary = FEED_READ_BYTES; // readFeed's read size
      // lines up to just before the first chunk boundary, the last one padded so its CR is the chunk's last byte
      const head: string[] = [];
      let len = 0;
      for (let i = 0; len < boundary - 200; i++) {
        head.push(`n${i}.example.org`);
        len += head[head.length - 1]!.length + 2;
      }
      const headText = head.join('\r\n');
      // a valid name of exactly the length that puts its line's CR on the last byte of the chunk (labels of at most 59 letters)
      const bodyLength = boundary - 1 - (headText.length + 2) - '.example.org'.length;
      let body = Array.from({ length: Math.ceil(bodyLength / 60) }, () => 'a'.repeat(59)).join('.').slice(0, bodyLength);
      if (body.endsWith('.')) body = `${body.slice(0, -1)}b`;
      // and enough after it that the file is read in pieces at all (bigger than FEED_WHOLE_BYTES)
      const tailLines = Math.ceil(FEED_WHOLE_BYTES / 16);
      const text = `${headText}\r\n${body}.example.org\r\n${Array.from({ length: tailLines }, (_, i) => `m${i}.example.net`).join('\r\n')}\r\n`;
      assert.ok(text.length > FEED_WHOLE_BYTES);
      assert.equal(text.charCodeAt(boundary - 1), 0x0d);
      assert.equal(text.charCodeAt(boundary), 0x0a);
      const path = join(tmp.dir, 'feed.txt');
      writeFileSync(path, text, 'latin1');
      const fromFile = readFeed(path);
      const whole = parseFeed(text, path);
      assert.equal(fromFile.count, head.length + 1 + tailLines);
      assert.deepEqual(fromFile.domains, whole.domains);
      assert.deepEqual(fromFile.problems, whole.problems);
      for (let i = 0; i < fromFile.count; i += 9973) assert.equal(fromFile.lineOf(i), whole.lineOf(i));
    } finally {
      tmp.cleanup();
    }
  });
});

describe('parseFeed fast path', () => {
  it('property: a single-token line gives what the general path gives for the same token with blanks around it', () => {
    const anyToken = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.:/[]()@!'.split('')), minLength: 1, maxLength: 30 });
    // mostly well-formed names, so the plain-domain fast path is taken often (and its edges: '-' ends, digit-only last labels, 63+ char labels)
    const label = fc.oneof(fc.string({ unit: fc.constantFrom(...'ab09-_'.split('')), minLength: 0, maxLength: 4 }), fc.constant('x'.repeat(63)), fc.constant('y'.repeat(64)), fc.constant('uk'), fc.constant('co'));
    const domainish = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.'));
    const token = fc.oneof(anyToken, domainish);
    fc.assert(
      fc.property(fc.array(token, { maxLength: 20 }), (tokens) => {
        const plain = parseFeed(tokens.join('\n'), 'p');
        // a leading blank sends every line through the general path
        const padded = parseFeed(tokens.map((t) => ` ${t}\t`).join('\n'), 'p');
        assert.deepEqual(plain.indicators, padded.indicators);
        assert.deepEqual(plain.problems.map((q) => [q.line, q.reason]), padded.problems.map((q) => [q.line, q.reason]));
      }),
      { numRuns: 300 },
    );
  });
});

describe('loadBuiltinIndicators', () => {
  const builtin = loadBuiltinIndicators();
  const dataLines = readFileSync(BUILTIN_LIST_PATH, 'utf8').split('\n');

  it('is the data file bundled in the repository', () => {
    assert.equal(BUILTIN_LIST_PATH, join(REPO_ROOT, 'data', 'locky-static-ioc.tsv'));
  });

  it('loads every row, each with a source naming its line, and the line holds that indicator', () => {
    const rows = dataLines.filter((l) => l.trim().length > 0 && !l.startsWith('#'));
    assert.equal(builtin.length, rows.length);
    for (const ind of builtin) {
      const m = /^builtin:locky-static line (\d+) \[(C2|PAY)\] \S/.exec(ind.source);
      assert.ok(m, ind.source);
      const cols = dataLines[Number(m[1]) - 1]!.split('\t');
      assert.equal(cols[0]!.toLowerCase(), ind.value);
      assert.equal(cols[1], ind.kind);
      assert.equal(cols[2], ind.group);
    }
  });

  it('is loaded without the public-suffix check, which every row passes anyway (next test)', () => {
    assert.deepEqual(normalizeIndicator('co.uk', false), { ok: true, kind: 'domain', value: 'co.uk' });
    assert.equal(normalizeIndicator('co.uk').ok, false);
  });

  it('holds C2 and PAY groups only, domains in normalised form, IPs marked as IPs', () => {
    assert.ok(builtin.some((i) => i.kind === 'domain') && builtin.some((i) => i.kind === 'ip'));
    for (const i of builtin) {
      assert.ok(i.group === 'C2' || i.group === 'PAY', i.value);
      assert.deepEqual(normalizeIndicator(i.value), { ok: true, kind: i.kind, value: i.value });
    }
    assert.ok(builtin.some((i) => i.value === '6dtxgqam4crv6rr6.tor2web.org' && i.group === 'PAY'));
  });

  it('matches the C2 and PAY groups of ../shared/data/locky/static-ioc.txt exactly, and nothing from the other groups', { skip: SHARED === null && 'no ../shared' }, () => {
    const text = readFileSync(join(SHARED!, 'data', 'locky', 'static-ioc.txt'), 'utf8');
    const byGroup = new Map<string, Set<string>>();
    let group = '';
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      const header = /^#\s*\[([A-Z0-9]+)/.exec(line);
      if (header) {
        group = header[1]!;
        continue;
      }
      if (line.length === 0 || line.startsWith('#')) continue;
      if (!byGroup.has(group)) byGroup.set(group, new Set());
      byGroup.get(group)!.add(line.toLowerCase());
    }
    const expected = new Set([...(byGroup.get('C2') ?? []), ...(byGroup.get('PAY') ?? [])]);
    assert.ok(expected.size >= 20, `only ${expected.size} C2/PAY entries parsed from the research list`);
    assert.deepEqual(new Set(builtin.map((i) => i.value)), expected);
    for (const [g, values] of byGroup) {
      if (g === 'C2' || g === 'PAY') continue;
      for (const v of values) if (!expected.has(v)) assert.ok(!builtin.some((i) => i.value === v), `${v} (${g}) is bundled`);
    }
  });
});
