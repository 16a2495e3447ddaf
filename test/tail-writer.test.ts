/**
 * A writer that behaves like the DNS server (keeps its own handle, appends in
 * pieces, truncates in place and writes a new header when it wraps) works on
 * the file while a tailer runs its poll loop: every generation's hits are
 * alerted, and between polls the tailer holds no handle on the file.
 */
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync, readdirSync, readlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from './helpers.js';
import { LOCKY_V1_0216, T0, header, openHarness, query, until } from './tail-harness.js';

/** Paths the process (main thread and workers) has open, except on fd `except`, where the platform can tell (Linux). */
function openPaths(except = -1): string[] | null {
  try {
    return readdirSync('/proc/self/fd').flatMap((fd) => {
      if (Number(fd) === except) return [];
      try {
        return [readlinkSync(`/proc/self/fd/${fd}`)];
      } catch {
        return [];
      }
    });
  } catch {
    return null;
  }
}

/** Writer generations (wraps) in the test. */
const GENERATIONS = 6;

describe('tail: a concurrent writer', () => {
  it('can truncate and rewrite the file under a running tail; every generation is alerted', async () => {
    const tmp = tempDir('dnshunt-tail-writer-');
    const log = join(tmp.dir, 'dns.log');
    // The "DNS server" opens its log once and keeps it open, as the real one does.
    const fd = openSync(log, 'w+');
    let pos = 0;
    const write = (text: string): void => {
      pos += writeSync(fd, Buffer.from(text, 'latin1'), 0, text.length, pos);
    };
    write(header('2/16/2016 10:00:00 PM'));
    const h = await openHarness(log, join(tmp.dir, 'state'));
    const ac = new AbortController();
    let sleeps = 0;
    const heldBetweenPolls: string[] = [];
    const running = h.tailer.run({
      signal: ac.signal,
      pollMs: 5,
      sleep: async (ms) => {
        sleeps++;
        const open = openPaths(fd); // the writer's own handle is not the tailer's
        if (open?.includes(log) === true) heldBetweenPolls.push(`sleep ${sleeps}`);
        await new Promise((r) => setTimeout(r, ms));
      },
    });
    try {
      for (let g = 1; g <= GENERATIONS; g++) {
        if (g > 1) {
          // Wrap: cut the file under the reader and start again with a new header.
          ftruncateSync(fd, 0);
          pos = 0;
          write(header(`2/16/2016 10:${String(10 + g).padStart(2, '0')}:00 PM`, true));
        }
        const client = `10.5.0.${g}`;
        const line = query(T0, client, LOCKY_V1_0216);
        // Some noise, then the hit written in two pieces with a pause between them.
        for (let i = 0; i < 20; i++) write(query(T0, '10.5.1.1', `host${i}.example.com`));
        write(line.slice(0, 50));
        await new Promise((r) => setTimeout(r, 15));
        write(line.slice(50));
        assert.ok(await until(() => h.hits.some((x) => x.client === client), 10_000), `generation ${g} alerted (hits: ${h.hits.map((x) => x.client).join(',')}; log: ${h.logs.join(' | ')})`);
      }
    } finally {
      ac.abort();
      await running;
      closeSync(fd);
      await h.close();
      tmp.cleanup();
    }
    for (let g = 1; g <= GENERATIONS; g++) assert.equal(h.hits.filter((x) => x.client === `10.5.0.${g}`).length, 1, `generation ${g} alerted exactly once`);
    assert.ok(h.tailer.stats.restarts >= GENERATIONS - 1, `every wrap was noticed (${h.tailer.stats.restarts})`);
    assert.ok(sleeps > 0);
    if (openPaths() !== null) assert.deepEqual(heldBetweenPolls, [], 'no handle on the log between polls');
  });
});
