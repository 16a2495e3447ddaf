/**
 * `dnshunt gen`: write a realistic Windows DNS debug log of a given size with
 * planted infected clients, its user feed (`FILE.ioc.txt`) and the expected
 * scan answer (`FILE.expected.json`) — input for benchmarks and end-to-end tests.
 *
 *     dnshunt gen --size 1GB --out bench/out/big.log --seed 7 --locale de-DE
 *
 * The generator (`src/gen`) is pure; this file does the I/O: the feed first,
 * the log through a temporary file with two alternating 4 MiB buffers (one is
 * filled while the other is being written, and a buffer is refilled only after
 * its write completed — back-pressure, flat memory), then the expected answer
 * last, so a complete `expected.json` means a complete log.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Command } from 'commander';
import { DnshuntError, ErrorCode } from '../core/index.js';
import { GEN_LOCALES, LogGenerator, formatBytes, isGenLocale, parseSize, parseStart } from '../gen/index.js';
import type { ExpectedAnswer, GenOptions } from '../gen/index.js';

/** Size of each of the two write buffers. */
const WRITE_BUFFER_BYTES = 4 * 1024 * 1024;
/** Defaults of the command's options. */
export const GEN_DEFAULTS = { seed: 1, locale: 'en-US', infected: 8, start: '2016-02-16T08:00:00', iocs: 1000 } as const;

/** Files written by one generation and what it took. */
export interface GeneratedFiles {
  log: string;
  iocFile: string;
  expectedFile: string;
  bytes: number;
  seconds: number;
  expected: ExpectedAnswer;
}

/** `FILE.ioc.txt` / `FILE.expected.json` for a log at `log`. */
export function companionPaths(log: string): { iocFile: string; expectedFile: string } {
  return { iocFile: `${log}.ioc.txt`, expectedFile: `${log}.expected.json` };
}

/**
 * Generate a log at `out` with its feed and expected answer (folders are
 * created). Throws DnshuntError USAGE for bad options, UNREADABLE when a file
 * cannot be written.
 */
export async function writeGeneratedLog(out: string, options: GenOptions): Promise<GeneratedFiles> {
  const started = process.hrtime.bigint();
  const { iocFile, expectedFile } = companionPaths(out);
  const gen = new LogGenerator(options);
  const tmp = `${out}.partial`;
  try {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(iocFile, gen.feedText());
    const fh = await open(tmp, 'w');
    try {
      const bufs = [Buffer.allocUnsafe(WRITE_BUFFER_BYTES), Buffer.allocUnsafe(WRITE_BUFFER_BYTES)];
      let pending: Promise<void> | null = null;
      for (let k = 0; ; k ^= 1) {
        const buf = bufs[k]!;
        // The write of this buffer from two rounds ago was awaited last round, so refilling it is safe.
        const n = gen.fill(buf);
        if (n === 0) break;
        if (pending !== null) await pending;
        pending = writeAll(fh, buf, n);
      }
      if (pending !== null) await pending;
    } finally {
      await fh.close();
    }
    await rename(tmp, out);
    const expected = gen.expected(basename(iocFile));
    writeFileSync(expectedFile, `${JSON.stringify(expected, null, 2)}\n`);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { log: out, iocFile, expectedFile, bytes: gen.bytes, seconds, expected };
  } catch (e) {
    await rm(tmp, { force: true });
    if (e instanceof DnshuntError) throw e;
    throw new DnshuntError(ErrorCode.UNREADABLE, `cannot write ${out}: ${(e as Error).message}`, e);
  }
}

async function writeAll(fh: import('node:fs/promises').FileHandle, buf: Buffer, n: number): Promise<void> {
  let off = 0;
  while (off < n) {
    const { bytesWritten } = await fh.write(buf, off, n - off);
    off += bytesWritten;
  }
}

/** Parse a whole number option ≥ `min` (USAGE error naming the option otherwise). */
export function wholeNumber(option: string, min = 0): (v: string) => number {
  return (v: string): number => {
    if (!/^\d+$/.test(v.trim()) || Number(v) < min || !Number.isSafeInteger(Number(v))) throw new DnshuntError(ErrorCode.USAGE, `${option} ${v}: expected a whole number >= ${min}`);
    return Number(v);
  };
}

/** Options of `gen` as commander hands them over. */
export interface GenCommandOptions {
  size: string;
  out: string;
  seed: number;
  locale: string;
  infected: number;
  start: string;
  iocs: number;
  qps?: number;
}

/** Validate the command's options into generator options (USAGE errors name the option). */
export function genOptionsFrom(o: GenCommandOptions): GenOptions {
  if (!isGenLocale(o.locale)) throw new DnshuntError(ErrorCode.USAGE, `--locale ${o.locale}: expected one of ${GEN_LOCALES.join(', ')}`);
  const base = { size: parseSize(o.size), seed: o.seed, locale: o.locale, infected: o.infected, startMs: parseStart(o.start), iocs: o.iocs };
  return o.qps === undefined ? base : { ...base, qps: o.qps };
}

/** Add `gen` to the program. */
export function registerGenCommand(program: Command): Command {
  return program
    .command('gen')
    .description('write a realistic Windows DNS debug log with planted infected clients, its feed (FILE.ioc.txt) and the expected answer (FILE.expected.json)')
    .requiredOption('--size <size>', 'target size: 500MB, 1GB (powers of 1000) or 512MiB, 2GiB (powers of 1024)')
    .requiredOption('--out <file>', 'log file to write (folders are created)')
    .option('--seed <n>', 'seed: the same seed gives the same bytes', wholeNumber('--seed'), GEN_DEFAULTS.seed)
    .option('--locale <locale>', `date layout: ${GEN_LOCALES.join(', ')}`, GEN_DEFAULTS.locale)
    .option('--infected <n>', 'infected clients to plant', wholeNumber('--infected'), GEN_DEFAULTS.infected)
    .option('--start <time>', 'local time of the first line', GEN_DEFAULTS.start)
    .option('--iocs <n>', 'indicators in the user feed FILE.ioc.txt', wholeNumber('--iocs'), GEN_DEFAULTS.iocs)
    .option('--qps <n>', 'client queries per second (sets how many days the log spans)', wholeNumber('--qps', 1))
    .addHelpText('after', `
Examples:
  dnshunt gen --size 1GB --out bench/out/1GB.log
  dnshunt gen --size 20MB --out /tmp/de.log --locale de-DE --infected 3 --start 2016-03-24T09:00:00`)
    .action(async (o: GenCommandOptions) => {
      const r = await writeGeneratedLog(o.out, genOptionsFrom(o));
      const mbps = r.bytes / 1e6 / Math.max(r.seconds, 1e-9);
      process.stdout.write(
        `wrote ${r.log} (${formatBytes(r.bytes)}, ${r.expected.from} … ${r.expected.to}) in ${r.seconds.toFixed(1)} s (${mbps.toFixed(0)} MB/s)\n` +
          `      ${r.iocFile} (${o.iocs} indicators)\n` +
          `      ${r.expectedFile} (${r.expected.clients.length} infected clients, ${r.expected.planted.length} planted queries, ${r.expected.decoys.length} decoys)\n`,
      );
    });
}
