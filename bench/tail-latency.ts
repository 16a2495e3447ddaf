/**
 * `dnshunt tail` as a whole process, against the issue's two targets:
 *
 *  1. latency: a matching line appended to the log reaches the JSON lines
 *     sink within 2 s with the default poll (1 s);
 *  2. throughput: a writer appends 50,000 records a second for 10 s; tail keeps
 *     up (its checkpoint catches the writer within a poll or two of the end)
 *     with flat memory (RSS sampled every 500 ms).
 *
 * Before timing anything it checks that every matching line written was
 * alerted exactly once. Linux only for RSS/CPU (read from /proc).
 *
 *     npx tsc -p . && node dist/bench/tail-latency.js [--rate 50000] [--seconds 10] [--samples 20] [--poll 1s]
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkpointPathFor } from '../src/tail/index.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
/** The Locky v1 name of 2016-02-16; the log's dates are that day so the DGA set covers it. */
const MATCH = 'fnarsipfqe.pw';
/** How often the writer appends (ms): the rate is spread over these ticks. */
const WRITE_TICK_MS = 100;
/** RSS / checkpoint sampling period, ms. */
const SAMPLE_MS = 500;
/** One matching record per this many records in the throughput run. */
const MATCH_EVERY = 10_000;
/** Longest wait for anything, ms: a bench never hangs. */
const WAIT_LIMIT_MS = 60_000;
/** Latency samples are spaced by this much plus a random part, so they fall anywhere in the poll cycle. */
const LATENCY_GAP_MS = 300;

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '50000' },
    seconds: { type: 'string', default: '10' },
    samples: { type: 'string', default: '20' },
    poll: { type: 'string', default: '1s' },
  },
});
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const SAMPLES = Number(args.samples);

function wire(name: string): string {
  return `${name.split('.').map((l) => `(${l.length})${l}`).join('')}(0)`;
}

function timeText(second: number): string {
  const s = 22 * 3600 + second; // from 10 PM on 2016-02-16
  const h = Math.floor(s / 3600) % 24;
  const hh = h % 12 === 0 ? 12 : h % 12;
  return `2/16/2016 ${hh}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`;
}

/** A query record and its blank line (2 lines), as the server writes them. */
function record(time: string, client: string, name: string, xid: number): string {
  return `${time} 0E24 PACKET  0000009AC98841A0 UDP Rcv ${client.padEnd(15)} ${(xid & 0xffff).toString(16).padStart(4, '0')}   Q [0001   D   NOERROR] A      ${wire(name)}\r\n\r\n`;
}

async function until(done: () => boolean, what: string): Promise<void> {
  const stop = Date.now() + WAIT_LIMIT_MS;
  while (!done()) {
    if (Date.now() > stop) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** User+system CPU seconds of a process (clock ticks assumed 100/s, the Linux default). */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function jsonlClients(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { client: string }).client);
}

async function startTail(log: string, state: string, jsonl: string): Promise<{ child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'tail', '--poll', args.poll!, '--jsonl', jsonl, '--state-dir', state, log], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await until(() => /following /.test(err) && existsSync(checkpointPathFor(state, log)), 'tail to start');
  return { child, stderr: () => err };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  child.kill('SIGTERM');
  return exited;
}

function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function latency(dir: string): Promise<void> {
  const log = join(dir, 'latency.log');
  const jsonl = join(dir, 'latency.jsonl');
  writeFileSync(log, `DNS Server log file creation at ${timeText(0)}\r\n\r\n`, 'latin1');
  const { child } = await startTail(log, join(dir, 'latency-state'), jsonl);
  const ms: number[] = [];
  try {
    for (let i = 0; i < SAMPLES; i++) {
      await new Promise((r) => setTimeout(r, LATENCY_GAP_MS + Math.random() * LATENCY_GAP_MS));
      const client = `10.9.${Math.floor(i / 250)}.${i % 250}`;
      const t0 = performance.now();
      appendFileSync(log, record(timeText(i), client, MATCH, i), 'latin1');
      await until(() => jsonlClients(jsonl).includes(client), `alert ${i}`);
      ms.push(performance.now() - t0);
    }
  } finally {
    assert.equal(await stop(child), 0);
  }
  assert.equal(jsonlClients(jsonl).length, SAMPLES, 'every line alerted exactly once');
  ms.sort((a, b) => a - b);
  console.log(`latency (append -> jsonl, poll ${args.poll}, ${SAMPLES} samples): p50 ${pct(ms, 50).toFixed(0)} ms, p95 ${pct(ms, 95).toFixed(0)} ms, max ${ms[ms.length - 1]!.toFixed(0)} ms`);
}

async function throughput(dir: string): Promise<void> {
  const log = join(dir, 'load.log');
  const state = join(dir, 'load-state');
  const jsonl = join(dir, 'load.jsonl');
  writeFileSync(log, `DNS Server log file creation at ${timeText(0)}\r\n\r\n`, 'latin1');
  const { child } = await startTail(log, state, jsonl);
  const pid = child.pid!;
  const cp = checkpointPathFor(state, log);
  const offset = (): number => (JSON.parse(readFileSync(cp, 'utf8')) as { offset: number }).offset;
  const rss: number[] = [];
  const lag: number[] = [];
  const sampler = setInterval(() => {
    rss.push(rssMiB(pid));
    lag.push(statSync(log).size - offset());
  }, SAMPLE_MS);
  const perTick = Math.round((RATE * WRITE_TICK_MS) / 1000);
  const ticks = Math.round((SECONDS * 1000) / WRITE_TICK_MS);
  let n = 0;
  let matches = 0;
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  try {
    for (let t = 0; t < ticks; t++) {
      let chunk = '';
      const time = timeText(100 + Math.floor((t * WRITE_TICK_MS) / 1000));
      for (let i = 0; i < perTick; i++, n++) {
        if (n % MATCH_EVERY === 0) {
          chunk += record(time, `10.8.${Math.floor(matches / 250)}.${matches % 250}`, MATCH, n);
          matches++;
        } else chunk += record(time, `10.7.${(n >> 8) & 0xff}.${n & 0xff}`, `host${n % 5000}.example.com`, n);
      }
      appendFileSync(log, chunk, 'latin1');
      const due = t0 + (t + 1) * WRITE_TICK_MS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const writeSeconds = (performance.now() - t0) / 1000;
    const size = statSync(log).size;
    await until(() => offset() === size, 'tail to catch up');
    const caughtUp = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(pid) - cpu0;
    clearInterval(sampler);
    const alerted = jsonlClients(jsonl);
    assert.equal(alerted.length, matches, 'every matching record alerted exactly once');
    assert.equal(new Set(alerted).size, matches);
    const mb = size / 1e6;
    console.log(
      `throughput: ${n} records (${2 * n} lines, ${mb.toFixed(0)} MB) written in ${writeSeconds.toFixed(1)} s ` +
        `(${Math.round(n / writeSeconds)} records/s, ${(mb / writeSeconds).toFixed(1)} MB/s); tail caught up ${(caughtUp - writeSeconds).toFixed(2)} s after the writer stopped; ` +
        `max lag while writing ${(Math.max(...lag) / 1e6).toFixed(1)} MB; tail CPU ${cpu.toFixed(1)} s (${((100 * cpu) / caughtUp).toFixed(0)}% of one core)`,
    );
    console.log(`tail RSS MiB every ${SAMPLE_MS} ms: ${rss.map((r) => r.toFixed(0)).join(' ')}`);
    console.log(`lag MB (log size - checkpoint) every ${SAMPLE_MS} ms: ${lag.map((l) => (l / 1e6).toFixed(1)).join(' ')}`);
  } finally {
    clearInterval(sampler);
    assert.equal(await stop(child), 0);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'dnshunt-tail-bench-'));
try {
  await latency(dir);
  await throughput(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
