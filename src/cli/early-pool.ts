/**
 * Start `scan`'s worker threads before the rest of the program is loaded.
 *
 * A worker takes ~100 ms of CPU to boot (Node's own start-up, piscina's
 * harness, the scan code). Started where `scan` used to start them, after
 * commander and the scan modules were loaded, they competed with the sampling
 * and matcher compile for the two CPUs while one CPU had sat idle during the
 * module loading. Started here, they boot on that idle CPU.
 *
 * The thread count is read from argv by hand only as a guess: commander stays
 * the authority. When its answer differs, or `scan` never runs (a usage error),
 * the early pool is closed unused.
 */
import { availableParallelism } from 'node:os';
// Imported directly, not through scan/index: that would load the parser and
// matcher modules (and the Public Suffix List) before the threads start.
import { ScanPool } from '../scan/pool.js';

/** A --threads value above this is not started early (commander may still reject the command line). */
const MAX_EARLY_THREADS = 256;
/** Arguments that make the program print help or its version instead of scanning. */
const HELP_WORDS = new Set(['-h', '--help', 'help', '-V', '--version']);

/**
 * The worker count `scan` will ask for, judged from `argv` (process.argv
 * layout), or null when it cannot be told cheaply or no scan will run: help,
 * or a `--threads` value commander will reject.
 */
export function guessScanThreads(argv: readonly string[]): number | null {
  let threads = availableParallelism();
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (HELP_WORDS.has(a)) return null;
    let value: string | undefined;
    if (a === '--threads') value = argv[++i];
    else if (a.startsWith('--threads=')) value = a.slice('--threads='.length);
    else continue;
    if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_EARLY_THREADS) return null;
    threads = Number(value);
  }
  return threads;
}

/** Worker threads started ahead of `scan`; whoever runs the scan takes them, the rest is closed. */
export class EarlyScanPool {
  private pool: ScanPool | null;

  private constructor(pool: ScanPool) {
    this.pool = pool;
  }

  /**
   * Start the workers when `argv` is a scan that will need them; null
   * otherwise. `make` builds the pool (tests pass one that records it).
   */
  static start(argv: readonly string[], make: (threads: number) => ScanPool = (threads) => new ScanPool(null, { threads, stripPrivateSuffixes: true })): EarlyScanPool | null {
    const threads = guessScanThreads(argv);
    if (threads === null) return null;
    // Suffix stripping is told with the matcher (setMatcher), once the options are parsed.
    return new EarlyScanPool(make(threads));
  }

  /**
   * The early pool when it has `threads` workers (it is then the caller's to
   * close), else null; either way it can be taken only once.
   */
  async take(threads: number): Promise<ScanPool | null> {
    const pool = this.pool;
    this.pool = null;
    if (pool === null) return null;
    if (pool.threads === Math.max(1, threads)) return pool;
    await pool.close();
    return null;
  }

  /** Close the workers if nobody took them. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.close();
  }
}
