/**
 * The tailer against real files and real worker threads: appends, partial
 * lines, wraps, recreation, disappearance, checkpoints and restarts.
 */
import assert from 'node:assert/strict';
import { readFileSync, renameSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../src/core/index.js';
import { lockyDomain, parseCivilDate, windowOf } from '../src/dga/index.js';
import { checkpointPathFor, loadCheckpoint } from '../src/tail/index.js';
import { tempDir } from './helpers.js';
import { LOCKY_V1_0216, T0, append, header, lineCount, openHarness, query, response } from './tail-harness.js';

const HEAD = header('2/16/2016 10:00:00 PM');
const HEAD_LINES = lineCount(HEAD);

describe('tail: following one file', () => {
  let tmp: { dir: string; cleanup: () => void };
  let n = 0;
  /** A fresh log path and state dir per test. */
  const paths = (): { log: string; state: string } => {
    n++;
    return { log: join(tmp.dir, `dns-${n}.log`), state: join(tmp.dir, `state-${n}`) };
  };
  before(() => {
    tmp = tempDir('dnshunt-tail-');
  });
  after(() => tmp.cleanup());

  it('alerts appended matching lines with their absolute line numbers', async () => {
    const { log, state } = paths();
    writeFileSync(log, HEAD + query(T0, '10.1.2.3', 'www.example.com'), 'latin1');
    const h = await openHarness(log, state);
    try {
      assert.equal((await h.tailer.poll()).status, 'batch');
      assert.equal(h.hits.length, 0);
      assert.equal((await h.tailer.poll()).status, 'idle');
      append(log, query(T0, '10.1.2.3', LOCKY_V1_0216) + response(T0, '10.1.2.3', LOCKY_V1_0216));
      assert.equal((await h.tailer.poll()).status, 'batch');
      assert.equal(h.hits.length, 1);
      const hit = h.hits[0]!;
      assert.equal(hit.client, '10.1.2.3');
      assert.equal(hit.indicator, LOCKY_V1_0216);
      assert.equal(hit.time, '2016-02-16T22:05:00');
      assert.equal(hit.line, HEAD_LINES + 3, 'line number counts the header and earlier lines');
      assert.equal(hit.rcode, 'NXDOMAIN', 'the response in the same batch gives the rcode');
      assert.match(hit.source, /locky-v1/);
    } finally {
      await h.close();
    }
  });

  it('a partial last line waits for its LF', async () => {
    const { log, state } = paths();
    writeFileSync(log, HEAD, 'latin1');
    const h = await openHarness(log, state);
    try {
      await h.tailer.drain();
      const line = query(T0, '10.9.9.9', LOCKY_V1_0216);
      const cut = line.indexOf(LOCKY_V1_0216.slice(0, 3));
      append(log, line.slice(0, cut));
      assert.equal((await h.tailer.poll()).status, 'idle');
      append(log, line.slice(cut, line.indexOf('\n')));
      assert.equal((await h.tailer.poll()).status, 'idle', 'still no LF (the CR alone does not end the line)');
      assert.equal(h.hits.length, 0);
      append(log, line.slice(line.indexOf('\n')));
      await h.tailer.drain();
      assert.equal(h.hits.length, 1);
      assert.equal(h.hits[0]!.qname, LOCKY_V1_0216, 'the name was not cut at the poll boundary');
      assert.equal(h.hits[0]!.line, HEAD_LINES + 1);
    } finally {
      await h.close();
    }
  });

  it('a wrap (truncated, new header) restarts at 0 and still alerts new hits', async () => {
    const { log, state } = paths();
    writeFileSync(log, HEAD + query(T0, '10.0.0.1', LOCKY_V1_0216).repeat(20), 'latin1');
    const h = await openHarness(log, state);
    try {
      await h.tailer.drain();
      assert.equal(h.hits.length, 20);
      // The server starts the file again: smaller than what was read, new header.
      writeFileSync(log, header('2/16/2016 11:00:00 PM', true) + query('2/16/2016 11:00:01 PM', '10.0.0.2', LOCKY_V1_0216), 'latin1');
      await h.tailer.drain();
      assert.equal(h.hits.length, 21);
      assert.equal(h.hits[20]!.client, '10.0.0.2');
      assert.equal(h.hits[20]!.line, lineCount(header('x', true)) + 1, 'line numbers restart with the file');
      assert.equal(h.logs.filter((l) => /truncated/.test(l)).length, 1);
      assert.equal(h.tailer.stats.restarts, 1);
    } finally {
      await h.close();
    }
  });

  it('a wrap that regrew past the old offset before the poll is found by its new header', async () => {
    const { log, state } = paths();
    writeFileSync(log, HEAD + query(T0, '10.0.0.1', LOCKY_V1_0216), 'latin1');
    const h = await openHarness(log, state);
    try {
      await h.tailer.drain();
      // Same inode, bigger than before, but it starts with a different header line.
      writeFileSync(log, header('2/16/2016 11:30:00 PM', true) + query('2/16/2016 11:30:01 PM', '10.0.0.3', LOCKY_V1_0216).repeat(5), 'latin1');
      await h.tailer.drain();
      assert.deepEqual(h.hits.map((x) => x.client), ['10.0.0.1', ...Array(5).fill('10.0.0.3')]);
      assert.equal(h.logs.filter((l) => /new header/.test(l)).length, 1);
    } finally {
      await h.close();
    }
  });

  it('a recreated file (rename away + new file) is picked up from its start', async () => {
    const { log, state } = paths();
    writeFileSync(log, HEAD + query(T0, '10.0.0.1', LOCKY_V1_0216).repeat(3), 'latin1');
    const h = await openHarness(log, state);
    try {
      await h.tailer.drain();
      renameSync(log, `${log}.old`);
      writeFileSync(log, header('2/16/2016 10:30:00 PM') + query('2/16/2016 10:30:05 PM', '10.0.0.4', LOCKY_V1_0216), 'latin1');
      await h.tailer.drain();
      assert.equal(h.hits.length, 4);
      assert.equal(h.hits[3]!.client, '10.0.0.4');
      assert.ok(h.logs.some((l) => /replaced by a new file/.test(l)), h.logs.join('\n'));
    } finally {
      await h.close();
    }
  });

  it('a deleted file: says so once, waits, resumes when it is back', async () => {
    const { log, state } = paths();
    writeFileSync(log, HEAD + query(T0, '10.0.0.1', LOCKY_V1_0216), 'latin1');
    const h = await openHarness(log, state);
    try {
      await h.tailer.drain();
      unlinkSync(log);
      for (let i = 0; i < 5; i++) assert.equal((await h.tailer.poll()).status, 'missing');
      assert.equal(h.logs.filter((l) => /does not exist/.test(l)).length, 1, h.logs.join('\n'));
      writeFileSync(log, header('2/16/2016 10:40:00 PM') + query('2/16/2016 10:40:01 PM', '10.0.0.5', LOCKY_V1_0216), 'latin1');
      await h.tailer.drain();
      assert.deepEqual(h.hits.map((x) => x.client), ['10.0.0.1', '10.0.0.5']);
      assert.equal(h.logs.filter((l) => /is back/.test(l)).length, 1);
      // Gone again: said again (once).
      unlinkSync(log);
      await h.tailer.poll();
      await h.tailer.poll();
      assert.equal(h.logs.filter((l) => /does not exist/.test(l)).length, 2);
    } finally {
      await h.close();
    }
  });

  it('restart from the checkpoint: no re-alert, no skipped line, line numbers continue', async () => {
    const { log, state } = paths();
    writeFileSync(log, HEAD + query(T0, '10.0.0.1', LOCKY_V1_0216), 'latin1');
    const a = await openHarness(log, state);
    await a.tailer.drain();
    await a.close();
    assert.equal(a.hits.length, 1);
    // Written while no tailer runs, including a partial line.
    const more = query(T0, '10.0.0.6', LOCKY_V1_0216) + query(T0, '10.0.0.7', LOCKY_V1_0216);
    append(log, more + query(T0, '10.0.0.8', LOCKY_V1_0216).slice(0, 30));
    const b = await openHarness(log, state, { startAt: 'end' });
    try {
      assert.equal(b.tailer.resumed, true);
      await b.tailer.drain();
      assert.deepEqual(b.hits.map((x) => [x.client, x.line]), [
        ['10.0.0.6', HEAD_LINES + 3],
        ['10.0.0.7', HEAD_LINES + 5],
      ]);
      append(log, query(T0, '10.0.0.8', LOCKY_V1_0216).slice(30));
      await b.tailer.drain();
      assert.deepEqual(b.hits.map((x) => x.client), ['10.0.0.6', '10.0.0.7', '10.0.0.8']);
    } finally {
      await b.close();
    }
    const cp = await loadCheckpoint(checkpointPathFor(state, log));
    assert.ok(cp);
    assert.equal(cp.offset, readFileSync(log).length);
    assert.equal(cp.lineNo, lineCount(readFileSync(log, 'latin1')));
  });

  it('a failing sink does not move the checkpoint: the batch is delivered again after a restart', async () => {
    const { log, state } = paths();
    writeFileSync(log, HEAD, 'latin1');
    const a = await openHarness(log, state);
    await a.tailer.drain();
    await a.close();
    const before = (await loadCheckpoint(a.tailer.checkpointFile))!.offset;
    append(log, query(T0, '10.0.0.9', LOCKY_V1_0216));
    const b = await openHarness(log, state, { failOnBatch: () => true });
    await assert.rejects(b.tailer.poll(), /sink failure/);
    await b.close();
    assert.equal((await loadCheckpoint(b.tailer.checkpointFile))!.offset, before);
    const c = await openHarness(log, state);
    try {
      await c.tailer.drain();
      assert.deepEqual(c.hits.map((x) => x.client), ['10.0.0.9']);
    } finally {
      await c.close();
    }
  });

  it('a second follower of the same file and state directory is refused', async () => {
    const { log, state } = paths();
    writeFileSync(log, HEAD, 'latin1');
    const a = await openHarness(log, state);
    try {
      await assert.rejects(openHarness(log, state), (e: unknown) => (e as { code?: string }).code === ErrorCode.STATE && /already followed by process/.test((e as Error).message));
    } finally {
      await a.close();
    }
    const b = await openHarness(log, state);
    await b.close();
  });

  it('a first run from the end skips what is there and numbers new lines right', async () => {
    const { log, state } = paths();
    const old = HEAD + query(T0, '10.0.0.1', LOCKY_V1_0216).repeat(10);
    writeFileSync(log, old + query(T0, '10.0.0.2', LOCKY_V1_0216).slice(0, 40), 'latin1');
    const h = await openHarness(log, state, { startAt: 'end' });
    try {
      await h.tailer.drain();
      assert.equal(h.hits.length, 0);
      assert.equal(h.tailer.checkpoint?.lineNo, lineCount(old));
      append(log, query(T0, '10.0.0.2', LOCKY_V1_0216).slice(40));
      await h.tailer.drain();
      assert.deepEqual(h.hits.map((x) => [x.client, x.line]), [['10.0.0.2', lineCount(old) + 1]], 'the partial line at the end is read once complete');
    } finally {
      await h.close();
    }
  });

  it('a first run from the end on a file that does not exist yet reads it from its start once it appears', async () => {
    const { log, state } = paths();
    const h = await openHarness(log, state, { startAt: 'end' });
    try {
      assert.equal((await h.tailer.poll()).status, 'missing');
      writeFileSync(log, HEAD + query(T0, '10.0.1.1', LOCKY_V1_0216), 'latin1');
      await h.tailer.drain();
      assert.deepEqual(h.hits.map((x) => x.client), ['10.0.1.1']);
      assert.ok(h.logs.some((l) => /created after tail started/.test(l)), h.logs.join('\n'));
    } finally {
      await h.close();
    }
  });

  it('results do not depend on the batch size (down to one line per batch) nor on parallel batches', async () => {
    const { log } = paths();
    let text = HEAD;
    for (let i = 0; i < 60; i++) {
      const client = `10.2.0.${i}`;
      text += i % 3 === 0 ? query(T0, client, LOCKY_V1_0216, (0x1000 + i).toString(16)) : query(T0, client, `host${i}.example.com`);
      if (i % 5 === 0) text += response(T0, client, LOCKY_V1_0216, (0x1000 + i).toString(16));
    }
    writeFileSync(log, text, 'latin1');
    const runs: string[] = [];
    const configs = [{ maxBatchBytes: 1 }, { maxBatchBytes: 333 }, { maxBatchBytes: 1 << 24 }, { maxBatchBytes: 500, threads: 2, batchesPerPoll: 4 }];
    for (const [i, cfg] of configs.entries()) {
      const h = await openHarness(log, join(tmp.dir, `state-batch-${i}`), cfg);
      try {
        await h.tailer.drain();
        runs.push(JSON.stringify(h.hits.map((x) => [x.client, x.line, x.qname])));
        assert.equal(h.tailer.checkpoint?.offset, text.length);
        assert.equal(h.tailer.checkpoint?.lineNo, lineCount(text));
      } finally {
        await h.close();
      }
    }
    assert.equal(JSON.parse(runs[0]!).length, 20);
    for (const r of runs) assert.equal(r, runs[0]);
  });

  it('a backlog cut into batches pairs a response as far away as a scan does (the lookahead is not the limit)', async () => {
    const { log } = paths();
    const first = HEAD + query(T0, '10.4.0.1', LOCKY_V1_0216, 'abcd');
    let filler = '';
    // ~2,000 records (4,000 lines with their blanks: inside the pairing window), ~300 KB
    for (let i = 0; i < 2000; i++) filler += query(T0, `10.9.${i >> 8}.${i & 255}`, `host${i}.example.com`, (0x2000 + i).toString(16));
    writeFileSync(log, first + filler + response(T0, '10.4.0.1', LOCKY_V1_0216, 'abcd', 'SERVFAIL'), 'latin1');
    assert.ok(filler.length > 256 * 1024, String(filler.length));
    const rcodes: (string | null)[][] = [];
    for (const [i, maxBatchBytes] of [1 << 24, first.length].entries()) {
      const h = await openHarness(log, join(tmp.dir, `state-far-${n}-${i}`), { maxBatchBytes });
      try {
        await h.tailer.drain();
        rcodes.push(h.hits.map((x) => x.rcode));
      } finally {
        await h.close();
      }
    }
    assert.deepEqual(rcodes, [['SERVFAIL'], ['SERVFAIL']]);
  });

  it('the DGA window rolls forward with the log dates', async () => {
    const { log, state } = paths();
    const later = parseCivilDate('2016-03-10');
    const laterName = lockyDomain('v1', null, windowOf(later), 0);
    writeFileSync(log, HEAD + query(T0, '10.3.0.1', LOCKY_V1_0216) + query(T0, '10.3.0.2', laterName), 'latin1');
    const h = await openHarness(log, state);
    try {
      await h.tailer.drain();
      assert.deepEqual(h.hits.map((x) => x.client), ['10.3.0.1'], 'the March name is not matched in February');
      append(log, query('3/10/2016 8:00:00 AM', '10.3.0.3', laterName) + query('3/10/2016 8:00:01 AM', '10.3.0.4', LOCKY_V1_0216));
      await h.tailer.drain();
      assert.deepEqual(h.hits.map((x) => x.client), ['10.3.0.1', '10.3.0.3'], 'the March name matches in March; the February name no longer');
      assert.equal(h.engine.compiles, 2);
      assert.ok(h.logs.some((l) => /recompiled for 2016-03-10 to 2016-03-11/.test(l)), h.logs.join('\n'));
    } finally {
      await h.close();
    }
  });

  it('an empty file that grows: nothing until the first complete line', async () => {
    const { log, state } = paths();
    writeFileSync(log, '');
    const h = await openHarness(log, state);
    try {
      assert.equal((await h.tailer.poll()).status, 'idle');
      append(log, HEAD.slice(0, 10));
      assert.equal((await h.tailer.poll()).status, 'idle');
      append(log, HEAD.slice(10) + query(T0, '10.4.0.1', LOCKY_V1_0216));
      await h.tailer.drain();
      assert.equal(h.hits.length, 1);
      truncateSync(log, 0);
      await h.tailer.poll();
      assert.equal(h.tailer.checkpoint?.offset, 0);
    } finally {
      await h.close();
    }
  });
});
