/** The pure parts of tail: checkpoint files, the restart rules, the fingerprint, the DGA date window, the lock. */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../src/core/index.js';
import { prepareIndicators } from '../src/cli/indicators.js';
import {
  DateWindow,
  RECOMPILE_RETRY_MS,
  RollingPool,
  TailLock,
  checkpointPathFor,
  fingerprintOf,
  FINGERPRINT_BYTES,
  loadCheckpoint,
  restartReason,
  saveCheckpoint,
  shiftDate,
  type Checkpoint,
  type FileIdentity,
} from '../src/tail/index.js';
import { tempDir } from './helpers.js';

const CP: Checkpoint = { path: '/x/dns.log', dev: '10', ino: '12345678901234567890', birthtime: '0', size: 5000, offset: 4000, firstLineHash: 'abc', lineNo: 77 };
const ID: FileIdentity = { dev: '10', ino: '12345678901234567890', birthtime: '0', size: 6000, firstLineHash: 'abc' };

describe('tail units', () => {
  let tmp: { dir: string; cleanup: () => void };
  before(() => {
    tmp = tempDir('dnshunt-tail-units-');
  });
  after(() => tmp.cleanup());

  it('checkpoints round-trip exactly (inode numbers beyond 2^53 included) and leave no temporary file', async () => {
    const f = checkpointPathFor(join(tmp.dir, 'a'), '/x/dns.log');
    assert.match(f, /tail-[0-9a-f]{16}\.json$/);
    await saveCheckpoint(f, CP);
    assert.deepEqual(await loadCheckpoint(f), CP);
    await saveCheckpoint(f, { ...CP, offset: 4500, lineNo: 80 });
    assert.equal((await loadCheckpoint(f))?.offset, 4500);
    assert.deepEqual(readdirSync(join(tmp.dir, 'a')), [f.split('/').pop()]);
    assert.equal(await loadCheckpoint(join(tmp.dir, 'a', 'none.json')), null);
  });

  it('a corrupt or foreign checkpoint is an error, never a guess', async () => {
    const f = join(tmp.dir, 'bad.json');
    for (const text of ['{', '{"version":2}', JSON.stringify({ version: 1, ...CP, offset: -1 }), JSON.stringify({ version: 1, ...CP, ino: 5 })]) {
      writeFileSync(f, text);
      await assert.rejects(loadCheckpoint(f), (e: unknown) => (e as { code?: string }).code === ErrorCode.STATE);
    }
  });

  it('restart rules: replaced, truncated, new header; growth alone is not a restart', () => {
    assert.equal(restartReason(CP, ID), null);
    assert.equal(restartReason(CP, { ...ID, ino: '1' }), 'replaced');
    assert.equal(restartReason(CP, { ...ID, dev: '11' }), 'replaced');
    assert.equal(restartReason({ ...CP, birthtime: '5' }, { ...ID, birthtime: '6' }), 'replaced');
    assert.equal(restartReason({ ...CP, birthtime: '5' }, ID), null, 'an unknown birth time decides nothing');
    assert.equal(restartReason(CP, { ...ID, size: 3999 }), 'truncated');
    assert.equal(restartReason(CP, { ...ID, size: 4500 }), 'truncated', 'smaller than the size already seen');
    assert.equal(restartReason(CP, { ...ID, firstLineHash: 'def' }), 'new-header');
    assert.equal(restartReason(CP, { ...ID, firstLineHash: null }), 'new-header');
    assert.equal(restartReason({ ...CP, firstLineHash: null, offset: 0 }, { ...ID, firstLineHash: 'def' }), null);
  });

  it('the fingerprint covers the first line only, and waits for it to be complete', () => {
    const a = Buffer.from('DNS Server log file creation at 2/16/2016 10:00:00 PM\r\n\r\nMessage');
    const b = Buffer.from('DNS Server log file creation at 2/16/2016 10:00:00 PM\r\n\r\nOther text');
    const c = Buffer.from('DNS Server log file creation at 2/16/2016 11:00:00 PM\r\n');
    assert.equal(fingerprintOf(a, a.length), fingerprintOf(b, b.length));
    assert.notEqual(fingerprintOf(a, a.length), fingerprintOf(c, c.length));
    assert.equal(fingerprintOf(a, 20), null);
    const long = Buffer.alloc(FINGERPRINT_BYTES + 10, 0x41);
    assert.equal(fingerprintOf(long, long.length), fingerprintOf(long, FINGERPRINT_BYTES));
  });

  it('the date window recompiles only when the dates leave it, and rolls forward', () => {
    const w = new DateWindow();
    const d = (s: string): { year: number; month: number; day: number } => {
      const [y, m, dd] = s.split('-').map(Number);
      return { year: y!, month: m!, day: dd! };
    };
    assert.equal(w.plan([]), null, 'no dates before the first compile: compile without DGA names');
    w.compiledFor(null);
    assert.equal(w.plan([]), undefined);
    const r = w.plan([d('2016-02-16'), d('2016-02-15')]);
    assert.deepEqual(r, { from: d('2016-02-15'), to: d('2016-02-17') });
    w.compiledFor(r!);
    assert.equal(w.plan([d('2016-02-17')]), undefined);
    assert.deepEqual(w.plan([d('2016-02-17'), d('2016-02-18')]), { from: d('2016-02-17'), to: d('2016-02-19') });
    assert.deepEqual(w.plan([d('2016-02-01')]), { from: d('2016-02-01'), to: d('2016-02-02') }, 'older dates (a replayed file) too');
    assert.deepEqual(shiftDate(d('2016-02-28'), 2), d('2016-03-01'));
    assert.deepEqual(shiftDate(d('2016-12-31'), 1), d('2017-01-01'));
  });

  it('a failing recompile keeps the current matcher, is told once, and is retried later', async () => {
    let t = 1_000;
    let fail = false;
    const logs: string[] = [];
    const pool = new RollingPool<number>({
      compile: (range) => {
        if (fail) throw new Error('feed unreadable');
        const p = prepareIndicators({ builtin: true, iocFiles: [], dgaSpecs: [], from: range?.from ?? null, to: range?.to ?? null, suffixes: [] });
        return { image: p.image, context: p.set.entries.length };
      },
      threads: 1,
      stripPrivateSuffixes: true,
      dateOrders: ['mdy'],
      log: (m) => logs.push(m),
      now: () => t,
    });
    try {
      await pool.prepare(['2/16/2016 10:00:00 PM']);
      assert.equal(pool.compiles, 1);
      fail = true;
      await pool.prepare(['3/10/2016 10:00:00 PM']);
      await pool.prepare(['3/10/2016 10:00:01 PM']);
      t += RECOMPILE_RETRY_MS;
      await pool.prepare(['3/10/2016 10:00:02 PM']);
      assert.equal(pool.compiles, 1, 'still the February matcher');
      assert.equal(logs.filter((l) => /recompiling the indicators failed/.test(l)).length, 1);
      assert.ok(pool.context > 0);
      fail = false;
      await pool.prepare(['3/10/2016 10:00:03 PM']);
      assert.equal(pool.compiles, 1, 'not before the retry time');
      t += RECOMPILE_RETRY_MS;
      await pool.prepare(['3/10/2016 10:00:04 PM']);
      assert.equal(pool.compiles, 2);
      assert.equal(pool.range?.from.month, 3);
    } finally {
      await pool.close();
    }
  });

  it('a stale lock (its process is gone) is taken over', async () => {
    const f = join(tmp.dir, 'stale.lock');
    // PID 2^22+ is above Linux's pid_max default and far beyond any live process in a test container.
    writeFileSync(f, JSON.stringify({ pid: 4_194_000, hostname: (await import('node:os')).hostname(), startedAt: 'then' }));
    const lock = await TailLock.acquire(f, 'x');
    await assert.rejects(TailLock.acquire(f, 'x'), (e: unknown) => (e as { code?: string }).code === ErrorCode.STATE);
    await lock.release();
    const again = await TailLock.acquire(f, 'x');
    await again.release();
  });
});
