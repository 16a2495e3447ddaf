/**
 * The scan workers started before the program is loaded: the thread-count
 * guess from argv, and the pool handed over (real worker threads) or closed.
 */
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { EarlyScanPool, guessScanThreads } from '../src/cli/early-pool.js';
import { buildMatcher } from '../src/match/index.js';
import { main } from '../src/cli/program.js';
import { ScanPool, runScan, type RangeOutcome } from '../src/scan/index.js';
import { CLI, runCli, tempDir } from './helpers.js';

const argv = (...args: string[]): string[] => ['node', 'dnshunt', ...args];
const tmp = tempDir('dnshunt-early-pool-');
after(() => tmp.cleanup());

describe('guessScanThreads', () => {
  it('reads --threads in both spellings, the last one winning, and defaults to the CPU count', () => {
    assert.equal(guessScanThreads(argv('scan', 'x.log')), availableParallelism());
    assert.equal(guessScanThreads(argv('scan', '--threads', '3', 'x.log')), 3);
    assert.equal(guessScanThreads(argv('scan', '--threads=5', 'x.log')), 5);
    assert.equal(guessScanThreads(argv('scan', '--threads=5', '--threads', '2', 'x.log')), 2);
  });

  it('gives up on help, version and a value commander will reject', () => {
    for (const a of [['scan', '--help'], ['scan', '-h'], ['help', 'scan'], ['scan', '-V'], ['scan', '--threads', '0', 'x'], ['scan', '--threads=two', 'x'], ['scan', 'x', '--threads']]) {
      assert.equal(guessScanThreads(argv(...a)), null, a.join(' '));
    }
  });

  it('does not read past --', () => {
    assert.equal(guessScanThreads(argv('scan', '--', '--threads=7')), availableParallelism());
  });
});

describe('EarlyScanPool', () => {
  const log = join(tmp.dir, 'one.log');
  writeFileSync(log, '2/16/2016 10:05:00 PM 0E24 PACKET  000000FCF7C261D7 UDP Rcv 10.10.1.23      ee7f   Q [0001   D   NOERROR] A      (4)evil(2)pw(0)\r\n');

  it('hands over its workers when the count matches, and they scan', async () => {
    const early = EarlyScanPool.start(argv('scan', '--threads', '1', log));
    assert.ok(early);
    const pool = await early.take(1);
    assert.ok(pool, 'the pool is handed over');
    assert.equal(await early.take(1), null, 'only once');
    try {
      pool.setMatcher(buildMatcher(['evil.pw']), true);
      const results: RangeOutcome[] = [];
      const counters = await runScan([{ name: log, readPath: log, size: statSync(log).size }], pool, { onResult: (o) => results.push(o) });
      assert.equal(counters.clientQueries, 1);
      assert.deepEqual(results.flatMap((r) => r.result.hits.map((h) => h.client)), ['10.10.1.23']);
    } finally {
      await pool.close();
      await early.close(); // nothing left to close: must not throw
    }
  });

  it('closes its workers when another count is asked for, and answers null', async () => {
    let made: ScanPool | null = null;
    const early = EarlyScanPool.start(argv('scan', '--threads=2', log), (threads) => (made = new ScanPool(null, { threads, stripPrivateSuffixes: true })));
    assert.ok(early && made !== null);
    assert.equal((made as ScanPool).threads, 2);
    assert.equal(await early.take(1), null);
    assert.equal((made as ScanPool).closed, true);
    assert.equal((made as ScanPool).loadedWorkers, 2, 'closing waited for both workers to load (stopping one mid-load can abort the process)');
  });

  it('is closed by the program when the command line is wrong (scan never runs)', async () => {
    let made: ScanPool | null = null;
    const args = argv('scan', '--format', 'nope', log);
    const early = EarlyScanPool.start(args, (threads) => (made = new ScanPool(null, { threads, stripPrivateSuffixes: true })));
    assert.ok(early && made !== null);
    assert.equal((made as ScanPool).closed, false);
    const stderrWrite = process.stderr.write;
    process.stderr.write = () => true; // commander's one line about --format
    let status: number;
    try {
      status = await main(args, early);
    } finally {
      process.stderr.write = stderrWrite;
    }
    assert.equal(status, 2);
    assert.equal((made as ScanPool).closed, true);
    assert.equal((made as ScanPool).loadedWorkers, (made as ScanPool).threads, 'its workers were let finish loading first');
  });

  it('is taken by the scan and closed when it ends', async () => {
    let made: ScanPool | null = null;
    const feed = join(tmp.dir, 'early-ioc.txt');
    writeFileSync(feed, 'evil.pw\n');
    const args = argv('scan', '--threads', '1', '--quiet', '--format', 'json', '--no-builtin', '--dga', 'none', '--no-cache', '--ioc', feed, log);
    const early = EarlyScanPool.start(args, (threads) => (made = new ScanPool(null, { threads, stripPrivateSuffixes: true })));
    assert.ok(early && made !== null);
    const stdoutWrite = process.stdout.write;
    let out = '';
    // the report is written as text; the test runner's own protocol goes through as bytes
    process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'string') return (stdoutWrite as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
      out += chunk;
      return true;
    }) as typeof process.stdout.write;
    let status: number;
    try {
      status = await main(args, early);
    } finally {
      process.stdout.write = stdoutWrite;
    }
    assert.equal(status, 1, out);
    assert.deepEqual((JSON.parse(out) as { clients: { client: string }[] }).clients.map((c) => c.client), ['10.10.1.23']);
    assert.equal((made as ScanPool).closed, true);
  });

  it('close waits for the replacement of a worker that died, and not for the dead one', async () => {
    const pool = new ScanPool(null, { threads: 2, stripPrivateSuffixes: true });
    // piscina's own threads, reached past ScanPool's privacy only here: this is what a crash looks like
    const threads = (): Worker[] => (pool as unknown as { pool: { threads: Worker[] } }).pool.threads;
    assert.ok(await poll(() => pool.loadedWorkers === 2), 'both workers loaded');
    const dead = threads()[0]!.threadId;
    await threads()[0]!.terminate();
    assert.ok(await poll(() => threads().length === 2 && !threads().some((w) => w.threadId === dead)), 'piscina started a replacement');
    await pool.close();
    assert.equal(pool.loadedWorkers, 3, 'the replacement had loaded before the pool stopped it');
  });

  it('starts nothing for help', () => {
    assert.equal(EarlyScanPool.start(argv('scan', '--help')), null);
  });
});

describe('dnshunt scan with an early pool', () => {
  it('exits after a usage error (the unused workers are closed) and scans with --threads in either spelling', async () => {
    const bad = await runCli(['scan', '--format', 'nope', log()], { cli: CLI, timeoutMs: 20_000 });
    assert.equal(bad.code, 2, bad.stderr);
    for (const t of [['--threads', '1'], ['--threads=2']]) {
      const r = await runCli(['scan', ...t, '--format', 'json', '--no-builtin', '--dga', 'none', '--ioc', ioc(), log()], { cli: CLI, timeoutMs: 20_000 });
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual((JSON.parse(r.stdout) as { clients: { client: string }[] }).clients.map((c) => c.client), ['10.10.1.23']);
    }
  });

  function log(): string {
    const p = join(tmp.dir, 'cli.log');
    writeFileSync(p, '2/16/2016 10:05:00 PM 0E24 PACKET  000000FCF7C261D7 UDP Rcv 10.10.1.23      ee7f   Q [0001   D   NOERROR] A      (4)evil(2)pw(0)\r\n');
    return p;
  }
  function ioc(): string {
    const p = join(tmp.dir, 'ioc.txt');
    writeFileSync(p, 'evil.pw\n');
    return p;
  }
});

/** Wait until `done()` (polling every 10 ms, at most 10 s); returns whether it came true. */
async function poll(done: () => boolean): Promise<boolean> {
  const stop = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > stop) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}
