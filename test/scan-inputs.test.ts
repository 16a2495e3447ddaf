/**
 * Inputs and the pieces around the range scan: resolving paths (files,
 * directories walked for log names, .gz spooled, stdin spooled, coded errors),
 * head/tail date sampling, per-client aggregation, and the read-only,
 * never-locking way log files are opened.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { ErrorCode, type HitRecord } from '../src/core/index.js';
import { NameMatcher, buildMatcher } from '../src/match/index.js';
import { LineKind, PacketFields, parseWindowsLine } from '../src/parse/index.js';
import { ClientAggregator, InputSet, SAMPLE_BYTES, sampleFile, scanFileRange, splitRanges, summarizeDates } from '../src/scan/index.js';
import { FIXTURES, tempDir } from './helpers.js';

const tmp = tempDir('dnshunt-scan-inputs-');
after(() => tmp.cleanup());
let fileNo = 0;

function file(rel: string, content: string | Buffer): string {
  const p = join(tmp.dir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, content);
  return p;
}

async function rejectsWithCode(p: Promise<unknown>, code: string, mentions: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.equal((e as { code?: string }).code, code);
    assert.ok((e as Error).message.includes(mentions), `"${(e as Error).message}" does not name ${mentions}`);
    return true;
  });
}

const LOG = 'DNS Server log file creation at 2/16/2016 9:58:02 PM\r\n\r\n2/16/2016 10:05:00 PM 0E24 PACKET  000000FCF7C261D7 UDP Rcv 10.10.1.23      ee7f   Q [0001   D   NOERROR] A      (4)evil(2)pw(0)\r\n';

describe('InputSet.resolve', () => {
  it('takes a regular file as it is, with its size', async () => {
    const p = file('plain/dns.log', LOG);
    const set = await InputSet.resolve([p]);
    try {
      assert.deepEqual(set.inputs, [{ name: p, readPath: p, size: Buffer.byteLength(LOG) }]);
    } finally {
      set.cleanup();
    }
  });

  it('walks a directory recursively for log names, in sorted order, and ignores other files', async () => {
    const root = join(tmp.dir, 'tree');
    const want = [
      file('tree/a.log', LOG),
      file('tree/b.LOG', LOG),
      file('tree/c.log.1', LOG),
      file('tree/d.log.2016-02-16', LOG),
      file('tree/sub/dns.log', LOG),
      file('tree/sub/old.log.gz', gzipSync(Buffer.from(LOG))),
    ];
    file('tree/notes.txt', 'x');
    file('tree/dns.log.txt.bak/readme', 'x');
    file('tree/logfile', 'x');
    file('tree/x.logs', 'x');
    const set = await InputSet.resolve([root]);
    try {
      assert.deepEqual(set.inputs.map((i) => i.name), want);
      for (const i of set.inputs) assert.equal(readFileSync(i.readPath, 'latin1'), LOG, i.name);
    } finally {
      set.cleanup();
    }
  });

  it('a symlink to a log file inside a scanned directory is scanned, not silently skipped', async () => {
    const real = file('links/real/dns-2016.log', LOG);
    const dir = join(tmp.dir, 'links', 'scan');
    mkdirSync(dir, { recursive: true });
    fs.symlinkSync(real, join(dir, 'current.log'));
    const plain = file('links/scan/other.log', LOG);
    const set = await InputSet.resolve([dir]);
    try {
      assert.deepEqual(set.inputs.map((i) => i.name), [join(dir, 'current.log'), plain]);
    } finally {
      set.cleanup();
    }
  });

  it('spools a .gz input (by content, whatever its name) to a temporary file and removes it on cleanup', async () => {
    const gz = file('gz/dns.log.gz', gzipSync(Buffer.from(LOG)));
    const disguised = file('gz/disguised.log', gzipSync(Buffer.from(LOG)));
    const set = await InputSet.resolve([gz, disguised]);
    const spooled = set.inputs.map((i) => i.readPath);
    try {
      assert.deepEqual(set.inputs.map((i) => [i.name, i.size]), [[gz, Buffer.byteLength(LOG)], [disguised, Buffer.byteLength(LOG)]]);
      for (const p of spooled) {
        assert.notEqual(p, gz);
        assert.equal(readFileSync(p, 'latin1'), LOG);
      }
    } finally {
      set.cleanup();
      set.cleanup(); // twice is fine
    }
    for (const p of spooled) assert.ok(!existsSync(p), `${p} left behind`);
  });

  it('spools standard input for "-"', async () => {
    const set = await InputSet.resolve(['-'], Readable.from([Buffer.from(LOG.slice(0, 10)), Buffer.from(LOG.slice(10))]));
    try {
      assert.equal(set.inputs.length, 1);
      assert.equal(set.inputs[0]!.name, '-');
      assert.equal(readFileSync(set.inputs[0]!.readPath, 'latin1'), LOG);
    } finally {
      set.cleanup();
    }
  });

  it('a missing path is NO_SUCH_PATH naming the path', async () => {
    const p = join(tmp.dir, 'nope', 'dns.log');
    await rejectsWithCode(InputSet.resolve([p]), ErrorCode.NO_SUCH_PATH, p);
  });

  it('a directory without log files is NO_LOGS naming the directory', async () => {
    const d = join(tmp.dir, 'nologs');
    file('nologs/readme.txt', 'x');
    await rejectsWithCode(InputSet.resolve([d]), ErrorCode.NO_LOGS, d);
  });

  it('a corrupt .gz is BAD_GZIP naming the file, and nothing is left spooled', async () => {
    const good = gzipSync(Buffer.from(LOG.repeat(50)));
    const p = file('bad/corrupt.log.gz', good.subarray(0, Math.floor(good.length / 2)));
    await rejectsWithCode(InputSet.resolve([p]), ErrorCode.BAD_GZIP, p);
    const q = file('bad/garbled.log.gz', Buffer.concat([good.subarray(0, 10), Buffer.alloc(200, 0x41)]));
    await rejectsWithCode(InputSet.resolve([q]), ErrorCode.BAD_GZIP, q);
  });

  it('a device or other non-regular file is UNREADABLE naming it', async () => {
    await rejectsWithCode(InputSet.resolve(['/dev/null']), ErrorCode.UNREADABLE, '/dev/null');
  });

  it('an error on a later path removes what earlier paths spooled', async () => {
    const gz = file('cleanup/a.log.gz', gzipSync(Buffer.from(LOG)));
    // Spool into a private temporary directory so other processes' spools cannot interfere.
    const spoolRoot = join(tmp.dir, 'spool-root');
    mkdirSync(spoolRoot);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = spoolRoot;
    try {
      const ok = await InputSet.resolve([gz]);
      assert.equal(fs.readdirSync(spoolRoot).length, 1, 'the probe sees the spool directory');
      ok.cleanup();
      await assert.rejects(InputSet.resolve([gz, join(tmp.dir, 'missing.log')]));
      assert.deepEqual(fs.readdirSync(spoolRoot), []);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });
});

describe('sampleFile: AD domains from _msdcs lookups', () => {
  it('counts client queries naming _msdcs in the wire form, in upper case and in a collapsed dotted copy; not responses, not other labels', () => {
    const q = (ip: string, rq: string, name: string) => `2/16/2016 10:00:09 PM 0E24 PACKET  000000502BCE1672 UDP ${rq} ${ip.padEnd(15)} 2fbb ${rq === 'Snd' ? 'R' : ' '} Q [0001   D   NOERROR] SRV    ${name}\r\n`;
    const lines = [
      q('10.0.0.1', 'Rcv', '(5)_ldap(4)_tcp(2)dc(6)_msdcs(7)contoso(5)local(0)'),
      q('10.0.0.2', 'Rcv', '(5)_LDAP(4)_TCP(2)DC(6)_MSDCS(7)CONTOSO(5)LOCAL(0)'),
      '2/16/2016 10:00:10 PM 0E24 PACKET 000000502BCE1673 UDP Rcv 10.0.0.3 2fbc Q [0001 D NOERROR] SRV _ldap._tcp.dc._msdcs.fabrik.local\r\n',
      q('10.0.0.4', 'Snd', '(5)_ldap(4)_tcp(2)dc(6)_msdcs(7)ignored(5)local(0)'),
      q('10.0.0.5', 'Rcv', '(3)www(8)x_msdcsy(3)com(0)'),
      q('10.0.0.6', 'Rcv', '(3)www(7)example(3)com(0)'),
    ];
    const p = file('sample/msdcs.log', lines.join('\r\n'));
    const s = sampleFile(p, fs.statSync(p).size);
    assert.deepEqual([...s.adDomains].sort(), [['contoso.local', 2], ['fabrik.local', 1]]);
  });
});

describe('sampleFile / summarizeDates', () => {
  it('reads timestamps from the header and both ends of a big file, never the middle', () => {
    const head = 'DNS Server log file creation at 2/16/2016 9:58:02 PM\r\n\r\n';
    const half = '2/20/2016 10:00:00 PM 0E24 EVENT   middle\r\n'.repeat(Math.ceil((1.5 * SAMPLE_BYTES) / 44));
    const mid = `${half}3/30/2016 10:00:00 PM 0E24 EVENT   the very middle\r\n${half}`;
    const tail = '2/25/2016 10:00:00 PM 0E24 EVENT   last\r\n';
    const p = file('sample/big.log', head + mid + tail);
    const s = sampleFile(p, fs.statSync(p).size);
    assert.equal(s.head[0], '2/16/2016 9:58:02 PM');
    assert.equal(s.tail[s.tail.length - 1], '2/25/2016 10:00:00 PM');
    assert.ok(![...s.head, ...s.tail].includes('3/30/2016 10:00:00 PM'), 'the middle of the file was read');
    const d = summarizeDates([s], null);
    assert.deepEqual(d.from, { year: 2016, month: 2, day: 16 });
    assert.deepEqual(d.to, { year: 2016, month: 2, day: 25 });
    assert.equal(d.evidence.order, 'mdy');
    assert.equal(d.evidence.ambiguous, false);
  });

  it('a forced order wins over the sample', () => {
    const p = file('sample/dmy.log', '05/03/2019 16:05:31 0F9C EVENT   x\n06/03/2019 16:05:31 0F9C EVENT   y\n');
    const s = sampleFile(p, fs.statSync(p).size);
    assert.equal(summarizeDates([s], null).evidence.ambiguous, true);
    const forced = summarizeDates([s], 'dmy');
    assert.deepEqual(forced.evidence, { order: 'dmy', ambiguous: false, conflicting: false });
    assert.deepEqual(forced.from, { year: 2019, month: 3, day: 5 });
  });

  it('property: the timestamps are those of parsing every line (runs of one timestamp give one text), mixed layouts and damaged lines included', () => {
    const times = ['2/16/2016 10:00:09 PM', '2/16/2016', '2/16/2016 10:00:10 PM', '2/17/2016 1:00:00 AM', '2/16/2016 10:00:09', '16.02.2016 22:00:09'];
    const line = fc.oneof(
      fc.record({ t: fc.constantFrom(...times), tid: fc.constantFrom('0E24', '1A2B') }).map(({ t, tid }) => `${t} ${tid} PACKET  000000502BCE1672 UDP Rcv 10.0.0.1        2fbb   Q [0001   D   NOERROR] A      (3)www(7)example(3)com(0)`),
      // the same prefix through PACKET with damaged columns (no record), and a short one
      fc.record({ t: fc.constantFrom(...times), tid: fc.constantFrom('0E24', '1A2B') }).map(({ t, tid }) => `${t} ${tid} PACKET  zz`),
      fc.record({ t: fc.constantFrom(...times), tid: fc.constantFrom('0E24', '1A2B') }).map(({ t, tid }) => `${t} ${tid} PACKET `),
      fc.record({ t: fc.constantFrom(...times) }).map(({ t }) => `${t} 0DF4 EVENT   something happened`),
      fc.record({ t: fc.constantFrom(...times) }).map(({ t }) => `${t} garbage after a timestamp`),
      fc.record({ t: fc.constantFrom(...times) }).map(({ t }) => `${t}`),
      fc.constantFrom('', 'DNS Server log file creation at 2/15/2016 9:58:02 PM', '\tField #  Information', 'garbage'),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), fc.boolean(), (lines, crlf) => {
        const text = lines.join(crlf ? '\r\n' : '\n');
        const p = file(`sample/prop-${fileNo++}.log`, text);
        const s = sampleFile(p, fs.statSync(p).size);
        // the naive reading: parse every line, keep a timestamp when it differs from the last one parsed
        const want: string[] = [];
        const f = new PacketFields();
        let last: string | null = null;
        const buf = Buffer.from(text, 'latin1');
        let at = 0;
        for (const l of lines) {
          const end = at + Buffer.byteLength(l, 'latin1');
          const kind = parseWindowsLine(buf, at, end, f);
          if (kind === LineKind.PACKET || kind === LineKind.EVENT) {
            const t = buf.toString('latin1', f.timeStart, f.timeEnd);
            if (t !== last) want.push(t);
            last = t;
          } else if (l.startsWith('DNS Server log file creation at ')) want.push(l.slice('DNS Server log file creation at '.length).trim());
          at = end + (crlf ? 2 : 1);
        }
        assert.deepEqual(s.head, want);
      }),
      { numRuns: 600 },
    );
  });

  it('an empty file and a dateless file give no dates', () => {
    for (const content of ['', 'garbage\n\u0000\u0001']) {
      const p = file(`sample/none-${content.length}.log`, content);
      const d = summarizeDates([sampleFile(p, fs.statSync(p).size)], null);
      assert.equal(d.from, null);
      assert.equal(d.to, null);
    }
  });
});

function hit(client: string, time: string, qname: string, indicator: string, suffixStripped: string | null = null): HitRecord {
  return { time, client, qname, qtype: 'A', rcode: null, indicator, source: `src:${indicator}`, file: 'f', line: 1, suffixStripped };
}

describe('ClientAggregator', () => {
  it('counts per client and per (indicator, name), keeps first/last, sorts by queries then address', () => {
    const a = new ClientAggregator();
    a.add(hit('10.0.0.2', '2016-02-16T22:05:00', 'evil.pw', 'evil.pw'));
    a.add(hit('10.0.0.1', '2016-02-16T22:07:00', 'x.evil.pw', 'evil.pw'));
    a.add(hit('10.0.0.1', '2016-02-16T22:01:00', 'evil.pw', 'evil.pw'));
    a.add(hit('10.0.0.1', '2016-02-17T08:00:00', 'evil.pw', 'evil.pw'));
    a.add(hit('10.0.0.3', '2016-02-16T22:05:00', 'evil.pw.corp.local', 'evil.pw', 'corp.local'));
    a.add(hit('10.0.0.2', '2016-02-16T22:06:00', 'b.pw', 'b.pw'));
    assert.equal(a.size, 3);
    const c = a.clients();
    assert.deepEqual(c.map((x) => [x.client, x.queries, x.first, x.last]), [
      ['10.0.0.1', 3, '2016-02-16T22:01:00', '2016-02-17T08:00:00'],
      ['10.0.0.2', 2, '2016-02-16T22:05:00', '2016-02-16T22:06:00'],
      ['10.0.0.3', 1, '2016-02-16T22:05:00', '2016-02-16T22:05:00'],
    ]);
    assert.deepEqual(c[0]!.indicators.map((i) => [i.queried, i.count]), [['evil.pw', 2], ['x.evil.pw', 1]]);
    assert.deepEqual(c[1]!.indicators.map((i) => [i.indicator, i.count]), [['b.pw', 1], ['evil.pw', 1]]);
    assert.equal(c[2]!.indicators[0]!.suffixStripped, 'corp.local');
  });
});

describe('log files are opened read-only', () => {
  it('sampling, splitting and range scanning open the log with flag "r" only', async () => {
    const p = file('ro/dns.log', LOG.repeat(20));
    const opened: { path: string; flags: unknown }[] = [];
    const real = fs.openSync;
    (fs as { openSync: typeof fs.openSync }).openSync = ((path: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
      opened.push({ path: String(path), flags });
      return real(path, flags ?? 'r', mode);
    }) as typeof fs.openSync;
    syncBuiltinESMExports();
    try {
      const size = fs.statSync(p).size;
      const set = await InputSet.resolve([p]);
      set.cleanup();
      sampleFile(p, size);
      const fd = fs.openSync(p, 'r');
      const ranges = splitRanges(fd, size, 100);
      fs.closeSync(fd);
      const m = new NameMatcher(buildMatcher(['evil.pw']), true);
      let hits = 0;
      ranges.forEach((r, i) => {
        hits += scanFileRange({ kind: 'scan-range', path: p, fileIndex: 0, rangeIndex: i, start: r.start, end: r.end, lookahead: 1000, maxSamples: 1 }, m).hits.length;
      });
      assert.equal(hits, 20);
    } finally {
      (fs as { openSync: typeof fs.openSync }).openSync = real;
      syncBuiltinESMExports();
    }
    const ofLog = opened.filter((o) => o.path === p);
    assert.ok(ofLog.length >= 3, `only ${ofLog.length} opens of the log were seen: the probe is not working`);
    for (const o of ofLog) assert.ok(o.flags === 'r' || o.flags === undefined || o.flags === fs.constants.O_RDONLY, `opened with ${String(o.flags)}`);
  });

  it('the bundled sample log is a plain file the scanner reads without changing it', () => {
    const p = join(FIXTURES, 'sample-dns.log');
    const before = readFileSync(p);
    const m = new NameMatcher(buildMatcher(['fnarsipfqe.pw']), true);
    scanFileRange({ kind: 'scan-range', path: p, fileIndex: 0, rangeIndex: 0, start: 0, end: before.length, lookahead: 0, maxSamples: 1 }, m);
    assert.ok(readFileSync(p).equals(before));
  });
});
