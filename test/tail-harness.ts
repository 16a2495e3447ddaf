/**
 * Shared by the tail tests: log lines in the real Windows debug-log format, and
 * a tailer wired like the CLI wires it (real indicator set with the Locky DGA
 * names, real worker threads, real files), whose sink collects resolved hits.
 */
import { appendFileSync } from 'node:fs';
import type { HitRecord } from '../src/core/index.js';
import { prepareIndicators } from '../src/cli/indicators.js';
import { HitResolver } from '../src/cli/resolve-hits.js';
import { RollingPool, Tailer, type StartAt, type TailBatch, type TailerOptions } from '../src/tail/index.js';

/** The Locky v1 DGA name of 2016-02-16 (matched when the log's dates are around then). */
export const LOCKY_V1_0216 = 'fnarsipfqe.pw';
/** A log time on that day, in the en-US layout. */
export const T0 = '2/16/2016 10:05:00 PM';

/** `(10)fnarsipfqe(2)pw(0)`: a question name as the debug log writes it. */
export function wire(name: string): string {
  return `${name.split('.').map((l) => `(${l.length})${l}`).join('')}(0)`;
}

/** The header block a DNS server writes when it creates (or wraps) its log. */
export function header(time: string, wrapped = false): string {
  return [
    `DNS Server log file creation at ${time}`,
    ...(wrapped ? [`Log file wrap at ${time}`] : []),
    '',
    'Message logging key (for packets - other items use a subset of these fields):',
    '\tField #  Information         Values',
    '\t-------  -----------         ------',
    '\t   1     Date',
    '',
    '',
  ].join('\r\n');
}

/** A client query (`Rcv`, opcode Q) and the blank line after it, CRLF-terminated: two lines. */
export function query(time: string, client: string, name: string, xid = '2de6'): string {
  return `${time} 0E24 PACKET  0000009AC98841A0 UDP Rcv ${client.padEnd(15)} ${xid}   Q [0001   D   NOERROR] A      ${wire(name)}\r\n\r\n`;
}

/** The server's response to a client query and its blank line: two lines. */
export function response(time: string, client: string, name: string, xid = '2de6', rcode = 'NXDOMAIN'): string {
  return `${time} 0E24 PACKET  0000009AC98841A0 UDP Snd ${client.padEnd(15)} ${xid} R Q [8381   DR ${rcode.padStart(8)}] A      ${wire(name)}\r\n\r\n`;
}

/** Lines in a text (LF count). */
export function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Append `text` (latin1 bytes, as the server writes). */
export function append(path: string, text: string): void {
  appendFileSync(path, text, 'latin1');
}

/** A tailer wired like the CLI, collecting resolved hits and log lines. */
export interface TailHarness {
  tailer: Tailer;
  engine: RollingPool<{ resolver: HitResolver }>;
  hits: HitRecord[];
  logs: string[];
  /** Save the checkpoint and stop the workers. */
  close(): Promise<void>;
}

/** Build a harness for `path` with its checkpoint in `stateDir`. */
export async function openHarness(
  path: string,
  stateDir: string,
  opts: { startAt?: StartAt; maxBatchBytes?: number; threads?: number; batchesPerPoll?: number; failOnBatch?: () => boolean } = {},
): Promise<TailHarness> {
  const hits: HitRecord[] = [];
  const logs: string[] = [];
  const engine = new RollingPool<{ resolver: HitResolver }>({
    compile: (range) => {
      const p = prepareIndicators({ builtin: true, iocFiles: [], dgaSpecs: [], from: range?.from ?? null, to: range?.to ?? null, suffixes: [] });
      return { image: p.image, context: { resolver: new HitResolver(p.set, 'mdy', p.marginBackDays, p.marginForwardDays) } };
    },
    threads: opts.threads ?? 1,
    stripPrivateSuffixes: true,
    dateOrders: ['mdy'],
    log: (m) => logs.push(`info: ${m}`),
  });
  const o: TailerOptions = {
    path,
    stateDir,
    startAt: opts.startAt ?? 'start',
    engine,
    sink: {
      onBatch: async (b: TailBatch) => {
        if (opts.failOnBatch?.() === true) throw new Error('sink failure (test)');
        for (const raw of b.result.hits) {
          const h = engine.context.resolver.resolve(raw, 'dns.log', b.startLine + raw.rangeLine);
          if (h) hits.push(h);
        }
      },
    },
    log: { info: (m) => logs.push(`info: ${m}`), warn: (m) => logs.push(`warn: ${m}`) },
  };
  if (opts.maxBatchBytes !== undefined) o.maxBatchBytes = opts.maxBatchBytes;
  if (opts.batchesPerPoll !== undefined) o.batchesPerPoll = opts.batchesPerPoll;
  const tailer = await Tailer.open(o);
  return {
    tailer,
    engine,
    hits,
    logs,
    close: async () => {
      await tailer.close();
      await engine.close();
    },
  };
}

/** Poll until `done()` or `ms` elapsed; returns whether it became true. Every wait in the tests is bounded by this. */
export async function until(done: () => boolean, ms = 5_000, stepMs = 10): Promise<boolean> {
  const stop = Date.now() + ms;
  while (!done()) {
    if (Date.now() > stop) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return true;
}
