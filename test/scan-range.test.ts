/**
 * Range scanning in-process: `scanFileRange` over `splitRanges` must give the
 * same hits (absolute lines, rcodes), counters and unparsed samples whatever
 * the range size (1 byte to the whole file) and the read chunk size, and the
 * same as a naive oracle that knows what every generated line is. Logs are
 * random sequences of real-format lines (queries, responses, upstream traffic,
 * updates, events, headers, Details dumps, blanks, garbage) with CRLF/LF mixed
 * and maybe no final line end. Targeted cases pin the corners: stray CRs,
 * lookahead pairing, the pairing window, overlong lines.
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type { RawHit, ScanCounters } from '../src/core/index.js';
import { NameMatcher, buildMatcher } from '../src/match/index.js';
import { PAIR_WINDOW_LINES, RangeScanner, scanFileRange, splitRanges } from '../src/scan/index.js';
import { tempDir } from './helpers.js';

const INDICATORS = ['evil.pw', 'fnarsipfqe.pw'];
const matcher = new NameMatcher(buildMatcher(INDICATORS, ['corp.example.com']), true);
const tmp = tempDir('dnshunt-scan-range-');
after(() => tmp.cleanup());
let fileNo = 0;

// ---------------------------------------------------------------------------
// Log lines in the real format, each with what it is (the oracle's knowledge).

type Kind = 'PACKET' | 'EVENT' | 'SKIPPED' | 'UNPARSED';

interface Item {
  text: string;
  kind: Kind;
  /** A client query (Rcv, blank QR, opcode Q). */
  clientQuery?: boolean;
  /** Set when the client query matches an indicator. */
  hit?: { client: string; qname: string; xid: string; rawName: string; qtype: string; protocol: string; indicator: string; suffixStripped: string | null };
  /** Set for a response sent to a client (Snd, R, opcode Q). */
  response?: { client: string; xid: string; rawName: string; rcode: string };
}

const TIMES = ['2/16/2016 10:05:00 PM', '2/16/2016 9:58:04 AM', '12/31/2016 11:59:59 PM'];
const CLIENTS = ['10.10.1.23', '10.10.3.99', 'fd00:10:10:1::45', '2001:16d8:ff00:856f::66:21'];
const XIDS = ['ee7f', '0a1b'];
const FORWARDER = '192.168.0.1';
/** [wire name, dotted lower-case name, indicator or null, suffix stripped] */
const NAMES: [string, string, string | null, string | null][] = [
  ['(4)evil(2)pw(0)', 'evil.pw', 'evil.pw', null],
  ['(1)x(4)EVIL(2)PW(0)', 'x.evil.pw', 'evil.pw', null],
  ['(10)fnarsipfqe(2)pw(4)corp(5)local(0)', 'fnarsipfqe.pw.corp.local', 'fnarsipfqe.pw', 'corp.local'],
  ['(4)evil(2)pw(4)corp(7)example(3)com(0)', 'evil.pw.corp.example.com', 'evil.pw', 'corp.example.com'],
  ['(7)notevil(2)pw(0)', 'notevil.pw', null, null],
  ['(4)evil(2)pw(3)com(0)', 'evil.pw.com', null, null],
  ['(3)www(6)google(3)com(0)', 'www.google.com', null, null],
  ['(0)', '', null, null],
];
const RCODES = ['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED'];
const QTYPES = ['A', 'AAAA', '65', 'SRV'];

function packetLine(o: { time: string; proto: string; dir: 'Snd' | 'Rcv'; ip: string; xid: string; response: boolean; opcode: string; rcode: string; qtype: string; name: string }): string {
  const flags = o.response ? `8081 A DR ${o.rcode.padStart(8)}` : `0001   D  ${o.rcode.padStart(8)}`;
  return `${o.time} 0E24 PACKET  000000FCF7C261D7 ${o.proto} ${o.dir} ${o.ip.padEnd(15)} ${o.xid} ${o.response ? 'R' : ' '} ${o.opcode} [${flags}] ${o.qtype.padEnd(6)} ${o.name}`;
}

const Q = (ip: string, xid: string, name = '(4)evil(2)pw(0)') => packetLine({ time: TIMES[0]!, proto: 'UDP', dir: 'Rcv', ip, xid, response: false, opcode: 'Q', rcode: 'NOERROR', qtype: 'A', name });
const R = (ip: string, xid: string, rcode: string, name = '(4)evil(2)pw(0)') => packetLine({ time: TIMES[0]!, proto: 'UDP', dir: 'Snd', ip, xid, response: true, opcode: 'Q', rcode, qtype: 'A', name });

function collapsed(line: string): string {
  return line.replace(/ {2,}/g, ' ').replace(/ ([0-9a-f]{4})  ([QNU?]) \[/, ' $1 $2 [');
}

const arbPick = <T>(xs: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...xs);

const arbClientQuery: fc.Arbitrary<Item> = fc
  .record({ time: arbPick(TIMES), ip: arbPick(CLIENTS), xid: arbPick(XIDS), name: arbPick(NAMES), proto: arbPick(['UDP', 'TCP']), qtype: arbPick(QTYPES), squash: fc.boolean() })
  .map(({ time, ip, xid, name, proto, qtype, squash }) => {
    const line = packetLine({ time, proto, dir: 'Rcv', ip, xid, response: false, opcode: 'Q', rcode: 'NOERROR', qtype, name: name[0] });
    const item: Item = { text: squash ? collapsed(line) : line, kind: 'PACKET', clientQuery: true };
    if (name[2] !== null) item.hit = { client: ip, qname: name[1], xid, rawName: name[0].toLowerCase(), qtype, protocol: proto, indicator: name[2], suffixStripped: name[3] };
    return item;
  });

const arbClientResponse: fc.Arbitrary<Item> = fc
  .record({ time: arbPick(TIMES), ip: arbPick(CLIENTS), xid: arbPick(XIDS), name: arbPick(NAMES), rcode: arbPick(RCODES), squash: fc.boolean(), upper: fc.boolean() })
  .map(({ time, ip, xid, name, rcode, squash, upper }) => {
    const wire = upper ? name[0].toUpperCase() : name[0];
    const line = packetLine({ time, proto: 'UDP', dir: 'Snd', ip, xid: upper ? xid.toUpperCase() : xid, response: true, opcode: 'Q', rcode, qtype: 'A', name: wire });
    return { text: squash ? collapsed(line) : line, kind: 'PACKET', response: { client: ip, xid, rawName: wire.toLowerCase(), rcode } };
  });

/** Traffic that is not a client question: upstream queries and answers, updates, notifies, Snd queries. */
const arbOtherPacket: fc.Arbitrary<Item> = fc
  .record({ time: arbPick(TIMES), ip: arbPick([...CLIENTS, FORWARDER]), xid: arbPick(XIDS), name: arbPick(NAMES), shape: fc.nat(4) })
  .map(({ time, ip, xid, name, shape }) => {
    const base = { time, proto: 'UDP', ip, xid, rcode: 'NOERROR', qtype: 'A', name: name[0] };
    const text = [
      packetLine({ ...base, ip: FORWARDER, dir: 'Snd', response: false, opcode: 'Q' }), // upstream query
      packetLine({ ...base, ip: FORWARDER, dir: 'Rcv', response: true, opcode: 'Q' }), // upstream answer
      packetLine({ ...base, dir: 'Rcv', response: false, opcode: 'U', qtype: 'SOA' }), // dynamic update
      packetLine({ ...base, dir: 'Rcv', response: false, opcode: 'N', qtype: 'SOA' }), // notify
      packetLine({ ...base, dir: 'Rcv', response: true, opcode: 'U', rcode: 'REFUSED' }),
    ][shape]!;
    return { text, kind: 'PACKET' };
  });

const LONG_EVENT = `2017-05-21 19:44:58 0518 EVENT   ${'The DNS server is waiting for Active Directory Domain Services (AD DS) to signal. '.repeat(10)}`;

const arbFixed: fc.Arbitrary<Item> = fc.constantFrom<Item>(
  { text: '2/16/2016 9:58:03 PM 0DF4 EVENT   The DNS server has started.', kind: 'EVENT' },
  { text: '2/16/2016 9:58:04 PM 5C8 Note: got GQCS failure on a dead socket context status=995, socket=500, pcon=00000020F4B18390, state=-1, IP=0.0.0.0', kind: 'EVENT' },
  { text: LONG_EVENT, kind: 'EVENT' },
  { text: 'DNS Server log file creation at 2/17/2016 3:00:00 AM', kind: 'SKIPPED' },
  { text: 'Log file wrap at 2/17/2016 3:00:00 AM', kind: 'SKIPPED' },
  { text: 'Message logging key (for packets - other items use a subset of these fields):', kind: 'SKIPPED' },
  { text: '\tField #  Information         Values', kind: 'SKIPPED' },
  { text: '\t                             blank = Query', kind: 'SKIPPED' },
  { text: '', kind: 'SKIPPED' },
  { text: 'UDP response info at 0000017DED1D2C90', kind: 'SKIPPED' },
  { text: '  Remote addr 10.10.1.23, port 57613', kind: 'SKIPPED' },
  { text: '    Name      "(4)evil(2)pw(0)"', kind: 'SKIPPED' },
  { text: '      DATA   (4)evil(2)pw(0)', kind: 'SKIPPED' },
  { text: 'garbage', kind: 'UNPARSED' },
  { text: '12345 67890', kind: 'UNPARSED' },
  { text: '2/16/2016 10:05:00 PM 0E24 PACKET  000000FCF7C261D7 UDP Rcv 10.10.1.23      ee7f   Q [0001   D   NOERROR]', kind: 'UNPARSED' },
);

/** Binary garbage: a non-blank, non-digit first byte, then anything but CR and LF. */
const arbGarbage: fc.Arbitrary<Item> = fc
  .uint8Array({ maxLength: 60 })
  .map((b) => ({ text: `\u00ff${Buffer.from(b.filter((x) => x !== 0x0a && x !== 0x0d)).toString('latin1')}`, kind: 'UNPARSED' as const }));

const arbItem: fc.Arbitrary<Item> = fc.oneof(
  { weight: 5, arbitrary: arbClientQuery },
  { weight: 4, arbitrary: arbClientResponse },
  { weight: 2, arbitrary: arbOtherPacket },
  { weight: 4, arbitrary: arbFixed },
  { weight: 1, arbitrary: arbGarbage },
);

interface Log {
  items: Item[];
  bytes: Buffer;
}

const arbLog: fc.Arbitrary<Log> = fc
  .record({ items: fc.array(fc.tuple(arbItem, fc.boolean()), { minLength: 0, maxLength: 60 }), finalEol: fc.boolean() })
  .map(({ items, finalEol }) => {
    let text = '';
    items.forEach(([item, crlf], i) => {
      text += item.text;
      if (i < items.length - 1 || finalEol) text += crlf ? '\r\n' : '\n';
    });
    // A last empty item without a line end adds no byte, so no line.
    const kept = items.map(([it]) => it);
    if (!finalEol && kept.length > 0 && kept[kept.length - 1]!.text === '') kept.pop();
    return { items: kept, bytes: Buffer.from(text, 'latin1') };
  });

// ---------------------------------------------------------------------------
// What a scan reports, in a comparable form.

interface Outcome {
  counters: ScanCounters;
  hits: { line: number; client: string; qname: string; qtype: string; protocol: string; xid: string; rcode: string | null; indicator: string; suffixStripped: string | null }[];
  unparsedLines: number[];
}

function hitView(h: RawHit, line: number) {
  return { line, client: h.client, qname: h.qname, qtype: h.qtype, protocol: h.protocol, xid: h.xid, rcode: h.rcode, indicator: INDICATORS[h.indicatorId]!, suffixStripped: h.suffixStripped };
}

/**
 * The naive oracle: what every item is, and rcode pairing as documented: a
 * response goes to the pending query with its client, xid and name; a query
 * repeated before the response takes over from the earlier one (whose rcode
 * stays unknown), which is what any cut of the file into ranges can also see.
 */
function oracle(log: Log): Outcome {
  const c: ScanCounters = { bytes: log.bytes.length, lines: log.items.length, records: 0, clientQueries: 0, unparsed: 0, events: 0, skipped: 0 };
  const hits: Outcome['hits'] = [];
  const pending: { hit: Outcome['hits'][number]; raw: Item['hit'] & object }[] = [];
  const unparsedLines: number[] = [];
  log.items.forEach((it, i) => {
    const line = i + 1;
    if (it.kind === 'PACKET') c.records++;
    else if (it.kind === 'EVENT') c.events++;
    else if (it.kind === 'SKIPPED') c.skipped++;
    else {
      c.unparsed++;
      unparsedLines.push(line);
    }
    if (it.clientQuery) c.clientQueries++;
    if (it.hit) {
      const h = { line, client: it.hit.client, qname: it.hit.qname, qtype: it.hit.qtype, protocol: it.hit.protocol, xid: it.hit.xid, rcode: null as string | null, indicator: it.hit.indicator, suffixStripped: it.hit.suffixStripped };
      hits.push(h);
      const raw = it.hit;
      const earlier = pending.findIndex((p) => p.raw.client === raw.client && p.raw.xid === raw.xid && p.raw.rawName === raw.rawName);
      if (earlier >= 0) pending.splice(earlier, 1);
      pending.push({ hit: h, raw });
    }
    if (it.response) {
      const r = it.response;
      const k = pending.findIndex((p) => p.raw.client === r.client && p.raw.xid === r.xid && p.raw.rawName === r.rawName);
      if (k >= 0) {
        pending[k]!.hit.rcode = r.rcode;
        pending.splice(k, 1);
      }
    }
  });
  return { counters: c, hits, unparsedLines };
}

/** The product's whole-buffer scan (one RangeScanner fed everything). */
function scanWhole(bytes: Buffer): Outcome {
  const s = new RangeScanner(matcher, 1_000_000);
  s.feedLines(bytes, 0, bytes.length);
  s.dropPending();
  return { counters: { ...s.counters }, hits: s.hits.map((h) => hitView(h, h.rangeLine)), unparsedLines: s.samples.map((x) => x.rangeLine) };
}

function writeLog(bytes: Buffer): string {
  const path = join(tmp.dir, `log-${fileNo++}.log`);
  writeFileSync(path, bytes);
  return path;
}

/** Split the file into newline-aligned ranges and scan each with `scanFileRange`; results made absolute as runScan does. */
function scanRanges(path: string, size: number, rangeBytes: number, chunkBytes: number, lookahead = size + 1): Outcome {
  const fd = openSync(path, 'r');
  let ranges;
  try {
    ranges = splitRanges(fd, size, rangeBytes);
  } finally {
    closeSync(fd);
  }
  const counters: ScanCounters = { bytes: 0, lines: 0, records: 0, clientQueries: 0, unparsed: 0, events: 0, skipped: 0 };
  const hits: Outcome['hits'] = [];
  const unparsedLines: number[] = [];
  ranges.forEach((r, i) => {
    const res = scanFileRange({ kind: 'scan-range', path, fileIndex: 0, rangeIndex: i, start: r.start, end: r.end, lookahead, maxSamples: 1_000_000 }, matcher, chunkBytes);
    for (const h of res.hits) hits.push(hitView(h, counters.lines + h.rangeLine));
    for (const s of res.samples) unparsedLines.push(counters.lines + s.rangeLine);
    for (const k of Object.keys(counters) as (keyof ScanCounters)[]) counters[k] += res.counters[k];
  });
  return { counters, hits, unparsedLines };
}

/** Longest line in bytes, line end included. */
function longestLine(bytes: Buffer): number {
  let max = 0;
  let s = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      max = Math.max(max, i - s + 1);
      s = i + 1;
    }
  }
  return max;
}

// ---------------------------------------------------------------------------

describe('splitRanges', () => {
  it('property: ranges tile the file, each starts at a line start and ends after an LF or at the end', () => {
    fc.assert(
      fc.property(arbLog, fc.integer({ min: 1, max: 5000 }), (log, rangeBytes) => {
        const path = writeLog(log.bytes);
        const fd = openSync(path, 'r');
        try {
          const ranges = splitRanges(fd, log.bytes.length, rangeBytes);
          let pos = 0;
          for (const r of ranges) {
            assert.equal(r.start, pos);
            assert.ok(r.end > r.start);
            assert.ok(r.start === 0 || log.bytes[r.start - 1] === 0x0a, `range starts mid-line at ${r.start}`);
            assert.ok(r.end === log.bytes.length || log.bytes[r.end - 1] === 0x0a, `range ends mid-line at ${r.end}`);
            pos = r.end;
          }
          assert.equal(pos, log.bytes.length);
        } finally {
          closeSync(fd);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('an empty file has no ranges', () => {
    const path = writeLog(Buffer.alloc(0));
    const fd = openSync(path, 'r');
    try {
      assert.deepEqual(splitRanges(fd, 0, 100), []);
    } finally {
      closeSync(fd);
    }
  });
});

describe('range scanning is independent of range and chunk size (property)', () => {
  it('the whole-buffer scan agrees with the naive oracle', () => {
    fc.assert(
      fc.property(arbLog, (log) => {
        assert.deepEqual(scanWhole(log.bytes), oracle(log));
      }),
      { numRuns: 400 },
    );
  });

  it('ranges from 1 byte to the whole file, read in chunks from just above the longest line up: same as the oracle', () => {
    fc.assert(
      fc.property(arbLog, fc.integer({ min: 1, max: 1 << 16 }), fc.integer({ min: 0, max: 1 << 16 }), (log, rangeBytes, chunkExtra) => {
        const path = writeLog(log.bytes);
        const size = log.bytes.length;
        const chunk = longestLine(log.bytes) + 1 + (chunkExtra % (size + 64));
        const want = oracle(log);
        assert.deepEqual(scanRanges(path, size, 1 + (rangeBytes % (size + 1)), chunk), want, `range ${1 + (rangeBytes % (size + 1))} chunk ${chunk}`);
      }),
      { numRuns: 300 },
    );
  });

  it('every range size from 1 byte up, on one log with every line kind', () => {
    // A fixed sample of the generator plus a hit/response pair, so the log surely has both.
    const items = [...fc.sample(arbItem, { numRuns: 60, seed: 42 })];
    items.splice(10, 0, { text: Q('10.10.1.23', 'ee7f'), kind: 'PACKET', clientQuery: true, hit: { client: '10.10.1.23', qname: 'evil.pw', xid: 'ee7f', rawName: '(4)evil(2)pw(0)', qtype: 'A', protocol: 'UDP', indicator: 'evil.pw', suffixStripped: null } });
    items.splice(30, 0, { text: R('10.10.1.23', 'ee7f', 'NXDOMAIN'), kind: 'PACKET', response: { client: '10.10.1.23', xid: 'ee7f', rawName: '(4)evil(2)pw(0)', rcode: 'NXDOMAIN' } });
    const log: Log = { items, bytes: Buffer.from(items.map((i, k) => `${i.text}${k % 3 === 0 ? '\r\n' : '\n'}`).join(''), 'latin1') };
    const path = writeLog(log.bytes);
    const want = oracle(log);
    assert.ok(want.hits.some((h) => h.rcode === 'NXDOMAIN'));
    for (let r = 1; r <= log.bytes.length + 1; r += r < 300 ? 1 : 97) {
      assert.deepEqual(scanRanges(path, log.bytes.length, r, 64 * 1024), want, `range ${r}`);
    }
  });

  it('with chunks smaller than a line, line and byte counts stay exact and every line is still counted once', () => {
    fc.assert(
      fc.property(arbLog, fc.integer({ min: 1, max: 48 }), fc.integer({ min: 1, max: 1 << 16 }), (log, chunk, rangeBytes) => {
        const path = writeLog(log.bytes);
        const size = log.bytes.length;
        const got = scanRanges(path, size, 1 + (rangeBytes % (size + 1)), chunk);
        const want = oracle(log);
        assert.equal(got.counters.lines, want.counters.lines);
        assert.equal(got.counters.bytes, want.counters.bytes);
        const c = got.counters;
        assert.equal(c.records + c.events + c.skipped + c.unparsed, c.lines, 'each line lands in exactly one counter');
      }),
      { numRuns: 200 },
    );
  });

  it('the default lookahead pairs a response in the next range', () => {
    const q = packetLine({ time: TIMES[0]!, proto: 'UDP', dir: 'Rcv', ip: '10.10.1.23', xid: 'ee7f', response: false, opcode: 'Q', rcode: 'NOERROR', qtype: 'A', name: '(4)evil(2)pw(0)' });
    const r = packetLine({ time: TIMES[0]!, proto: 'UDP', dir: 'Snd', ip: '10.10.1.23', xid: 'ee7f', response: true, opcode: 'Q', rcode: 'NXDOMAIN', qtype: 'A', name: '(4)evil(2)pw(0)' });
    const bytes = Buffer.from(`${q}\r\n\r\n${'garbage\r\n'.repeat(50)}${r}\r\n`, 'latin1');
    const path = writeLog(bytes);
    const res = scanFileRange({ kind: 'scan-range', path, fileIndex: 0, rangeIndex: 0, start: 0, end: q.length + 2, lookahead: 4 * 1024 * 1024, maxSamples: 5 }, matcher);
    assert.equal(res.counters.lines, 1, 'nothing past the range end is counted');
    assert.equal(res.hits.length, 1);
    assert.equal(res.hits[0]!.rcode, 'NXDOMAIN');
    const none = scanFileRange({ kind: 'scan-range', path, fileIndex: 0, rangeIndex: 0, start: 0, end: q.length + 2, lookahead: 0, maxSamples: 5 }, matcher);
    assert.equal(none.hits[0]!.rcode, null, 'without lookahead the rcode stays unknown');
  });
});

// ---------------------------------------------------------------------------
// Corners.


/** Scan with every range size that cuts the file at a line boundary, and return the distinct outcomes. */
function outcomesOverCuts(bytes: Buffer): Outcome[] {
  const path = writeLog(bytes);
  const seen = new Map<string, Outcome>();
  const whole = scanRanges(path, bytes.length, bytes.length + 1, 1 << 20);
  seen.set(JSON.stringify(whole), whole);
  for (let cut = 1; cut < bytes.length; cut++) {
    if (bytes[cut - 1] !== 0x0a) continue;
    const o = scanRanges(path, bytes.length, cut, 1 << 20);
    seen.set(JSON.stringify(o), o);
  }
  return [...seen.values()];
}

describe('range scanning corners', () => {
  it('a truncated Snd line is counted unparsed whether or not a matched query is waiting, wherever the range starts', () => {
    const trunc = '2/16/2016 10:05:00 PM 0E24 PACKET  000000C81D4B4857 UDP Snd 10.10.1.23';
    const bytes = Buffer.from(`${Q('10.10.1.23', 'ee7f')}\n${trunc}\n${R('10.10.1.23', 'ee7f', 'NXDOMAIN')}\n${trunc}\n`, 'latin1');
    const outs = outcomesOverCuts(bytes);
    for (const o of outs) assert.equal(o.counters.unparsed, 2, JSON.stringify(o.counters));
    assert.equal(outs.length, 1, 'every cut gives the same outcome');
  });

  it('a matched query is paired with its response at most PAIR_WINDOW_LINES lines later, the same way whatever the cut', () => {
    const q = Q('10.10.1.23', 'ee7f');
    const r = R('10.10.1.23', 'ee7f', 'NXDOMAIN');
    // The response comes just past the window, after blank lines only (Details/blank lines are not PACKET lines).
    const bytes = Buffer.from(`${q}\n${'\n'.repeat(PAIR_WINDOW_LINES + 1)}${r}\n`, 'latin1');
    const path = writeLog(bytes);
    const whole = scanRanges(path, bytes.length, bytes.length + 1, 1 << 20);
    const split = scanRanges(path, bytes.length, q.length + 1, 1 << 20);
    assert.deepEqual(split.hits, whole.hits);
  });

  it('two records joined by a stray CR are both read (short line)', () => {
    const bytes = Buffer.from(`${Q('10.10.1.23', 'ee7f')}\r${Q('10.10.3.99', '0a1b')}\r\n`, 'latin1');
    const o = scanWhole(bytes);
    assert.equal(o.counters.records, 2);
    assert.deepEqual(o.hits.map((h) => h.client), ['10.10.1.23', '10.10.3.99']);
  });

  it('two records joined by a stray CR inside a long line are both read, and paired the same across a range cut', () => {
    const filler = `2/16/2016 9:58:03 PM 0DF4 EVENT   ${'x'.repeat(1100)}`;
    const bytes = Buffer.from(`${Q('10.10.1.23', 'ee7f')}\n${filler}\r${R('10.10.1.23', 'ee7f', 'SERVFAIL')}\n`, 'latin1');
    const whole = scanWhole(bytes);
    assert.equal(whole.hits[0]!.rcode, 'SERVFAIL', 'the whole-buffer scan splits the stray CR');
    const outs = outcomesOverCuts(bytes);
    assert.equal(outs.length, 1, JSON.stringify(outs.map((o) => o.hits)));
  });

  it('a response on the last line, without a line end, is paired from the previous range too', () => {
    const q = Q('10.10.1.23', 'ee7f');
    const bytes = Buffer.from(`${q}\n${R('10.10.1.23', 'ee7f', 'NOERROR')}`, 'latin1');
    const path = writeLog(bytes);
    const whole = scanRanges(path, bytes.length, bytes.length + 1, 1 << 20);
    assert.equal(whole.hits[0]!.rcode, 'NOERROR');
    assert.deepEqual(scanRanges(path, bytes.length, q.length + 1, 1 << 20), whole);
  });

  it('a line longer than the read chunk is one unparsed line and scanning continues after it', () => {
    const long = `${Q('10.10.1.23', 'ee7f').slice(0, 40)}${'A'.repeat(3 * 1024 * 1024)}`;
    const bytes = Buffer.from(`${Q('10.10.1.23', 'aaaa')}\n${long}\n${Q('10.10.3.99', 'bbbb')}\n`, 'latin1');
    const path = writeLog(bytes);
    const res = scanFileRange({ kind: 'scan-range', path, fileIndex: 0, rangeIndex: 0, start: 0, end: bytes.length, lookahead: 0, maxSamples: 5 }, matcher, 1024 * 1024);
    assert.equal(res.counters.lines, 3);
    assert.equal(res.counters.unparsed, 1);
    assert.equal(res.counters.bytes, bytes.length);
    assert.deepEqual(res.hits.map((h) => [h.rangeLine, h.client]), [[1, '10.10.1.23'], [3, '10.10.3.99']]);
    assert.equal(res.samples.length, 1);
    assert.equal(res.samples[0]!.rangeLine, 2);
    assert.ok(res.samples[0]!.text.length < 1000, 'the sample is cut');
  });

  it('a last line longer than the chunk and without a line end is one unparsed line', () => {
    const bytes = Buffer.from(`${Q('10.10.1.23', 'aaaa')}\n${'B'.repeat(200_000)}`, 'latin1');
    const path = writeLog(bytes);
    for (const chunk of [1, 7, 4096, 65536]) {
      const res = scanFileRange({ kind: 'scan-range', path, fileIndex: 0, rangeIndex: 0, start: 0, end: bytes.length, lookahead: 0, maxSamples: 5 }, matcher, chunk);
      assert.equal(res.counters.lines, 2, `chunk ${chunk}`);
      assert.equal(res.counters.unparsed, chunk < Q('10.10.1.23', 'aaaa').length + 1 ? 2 : 1, `chunk ${chunk}`);
      assert.equal(res.counters.bytes, bytes.length);
    }
  });

  it('the rcode comes from the response to that client, xid and name, not from an upstream answer or another client', () => {
    const bytes = Buffer.from(
      [
        Q('10.10.1.23', 'ee7f'),
        packetLine({ time: TIMES[0]!, proto: 'UDP', dir: 'Rcv', ip: FORWARDER, xid: 'ee7f', response: true, opcode: 'Q', rcode: 'SERVFAIL', qtype: 'A', name: '(4)evil(2)pw(0)' }),
        R('10.10.3.99', 'ee7f', 'REFUSED'),
        R('10.10.1.23', '0a1b', 'REFUSED'),
        R('10.10.1.23', 'ee7f', 'REFUSED', '(7)notevil(2)pw(0)'),
        R('10.10.1.23', 'EE7F', 'NXDOMAIN', '(4)EVIL(2)PW(0)'),
        '',
      ].join('\r\n'),
      'latin1',
    );
    assert.deepEqual(scanWhole(bytes).hits.map((h) => h.rcode), ['NXDOMAIN']);
  });

  it('a retry with the same xid takes over: the response is paired with the latest query, however the file is cut', () => {
    // (A regression: with first-come pairing, the range holding only the first
    // query paired it in its lookahead and the range holding the retry paired
    // the retry too, so one response answered both.)
    const bytes = Buffer.from([Q('10.10.1.23', 'ee7f'), Q('10.10.1.23', 'ee7f'), R('10.10.1.23', 'ee7f', 'NXDOMAIN')].join('\n'), 'latin1');
    assert.deepEqual(scanWhole(bytes).hits.map((h) => h.rcode), [null, 'NXDOMAIN']);
    const path = writeLog(bytes);
    for (let rangeBytes = 1; rangeBytes <= bytes.length + 1; rangeBytes++) {
      assert.deepEqual(scanRanges(path, bytes.length, rangeBytes, 4096).hits.map((h) => h.rcode), [null, 'NXDOMAIN'], `ranges of ${rangeBytes} bytes`);
    }
    // answered before the retry: each query keeps its own response
    const answered = Buffer.from([Q('10.10.1.23', 'ee7f'), R('10.10.1.23', 'ee7f', 'SERVFAIL'), Q('10.10.1.23', 'ee7f'), R('10.10.1.23', 'ee7f', 'NOERROR'), ''].join('\n'), 'latin1');
    assert.deepEqual(scanWhole(answered).hits.map((h) => h.rcode), ['SERVFAIL', 'NOERROR']);
    const other = Buffer.from([Q('10.10.1.23', 'ee7f'), Q('10.10.3.99', 'ee7f'), R('10.10.1.23', 'ee7f', 'NXDOMAIN'), ''].join('\n'), 'latin1');
    assert.deepEqual(scanWhole(other).hits.map((h) => h.rcode), ['NXDOMAIN', null], 'another client\'s query takes nothing over');
  });

  it('ids and names are compared with one case rule (A-Z only) everywhere, so a non-ASCII id pairs the same however the file is cut', () => {
    // É (0xC9) and é (0xE9) are different ids: only A-Z fold, as in the matcher
    const bytes = Buffer.from([Q('10.10.1.23', '\xe9e7f'), Q('10.10.1.23', '\xC9E7F'), R('10.10.1.23', '\xe9e7f', 'NXDOMAIN')].join('\n'), 'latin1');
    assert.deepEqual(scanWhole(bytes).hits.map((h) => h.rcode), ['NXDOMAIN', null]);
    const path = writeLog(bytes);
    for (let rangeBytes = 1; rangeBytes <= bytes.length + 1; rangeBytes++) {
      assert.deepEqual(scanRanges(path, bytes.length, rangeBytes, 4096).hits.map((h) => h.rcode), ['NXDOMAIN', null], `ranges of ${rangeBytes} bytes`);
    }
    // an id differing only in A-Z case is the same id: the retry takes over
    const upper = Buffer.from([Q('10.10.1.23', 'ee7f'), Q('10.10.1.23', 'EE7F'), R('10.10.1.23', 'ee7f', 'NXDOMAIN')].join('\n'), 'latin1');
    assert.deepEqual(scanWhole(upper).hits.map((h) => h.rcode), [null, 'NXDOMAIN']);
  });

  it('a line too long for the read buffer in the lookahead is one line, and pairing goes on after it, as in a single range', () => {
    const long = `2/16/2016 10:05:00 PM 0E24 EVENT ${'x'.repeat(700)}`;
    const bytes = Buffer.from([Q('10.10.1.23', 'ee7f'), long, R('10.10.1.23', 'ee7f', 'NXDOMAIN'), ''].join('\n'), 'latin1');
    const path = writeLog(bytes);
    const chunk = 256;
    const whole = scanRanges(path, bytes.length, bytes.length + 1, chunk);
    assert.deepEqual(whole.hits.map((h) => h.rcode), ['NXDOMAIN']);
    assert.deepEqual(whole.unparsedLines, [2], 'the long line is one unparsed line');
    for (let rangeBytes = 1; rangeBytes <= bytes.length + 1; rangeBytes += 7) {
      assert.deepEqual(scanRanges(path, bytes.length, rangeBytes, chunk), whole, `ranges of ${rangeBytes} bytes`);
    }
  });

  it('a forwarder is never a client, and a Details dump never produces a hit', () => {
    const bytes = Buffer.from(
      [
        packetLine({ time: TIMES[0]!, proto: 'UDP', dir: 'Snd', ip: FORWARDER, xid: 'c32d', response: false, opcode: 'Q', rcode: 'NOERROR', qtype: 'A', name: '(4)evil(2)pw(0)' }),
        'UDP question info at 000000C68BA9C88D',
        '    Name      "(4)evil(2)pw(0)"',
        '',
        packetLine({ time: TIMES[0]!, proto: 'UDP', dir: 'Rcv', ip: FORWARDER, xid: 'c32d', response: true, opcode: 'Q', rcode: 'NXDOMAIN', qtype: 'A', name: '(4)evil(2)pw(0)' }),
        packetLine({ time: TIMES[0]!, proto: 'UDP', dir: 'Rcv', ip: '10.10.4.5', xid: '72e2', response: false, opcode: 'U', rcode: 'NOERROR', qtype: 'SOA', name: '(4)evil(2)pw(0)' }),
        '',
      ].join('\r\n'),
      'latin1',
    );
    const o = scanWhole(bytes);
    assert.deepEqual(o.hits, []);
    assert.equal(o.counters.clientQueries, 0);
    assert.equal(o.counters.records, 3);
  });

  it('a SIEM copy with a dotted name is matched like the wire form', () => {
    const siem = '4/15/2014 3:16:00 PM 0710 PACKET  0000000028FB94C0 UDP Rcv 69.160.33.71    8857   Q [0001   D   NOERROR] A      .ns1.EVIL.pw.';
    const o = scanWhole(Buffer.from(`${siem}\n`, 'latin1'));
    assert.deepEqual(o.hits.map((h) => [h.client, h.qname, h.indicator]), [['69.160.33.71', 'ns1.evil.pw', 'evil.pw']]);
  });

  it('a query whose name has more labels than DNS allows is counted once, as unparsed, not also as a record', () => {
    const name = `${'(1)a'.repeat(130)}(4)evil(2)pw(0)`;
    const o = scanWhole(Buffer.from(`${Q('10.10.1.23', 'ee7f', name)}\n`, 'latin1'));
    assert.deepEqual(o.hits, []);
    const c = o.counters;
    assert.equal(c.lines, 1);
    assert.equal(c.unparsed, 1);
    assert.equal(c.records + c.events + c.skipped + c.unparsed, c.lines);
  });

  it('unparsed samples are bounded, cut, and escape control bytes', () => {
    const s = new RangeScanner(matcher, 2);
    const bytes = Buffer.from(`\u00ffa\u0000b\u001b\n${'garbage '.repeat(100)}\ngarbage\n`, 'latin1');
    s.feedLines(bytes, 0, bytes.length);
    assert.equal(s.counters.unparsed, 3);
    assert.equal(s.samples.length, 2);
    assert.ok(!/[\u0000-\u0008\u001b]/.test(s.samples[0]!.text), JSON.stringify(s.samples[0]!.text));
    assert.ok(s.samples[1]!.text.length <= 210, `${s.samples[1]!.text.length}`);
  });
});
