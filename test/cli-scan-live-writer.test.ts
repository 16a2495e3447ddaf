/**
 * The log is opened read-only and never locked: a child process keeps
 * appending records (as the DNS server does) while `dnshunt scan` reads the
 * same file. The scan completes with the planted clients, the writer never
 * fails, and the bytes appended during the scan are left for the next run.
 * No timing assertion: the writer is known to be writing before the scan
 * starts (it reports progress) and is stopped only after the scan ended; every
 * wait is bounded.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FIXTURES, runCli, tempDir } from './helpers.js';

const tmp = tempDir('dnshunt-live-writer-');
after(() => tmp.cleanup());

/** The writer: appends a client query + blank line per round through its own handle, reports each 50 rounds, stops on "stop". */
const WRITER = `
const fs = require('node:fs');
const path = process.argv[1];
const line = '2/17/2016 8:20:00 AM 0E24 PACKET  000000FCF7C261D7 UDP Rcv 10.99.0.1       ee7f   Q [0001   D   NOERROR] A      (10)fnarsipfqe(2)pw(0)\\r\\n\\r\\n';
let stop = false;
let rounds = 0;
process.stdin.on('data', (d) => { if (String(d).includes('stop')) stop = true; });
process.stdin.resume();
const fd = fs.openSync(path, 'a');
function round() {
  try {
    for (let i = 0; i < 20; i++) fs.writeSync(fd, line);
    fs.appendFileSync(path, line); // and through a fresh handle, as a second writer would
    rounds++;
    if (rounds % 50 === 0) process.stdout.write('rounds ' + rounds + '\\n');
  } catch (e) {
    process.stderr.write('write failed: ' + e.code + ' ' + e.message + '\\n');
    process.exit(3);
  }
  if (stop) {
    fs.closeSync(fd);
    process.stdout.write('done ' + rounds + '\\n');
    process.exit(0);
  }
  setImmediate(round);
}
round();
`;

function waitFor(child: ChildProcess, re: RegExp, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`writer did not print ${re} within ${ms} ms; saw: ${seen.slice(-200)}`)), ms);
    const onData = (d: Buffer): void => {
      seen += d.toString();
      const m = re.exec(seen);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(m[0]);
      }
    };
    child.stdout!.on('data', onData);
  });
}

function exitOf(child: ChildProcess, ms: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer did not stop within ${ms} ms`));
    }, ms);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('scanning a log that is being written', () => {
  it('completes while another process keeps appending, and the writer never fails', { timeout: 180_000 }, async () => {
    const log = join(tmp.dir, 'dns.log');
    copyFileSync(join(FIXTURES, 'sample-dns.log'), log);
    // Make the file big enough that the scan surely overlaps the writing (and spans several work units).
    const sample = readFileSync(join(FIXTURES, 'sample-dns.log'));
    for (let i = 0; i < 40; i++) appendFileSync(log, sample);
    const sizeBefore = statSync(log).size;

    const writer = spawn(process.execPath, ['-e', WRITER, log], { stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = exitOf(writer, 60_000);
    try {
      await waitFor(writer, /rounds \d+/, 30_000);
      const r = await runCli(['scan', '--quiet', '--format', 'json', '--threads', '2', '--chunk-size', '512KiB', log], { timeoutMs: 120_000 });
      assert.equal(r.code, 1, r.stderr);
      const rep = JSON.parse(r.stdout) as { clients: { client: string; queries: number }[]; stats: { bytes: number; unparsed: number } };
      // 41 copies of the sample: each planted client exactly 41 times its queries in one copy.
      const planted: Record<string, number> = { '10.10.1.23': 2, '10.10.3.99': 2, '10.10.1.57': 1, '10.10.2.8': 1, '10.10.3.14': 1, 'fd00:10:10:1::45': 1 };
      for (const [c, q] of Object.entries(planted)) assert.equal(rep.clients.find((x) => x.client === c)?.queries, 41 * q, c);
      assert.ok(rep.stats.bytes >= sizeBefore, `scanned ${rep.stats.bytes} of at least ${sizeBefore} bytes`);
      // Each appended line is one write(2); at most the very last line can be seen half-written.
      assert.ok(rep.stats.unparsed <= 1, `${rep.stats.unparsed} unparsed lines`);
      // The writer is still running after the scan: it was writing during the whole scan.
      assert.equal(writer.exitCode, null, 'the writer stopped before the scan ended');
    } finally {
      writer.stdin!.end('stop\n');
    }
    const w = await exited;
    assert.equal(w.code, 0, `writer failed: ${w.stderr}`);
    assert.equal(w.stderr, '');
    assert.ok(statSync(log).size > sizeBefore, 'the writer appended nothing');
  });
});
