/**
 * `runScan` over a real piscina pool (worker threads loading the compiled
 * worker): for random multi-file logs, the hits (file, absolute line, rcode),
 * counters and unparsed samples are the same with 1 and 2 threads and any
 * range size, equal to an in-process whole-buffer scan of each file, and
 * handed back strictly in file order. Worker failures come back as errors
 * with their code.
 */
import assert from 'node:assert/strict';
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ErrorCode, type ScanCounters } from '../src/core/index.js';
import { NameMatcher, buildMatcher } from '../src/match/index.js';
import { RangeScanner, ScanPool, runScan, type RangeOutcome, type ScanInput } from '../src/scan/index.js';
import { tempDir } from './helpers.js';

const INDICATORS = ['evil.pw', 'fnarsipfqe.pw'];
const image = buildMatcher(INDICATORS, ['corp.example.com']);
const matcher = new NameMatcher(image, true);
const tmp = tempDir('dnshunt-scan-pool-');
let pool1: ScanPool;
let pool2: ScanPool;
before(() => {
  pool1 = new ScanPool(image, { threads: 1, stripPrivateSuffixes: true });
  pool2 = new ScanPool(image, { threads: 2, stripPrivateSuffixes: true });
});
after(async () => {
  await pool1?.close();
  await pool2?.close();
  tmp.cleanup();
});
let fileNo = 0;

function packet(dir: 'Snd' | 'Rcv', ip: string, xid: string, response: boolean, rcode: string, name: string): string {
  const flags = response ? `8081 A DR ${rcode.padStart(8)}` : `0001   D  ${rcode.padStart(8)}`;
  return `2/16/2016 10:05:00 PM 0E24 PACKET  000000FCF7C261D7 UDP ${dir} ${ip.padEnd(15)} ${xid} ${response ? 'R' : ' '} Q [${flags}] A      ${name}`;
}

const arbLine = fc.oneof(
  fc.record({ ip: fc.constantFrom('10.10.1.23', 'fd00:10:10:1::45'), xid: fc.constantFrom('ee7f', '0a1b'), name: fc.constantFrom('(4)evil(2)pw(0)', '(10)fnarsipfqe(2)pw(4)corp(5)local(0)', '(3)www(6)google(3)com(0)', '(7)notevil(2)pw(0)') }).map(({ ip, xid, name }) => packet('Rcv', ip, xid, false, 'NOERROR', name)),
  fc.record({ ip: fc.constantFrom('10.10.1.23', 'fd00:10:10:1::45'), xid: fc.constantFrom('ee7f', '0a1b'), rcode: fc.constantFrom('NXDOMAIN', 'NOERROR'), name: fc.constantFrom('(4)evil(2)pw(0)', '(10)fnarsipfqe(2)pw(4)corp(5)local(0)') }).map(({ ip, xid, rcode, name }) => packet('Snd', ip, xid, true, rcode, name)),
  fc.constant(packet('Snd', '192.168.0.1', 'c32d', false, 'NOERROR', '(4)evil(2)pw(0)')),
  fc.constant(''),
  fc.constant('2/16/2016 9:58:03 PM 0DF4 EVENT   The DNS server has started.'),
  fc.constant('DNS Server log file creation at 2/17/2016 3:00:00 AM'),
  fc.constant('  Socket = 696'),
  fc.constant('garbage \u0000\u00ff'),
);

const arbFile = fc
  .record({ lines: fc.array(fc.tuple(arbLine, fc.boolean()), { maxLength: 80 }), finalEol: fc.boolean() })
  .map(({ lines, finalEol }) => Buffer.from(lines.map(([l, crlf], i) => l + (i < lines.length - 1 || finalEol ? (crlf ? '\r\n' : '\n') : '')).join(''), 'latin1'));

interface Result {
  counters: ScanCounters;
  hits: string[];
  samples: string[];
  order: string[];
}

function writeInputs(files: readonly Buffer[]): ScanInput[] {
  return files.map((bytes) => {
    const path = join(tmp.dir, `f${fileNo++}.log`);
    writeFileSync(path, bytes);
    return { name: path, readPath: path, size: bytes.length };
  });
}

async function viaPool(pool: ScanPool, inputs: readonly ScanInput[], rangeBytes: number): Promise<Result> {
  const hits: string[] = [];
  const samples: string[] = [];
  const order: string[] = [];
  const counters = await runScan(inputs, pool, {
    rangeBytes,
    maxSamples: 1000,
    onResult: (o: RangeOutcome) => {
      order.push(`${o.fileIndex}:${o.result.rangeIndex}`);
      for (const h of o.result.hits) hits.push(`${o.input.name}:${o.lineOffset + h.rangeLine} ${h.client} ${h.qname} ${h.rcode} ${INDICATORS[h.indicatorId]} ${h.suffixStripped}`);
      for (const s of o.result.samples) samples.push(`${o.input.name}:${o.lineOffset + s.rangeLine} ${s.text}`);
    },
  });
  return { counters, hits, samples, order };
}

function inProcess(inputs: readonly ScanInput[], files: readonly Buffer[]): Omit<Result, 'order'> {
  const counters: ScanCounters = { bytes: 0, lines: 0, records: 0, clientQueries: 0, unparsed: 0, events: 0, skipped: 0 };
  const hits: string[] = [];
  const samples: string[] = [];
  files.forEach((bytes, i) => {
    const s = new RangeScanner(matcher, 1000);
    s.feedLines(bytes, 0, bytes.length);
    s.dropPending();
    for (const h of s.hits) hits.push(`${inputs[i]!.name}:${h.rangeLine} ${h.client} ${h.qname} ${h.rcode} ${INDICATORS[h.indicatorId]} ${h.suffixStripped}`);
    for (const x of s.samples) samples.push(`${inputs[i]!.name}:${x.rangeLine} ${x.text}`);
    for (const k of Object.keys(counters) as (keyof ScanCounters)[]) counters[k] += s.counters[k];
  });
  return { counters, hits, samples };
}

/** Range results must arrive in file order, then range order. */
function assertInOrder(order: readonly string[]): void {
  const keys = order.map((k) => k.split(':').map(Number) as [number, number]);
  for (let i = 1; i < keys.length; i++) {
    const [f0, r0] = keys[i - 1]!;
    const [f1, r1] = keys[i]!;
    assert.ok(f1 > f0 || (f1 === f0 && r1 === r0 + 1), `out of order: ${order.join(' ')}`);
  }
}

describe('runScan with a worker pool (property)', () => {
  it('1 and 2 threads, any range size: identical results, equal to an in-process whole-file scan', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbFile, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 4000 }), fc.integer({ min: 1, max: 4000 }), async (files, r1, r2) => {
        const inputs = writeInputs(files);
        try {
          const want = inProcess(inputs, files);
          const one = await viaPool(pool1, inputs, r1);
          const two = await viaPool(pool2, inputs, r2);
          assertInOrder(one.order);
          assertInOrder(two.order);
          assert.deepEqual({ counters: one.counters, hits: one.hits, samples: one.samples }, want, `1 thread, ranges of ${r1}`);
          assert.deepEqual({ counters: two.counters, hits: two.hits, samples: two.samples }, want, `2 threads, ranges of ${r2}`);
        } finally {
          for (const i of inputs) unlinkSync(i.readPath);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('many small ranges in flight: every range is handed back once, in order, with absolute line numbers', async () => {
    const line = packet('Rcv', '10.10.1.23', 'ee7f', false, 'NOERROR', '(4)evil(2)pw(0)');
    const bytes = Buffer.from(Array.from({ length: 500 }, (_, i) => (i % 50 === 7 ? line : 'garbage')).join('\r\n'), 'latin1');
    const inputs = writeInputs([bytes, bytes]);
    const r = await viaPool(pool2, inputs, 97);
    assertInOrder(r.order);
    assert.equal(r.counters.lines, 1000);
    const lines = r.hits.map((h) => Number(h.split(' ')[0]!.split(':').pop()));
    assert.deepEqual(lines, [...[8, 58, 108, 158, 208, 258, 308, 358, 408, 458], ...[8, 58, 108, 158, 208, 258, 308, 358, 408, 458]]);
  });

  it('an empty input list and empty files scan to zero counters', async () => {
    const none = await viaPool(pool1, [], 100);
    assert.equal(none.counters.lines, 0);
    const empty = await viaPool(pool1, writeInputs([Buffer.alloc(0)]), 100);
    assert.deepEqual(empty.counters, { bytes: 0, lines: 0, records: 0, clientQueries: 0, unparsed: 0, events: 0, skipped: 0 });
  });

  it('a worker that cannot read its range answers with a coded failure (data, not a crash), and the pool goes on', async () => {
    const missing = join(tmp.dir, 'does-not-exist.log');
    await assert.rejects(
      pool1.scan({ kind: 'scan-range', path: missing, fileIndex: 0, rangeIndex: 0, start: 0, end: 10, lookahead: 0, maxSamples: 1 }),
      (e: unknown) => {
        assert.equal((e as { code?: string }).code, ErrorCode.NO_SUCH_PATH);
        assert.match((e as Error).message, /does-not-exist\.log/);
        return true;
      },
    );
    const ok = await viaPool(pool1, writeInputs([Buffer.from('garbage\n', 'latin1')]), 100);
    assert.equal(ok.counters.unparsed, 1);
  });

  it('a file that vanished before the scan started is an error naming it, not a hang', async () => {
    const [input] = writeInputs([Buffer.from('garbage\n'.repeat(10), 'latin1')]);
    const gone = join(tmp.dir, 'vanished.log');
    await assert.rejects(runScan([{ ...input!, readPath: gone }], pool1, { onResult: () => undefined }), /vanished\.log/);
  });

  it('an error thrown by the result handler stops the scan and is passed on', async () => {
    const inputs = writeInputs([Buffer.from('garbage\n'.repeat(100), 'latin1')]);
    await assert.rejects(
      runScan(inputs, pool2, {
        rangeBytes: 10,
        onResult: () => {
          throw new Error('handler failed');
        },
      }),
      /handler failed/,
    );
    // The pool is still usable afterwards.
    const ok = await viaPool(pool2, inputs, 50);
    assert.equal(ok.counters.lines, 100);
  });
});
