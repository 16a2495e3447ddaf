/**
 * The WebAssembly skim (`wasm/skim.ts`, `src/scan/skim.ts`) must change
 * nothing but speed: a RangeScanner with a Skimmer gives the same counters,
 * hits (line numbers, rcodes, suffixes) and samples as one without, on
 * generated logs in every locale, on the same logs with random bytes
 * changed, and on lines built to sit on each of the skim's edges. It must
 * also really take the common lines, or the comparisons would prove nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { KNOWN_CONFIGS, generateNames } from '../src/dga/index.js';
import { GEN_LOCALES, LogGenerator, dateOfIso, parseStart } from '../src/gen/index.js';
import type { GenLocale } from '../src/gen/index.js';
import { loadBuiltinIndicators } from '../src/ioc/index.js';
import { NameMatcher, buildMatcher } from '../src/match/index.js';
import { PAIR_WINDOW_LINES, READ_CHUNK_BYTES, RangeScanner, Skimmer, scanFileRange } from '../src/scan/index.js';

interface Generated {
  log: Buffer;
  matcher: NameMatcher;
}

function generate(locale: GenLocale, size: number, seed: number): Generated {
  const g = new LogGenerator({ size, seed, locale, infected: 8, startMs: parseStart('2016-02-16T08:00:00'), iocs: 300 });
  const buf = Buffer.alloc(1 << 20);
  const parts: Buffer[] = [];
  for (let n = g.fill(buf); n > 0; n = g.fill(buf)) parts.push(Buffer.from(buf.subarray(0, n)));
  const e = g.expected('x.ioc.txt');
  const names = new Set<string>(loadBuiltinIndicators().filter((i) => i.kind === 'domain').map((i) => i.value));
  for (const d of g.feed) names.add(d);
  for (const n of generateNames(KNOWN_CONFIGS, dateOfIso(e.from), dateOfIso(e.to))) names.add(n.name);
  return { log: Buffer.concat(parts), matcher: new NameMatcher(buildMatcher([...names]), true) };
}

/** Scan `log` whole with the JavaScript path alone, and through a skimmer; returns both results and the lines the skim took. */
function both(log: Buffer, matcher: NameMatcher): { js: RangeScanner; skimmed: RangeScanner; taken: number } {
  const js = new RangeScanner(matcher, 1_000_000);
  js.feedLines(log, 0, log.length);
  const skimmer = new Skimmer(log.length);
  skimmer.useImage(matcher.image);
  log.copy(skimmer.buffer);
  const skimmed = new RangeScanner(matcher, 1_000_000, skimmer);
  skimmed.feedLines(skimmer.buffer, 0, log.length);
  return { js, skimmed, taken: skimmer.linesTaken };
}

function assertSame(a: RangeScanner, b: RangeScanner, what: string): void {
  assert.deepEqual(b.counters, a.counters, `${what}: counters`);
  assert.deepEqual(b.hits, a.hits, `${what}: hits`);
  assert.deepEqual(b.samples, a.samples, `${what}: samples`);
  assert.equal(b.lineNo, a.lineNo, `${what}: lines`);
}

const generated = new Map<GenLocale, Generated>();
function generatedFor(locale: GenLocale): Generated {
  let g = generated.get(locale);
  if (g === undefined) {
    g = generate(locale, 400_000, 7);
    generated.set(locale, g);
  }
  return g;
}

describe('skim: same results as the JavaScript path', () => {
  for (const locale of GEN_LOCALES) {
    it(`generated ${locale} log: same results, and the skim takes most lines`, () => {
      const { log, matcher } = generatedFor(locale);
      const { js, skimmed, taken } = both(log, matcher);
      assert.ok(js.hits.length > 0, 'the log holds hits');
      assertSame(js, skimmed, locale);
      // Every line but the header, EVENT and Note lines, hits and the lines while a hit waits for its response.
      assert.ok(taken > 0.9 * js.counters.lines, `${locale}: the skim took ${taken} of ${js.counters.lines} lines`);
    });
  }

  it('generated logs with random bytes changed: same results (property)', () => {
    const { log, matcher } = generatedFor('en-US');
    const base = log.subarray(0, 60_000);
    const interesting = [0x20, 0x09, 0x0d, 0x0a, 0x28, 0x29, 0x30, 0x39, 0x33, 0x41, 0x50, 0x52, 0x51, 0x5b, 0x5d, 0x45, 0x54, 0x00, 0xff, 0x2e];
    const edit = fc.record({
      at: fc.nat({ max: base.length - 1 }),
      op: fc.constantFrom('set', 'delete', 'insert', 'duplicate'),
      byte: fc.oneof(fc.constantFrom(...interesting), fc.integer({ min: 0, max: 255 })),
      len: fc.integer({ min: 1, max: 300 }),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 40 }), (edits) => {
        let b = Buffer.from(base);
        for (const e of edits) {
          const at = e.at % Math.max(1, b.length);
          if (e.op === 'set') b[at] = e.byte;
          else if (e.op === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
          else if (e.op === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from([e.byte]), b.subarray(at)]);
          else b = Buffer.concat([b.subarray(0, at + e.len), b.subarray(at, at + e.len), b.subarray(at + e.len)]);
        }
        const { js, skimmed } = both(b, matcher);
        assertSame(js, skimmed, 'mutated');
      }),
      { numRuns: 150 },
    );
  });
});

describe('skim: the filter', () => {
  it('built by the compiler in JavaScript, it has the same bits as the module builds (its hash is ported, not shared)', () => {
    const names = fc.sample(fc.stringMatching(/^([a-z0-9_-]{1,9}\.){0,3}[a-z]{1,6}$/), { numRuns: 3000, seed: 11 });
    const indicators = [...new Set([...names, 'pw', 'a.b', 'abc.de', 'abcd.efgh', 'x.fnarsipfqe.pw'])];
    const image = buildMatcher(indicators, ['corp.local']);
    const js = Uint8Array.from(image.filter);
    assert.ok(js.some((b) => b !== 0), 'the filter has bits');
    assert.ok(image.singleLabelIndicators, 'pw is a single label');
    assert.deepEqual(new Skimmer(1024).fillByModule(image, indicators), js);
  });
});

describe('skim: a context column far from the line (regression: the skim read past its memory)', () => {
  // A line whose first token is long puts the PACKET column far out; the next
  // line starting with a digit made the skim read that far past its own start.
  const matcher = new NameMatcher(buildMatcher(['evil.pw'], ['corp.example.com']), true);

  it('in memory: same results, no out-of-bounds read', () => {
    const log = Buffer.from(`1 ${'x'.repeat(163834)} PACKET\n1\n`, 'latin1');
    const { js, skimmed } = both(log, matcher);
    assert.equal(js.counters.lines, 2);
    assertSame(js, skimmed, 'far column');
  });

  it('through scanFileRange with 1 MiB reads: the same counters with the skim on and off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnshunt-skim-'));
    try {
      const path = join(dir, 'far.log');
      const far = `1${'x'.repeat(300000)} 0E24 PACKET  000000FCF7C261D7 UDP Rcv 10.10.1.23      ee7f   Q [0001   D   NOERROR] A      (3)www(0)\n`;
      writeFileSync(path, far + '1 2\n'.repeat(300000));
      const req = { kind: 'scan-range' as const, path, fileIndex: 0, rangeIndex: 0, start: 0, end: statSync(path).size, lookahead: 0, maxSamples: 3 };
      const on = scanFileRange(req, matcher);
      const off = scanFileRange(req, matcher, READ_CHUNK_BYTES, false);
      assert.equal(on.counters.lines, 300001);
      assert.deepEqual(on, off);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('skim: lines on its edges', () => {
  const head = '2/16/2016 10:05:00 PM 0E24 PACKET  000000FCF7C261D7 UDP';
  const query = (name: string, ip = '10.10.1.23', more = '') => `${head} Rcv ${ip.padEnd(15)} ee7f   Q [0001   D   NOERROR] A      ${name}${more}`;
  const answer = (name: string, rcode: string, ip = '10.10.1.23') => `${head} Snd ${ip.padEnd(15)} ee7f R Q [8081   DR ${rcode.padStart(8)}] A      ${name}`;
  const quiet = (i: number) => query(`(3)www(${String(i).length + 6})google${i}(3)com(0)`);
  const matcher = new NameMatcher(buildMatcher(['evil.pw', 'fnarsipfqe.pw', 'www.update.net'], ['corp.example.com']), true);

  /** `line` among 40 quiet queries each side, with blank lines between records, CRLF. */
  function among(...lines: string[]): Buffer {
    const all: string[] = [];
    for (let i = 0; i < 40; i++) all.push(quiet(i), '');
    for (const l of lines) all.push(l, '');
    for (let i = 40; i < 80; i++) all.push(quiet(i), '');
    return Buffer.from(all.join('\r\n'), 'latin1');
  }

  const cases: [string, string[], number][] = [
    ['a hit, with its response', [query('(4)evil(2)pw(0)'), answer('(4)evil(2)pw(0)', 'NXDOMAIN')], 1],
    ['a hit in capitals', [query('(1)x(4)EVIL(2)PW(0)')], 1],
    ['a hit behind a search suffix', [query('(10)fnarsipfqe(2)pw(4)corp(5)local(0)')], 1],
    ['a hit behind a configured suffix', [query('(4)evil(2)pw(4)corp(7)example(3)com(0)')], 1],
    ['a three-label indicator', [query('(1)a(3)www(6)update(3)net(0)')], 1],
    ['not a hit: the same labels elsewhere', [query('(6)update(3)net(0)'), query('(4)evil(2)pw(3)com(0)')], 0],
    ['a hit from an IPv6 client', [query('(4)evil(2)pw(0)', '2001:16d8:ff00:856f::66:21')], 1],
    ['a hit without its (0)', [query('(4)evil(2)pw')], 1],
    ['a long line with a lone CR joining two records', [`${query('(3)www(6)google(3)com(0)')}\r${query('(4)evil(2)pw(0)')}`], 1],
    ['a long line: a response and a hit joined by a lone CR', [`${answer('(3)www(6)google(3)com(0)', 'NOERROR')}\r${query('(4)evil(2)pw(0)')}`], 1],
    ['a long line with no inner CR', [query(`(60)${'a'.repeat(60)}(60)${'b'.repeat(60)}(4)evil(2)pw(0)`)], 1],
    ['a name with a four-digit length', [query('(0004)evil(2)pw(0)')], 1],
    ['a four-digit length, read by groups, hiding a hit', [query('(0007)evil(2)(2)pw(0)')], 1],
    ['a name repaired by groups', [query('(5)evil(2)pw(0)')], 1],
    ['a dotted name', [query('evil.pw.')], 1],
    ['the root', [query('(0)')], 0],
    ['an EVENT line', ['2/16/2016 10:05:00 PM 0E24 EVENT   The DNS server has started.'], 0],
    ['a timestamp one character longer', [query('(4)evil(2)pw(0)').replace('10:05', '110:05')], 1],
    ['a thread id in lower case (the token walk reads it)', [query('(4)evil(2)pw(0)').replace('0E24', '0e24')], 1],
    // In the next cases PACKET sits at the same column as on the quiet lines and the name is quiet: the skim itself must say no.
    ['five timestamp tokens (the token walk stops before PACKET)', [quiet(90).replace('2/16/2016 10:05:00 PM', '2/16 2016 10:05 00 PM')], 0],
    ['an EVENT token in the timestamp', [quiet(91).replace('2/16/2016 10:05:00 PM', '2/1/2016 1:05:0 EVENT')], 0],
    ['a Note: token in the timestamp', [quiet(92).replace('2/16/2016 10:05:00 PM', '2/1/2016 1:05:0 Note:')], 0],
    ['an LF inside the timestamp (two lines to the JavaScript path)', [quiet(94).replace('2/16/2016 ', '2/16/2016\n')], 0],
    ['PACKET in the timestamp', [quiet(93).replace('2/16/2016 10:05:00 PM', '2/16/201 PACKET 05 PM')], 0],
    ['garbage', ['2/16/2016 10:05:00 PM 0E24 PACKET  garbage'], 0],
    ['trailing blanks', [`${query('(4)evil(2)pw(0)')}   `], 1],
  ];
  for (const [what, lines, hits] of cases) {
    it(what, () => {
      const log = among(...lines);
      const { js, skimmed, taken } = both(log, matcher);
      assert.equal(js.hits.length, hits, 'hits found by the JavaScript path');
      assertSame(js, skimmed, what);
      // the quiet lines before (all but the first, which tells the JavaScript path where PACKET sits)
      assert.ok(taken >= 79, `the skim took the quiet lines before (${taken})`);
    });
  }

  it('a single-label indicator makes every name ending in it a candidate', () => {
    const m = new NameMatcher(buildMatcher(['pw', 'evil.com']), true);
    const log = among(query('(7)example(2)pw(0)'), query('(4)EVIL(3)COM(0)'));
    const { js, skimmed } = both(log, m);
    assert.equal(js.hits.length, 2);
    assertSame(js, skimmed, 'single label');
  });

  describe('cleared names: a name the filter lets through but the matcher cleared is taken from then on', () => {
    // the module's slot of a name's bytes (wasm/skim.ts clearedSlot), to build two names of one slot
    const slotOf = (name: string): number => {
      let h = 0x811c9dc5;
      for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
      return (h ^ (h >>> 16)) & 255;
    };
    const cleared = '(1)a(4)evil(2)pw(3)com(0)'; // (evil, pw) is in the filter; `com` is public, so no match

    it('a repeated name that passes the filter and matches nothing goes to the matcher once', () => {
      const log = among(...Array.from({ length: 50 }, () => query(cleared)));
      const { js, skimmed, taken } = both(log, matcher);
      assert.equal(js.hits.length, 0);
      assertSame(js, skimmed, 'repeated cleared name');
      // left to the JavaScript path: the first quiet line (it tells where PACKET sits) and the first query of the name
      assert.ok(js.lineNo - taken <= 2, `${js.lineNo - taken} of ${js.lineNo} lines left to the JavaScript path`);
    });

    it('a matching name of the same length in the same slot is still a hit', () => {
      // a 7-letter label before evil.pw gives a name as long as `cleared`: search one in its slot
      let twin = '';
      for (let i = 0; twin === '' && i < 100_000; i++) {
        const label = i.toString(36).padStart(7, 'q').slice(-7);
        const name = `(7)${label}(4)evil(2)pw(0)`;
        if (name.length === cleared.length && slotOf(name) === slotOf(cleared)) twin = name;
      }
      assert.notEqual(twin, '', 'a name of the same slot and length');
      const log = among(query(cleared), query(cleared), query(twin), query(cleared));
      const { js, skimmed } = both(log, matcher);
      assert.equal(js.hits.length, 1);
      assertSame(js, skimmed, 'same slot, same length, other bytes');
    });

    it('names cleared by one matcher are not another\'s: the same image without suffix stripping clears what stripping matches', () => {
      const image = buildMatcher(['evil.pw']);
      // first a response (it tells where PACKET sits, and clears nothing), then the two queries
      const log = Buffer.from([answer('(3)www(6)google(3)com(0)', 'NOERROR'), '', query('(4)evil(2)pw(4)corp(5)local(0)'), '', query('(4)evil(2)pw(4)corp(5)local(0)'), ''].join('\r\n'), 'latin1');
      const skimmer = new Skimmer(log.length);
      skimmer.useImage(image);
      log.copy(skimmer.buffer);
      const plain = new RangeScanner(new NameMatcher(image, false), 100, skimmer);
      plain.feedLines(skimmer.buffer, 0, log.length);
      assert.equal(plain.hits.length, 0, 'without stripping, corp.local stays and nothing matches');
      const stripping = new RangeScanner(new NameMatcher(image, true), 100, skimmer);
      stripping.feedLines(skimmer.buffer, 0, log.length);
      assert.equal(stripping.hits.length, 2, 'with stripping both queries match evil.pw');
    });

    it('names cleared under one set of indicators are forgotten with it', () => {
      const other = new NameMatcher(buildMatcher(['evil.pw.com']), true);
      const log = among(query(cleared), query(cleared));
      const skimmer = new Skimmer(log.length);
      skimmer.useImage(matcher.image);
      log.copy(skimmer.buffer);
      const first = new RangeScanner(matcher, 100, skimmer);
      first.feedLines(skimmer.buffer, 0, log.length);
      assert.equal(first.hits.length, 0);
      skimmer.useImage(other.image);
      const second = new RangeScanner(other, 100, skimmer);
      second.feedLines(skimmer.buffer, 0, log.length);
      assert.equal(second.hits.length, 2, 'both queries match evil.pw.com');
    });
  });

  describe('while a matched query waits for its response, the skim leaves only the lines with its query id', () => {
    const q = (name: string, xid: string, ip = '10.10.1.23') => `${head} Rcv ${ip.padEnd(15)} ${xid}   Q [0001   D   NOERROR] A      ${name}`;
    const r = (name: string, xid: string, rcode: string, ip = '10.10.1.23') => `${head} Snd ${ip.padEnd(15)} ${xid} R Q [8081   DR ${rcode.padStart(8)}] A      ${name}`;
    /** `n` quiet queries and their responses, ids that are never `ee7f`/`aa01`/`aa02`/`aa03`. */
    const traffic = (n: number, from = 0): string[] => {
      const out: string[] = [];
      for (let i = from; i < from + n; i++) {
        const xid = (0x1000 + i).toString(16);
        const name = `(3)www(${String(i).length + 6})google${i}(3)com(0)`;
        out.push(q(name, xid, '10.10.2.9'), '', r(name, xid, 'NOERROR', '10.10.2.9'), '');
      }
      return out;
    };
    const evil = '(4)evil(2)pw(0)';
    const logOf = (...parts: (string | string[])[]): Buffer => Buffer.from([...traffic(20), ...parts.flat(), ...traffic(20, 9000)].join('\r\n'), 'latin1');
    const cases: [string, Buffer, (string | null)[]][] = [
      ['its response 300 lines later', logOf(q(evil, 'ee7f'), '', traffic(150), r(evil, 'ee7f', 'NXDOMAIN'), ''), ['NXDOMAIN']],
      ['its response with the id in capitals', logOf(q(evil, 'aa0f'), '', traffic(150), r(evil, 'AA0F', 'NXDOMAIN'), ''), ['NXDOMAIN']],
      ['no response at all (it stops waiting after PAIR_WINDOW_LINES lines)', logOf(q(evil, 'ee7f'), '', traffic(1400)), [null]],
      ['a response after the window is not its', logOf(q(evil, 'ee7f'), '', traffic(1300), r(evil, 'ee7f', 'NXDOMAIN'), ''), [null]],
      ['another client\'s line with the same id in between', logOf(q(evil, 'ee7f'), '', q('(3)www(6)google(3)com(0)', 'ee7f', '10.10.9.9'), '', r('(3)www(6)google(3)com(0)', 'ee7f', 'NOERROR', '10.10.9.9'), '', traffic(50), r(evil, 'ee7f', 'SERVFAIL'), ''), ['SERVFAIL']],
      ['two waiting, answered in reverse order', logOf(q(evil, 'aa01'), '', q('(1)x(4)evil(2)pw(0)', 'aa02'), '', traffic(100), r('(1)x(4)evil(2)pw(0)', 'aa02', 'NOERROR'), '', traffic(100), r(evil, 'aa01', 'NXDOMAIN'), ''), ['NXDOMAIN', 'NOERROR']],
      ['three waiting (the JavaScript path alone pairs them)', logOf(q(evil, 'aa01'), '', q(evil, 'aa02'), '', q(evil, 'aa03'), '', traffic(100), r(evil, 'aa03', 'NOERROR'), '', r(evil, 'aa01', 'NXDOMAIN'), '', r(evil, 'aa02', 'REFUSED'), ''), ['NXDOMAIN', 'REFUSED', 'NOERROR']],
      ['the query repeated before its response', logOf(q(evil, 'ee7f'), '', traffic(50), q(evil, 'ee7f'), '', traffic(50), r(evil, 'ee7f', 'NXDOMAIN'), ''), [null, 'NXDOMAIN']],
    ];
    for (const [what, log, rcodes] of cases) {
      it(what, () => {
        const { js, skimmed, taken } = both(log, matcher);
        assert.deepEqual(js.hits.map((h) => h.rcode), rcodes, 'the JavaScript path pairs them so');
        assertSame(js, skimmed, what);
        if (rcodes.length < 3) assert.ok(js.lineNo - taken < 40, `${js.lineNo - taken} of ${js.lineNo} lines left to the JavaScript path`);
      });
    }

    it('a response at the very edge of the window: paired up to its last line, not after', () => {
      // filler of blank lines and quiet records, so the response lands on each line around the window's end
      const quietLines = traffic(1300).filter((l) => l !== '');
      let paired = 0;
      for (let gap = PAIR_WINDOW_LINES - 3; gap <= PAIR_WINDOW_LINES + 1; gap++) {
        for (const blanks of [true, false]) {
          const filler: string[] = [];
          for (let i = 0; filler.length < gap - 1; i++) filler.push(blanks && i % 2 === 1 ? '' : quietLines[i % quietLines.length]!);
          const log = Buffer.from([q(evil, 'ee7f'), ...filler, r(evil, 'ee7f', 'NXDOMAIN'), ''].join('\r\n'), 'latin1');
          const { js, skimmed } = both(log, matcher);
          assertSame(js, skimmed, `response ${gap} lines after the query (${blanks ? 'blank lines between' : 'records only'})`);
          if (js.hits[0]!.rcode !== null) paired++;
        }
      }
      assert.ok(paired > 0 && paired < 10, `paired ${paired} of 10: the window ends among these lines`);
    });

    it('results do not depend on where the lines are cut into calls, a hit waiting across the cut', () => {
      const log = logOf(q(evil, 'aa01'), '', traffic(60), q('(1)x(4)evil(2)pw(0)', 'aa02'), '', traffic(60), r(evil, 'aa01', 'NXDOMAIN'), '', traffic(60), r('(1)x(4)evil(2)pw(0)', 'aa02', 'NOERROR'), '', traffic(40));
      const js = new RangeScanner(matcher, 1_000_000);
      js.feedLines(log, 0, log.length);
      const starts: number[] = [0];
      for (let p = log.indexOf(10); p >= 0 && p + 1 < log.length; p = log.indexOf(10, p + 1)) starts.push(p + 1);
      fc.assert(
        fc.property(fc.array(fc.nat({ max: starts.length - 1 }), { maxLength: 12 }), (cutIndexes) => {
          const cuts = [...new Set(cutIndexes.map((i) => starts[i]!))].sort((a, b) => a - b);
          const skimmer = new Skimmer(log.length);
          skimmer.useImage(matcher.image);
          log.copy(skimmer.buffer);
          const skimmed = new RangeScanner(matcher, 1_000_000, skimmer);
          let from = 0;
          for (const c of [...cuts, log.length]) {
            if (c > from) skimmed.feedLines(skimmer.buffer, from, c);
            from = Math.max(from, c);
          }
          assertSame(js, skimmed, `cut at ${cuts.join(', ')}`);
        }),
        { numRuns: 60 },
      );
      assert.deepEqual(js.hits.map((h) => h.rcode), ['NXDOMAIN', 'NOERROR']);
    });
  });

  it('a thousand random indicators: false positives of the filter change nothing', () => {
    const rng = fc.sample(fc.stringMatching(/^[a-z]{3,12}\.(com|net|pw)$/), { numRuns: 1000, seed: 5 });
    const m = new NameMatcher(buildMatcher([...new Set(rng), 'evil.pw']), true);
    const { log } = generatedFor('en-US');
    const { js, skimmed } = both(log, m);
    assertSame(js, skimmed, 'random indicators');
  });
});
