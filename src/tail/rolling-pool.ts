/**
 * The scan engine of a tail: a ScanPool whose matcher is recompiled when the
 * log's dates leave the range it was compiled for (the DGA names roll forward
 * with the days). Building the indicator set is the CLI's business; it comes
 * in as the `compile` function, together with whatever the CLI needs later to
 * explain a hit from that same compile (the `context`, e.g. the indicator
 * entries its indicator ids index).
 */
import type { DateOrder, ScanRangeRequest, ScanRangeResult } from '../core/index.js';
import { parseTimestamp } from '../parse/index.js';
import { ScanPool } from '../scan/index.js';
import { DateWindow, formatDate, type DateRange } from './date-window.js';

/** Wait after a failed recompile before trying again, in ms: a feed being rewritten is usually back by then. */
export const RECOMPILE_RETRY_MS = 60_000;

/** The compiled matcher image a ScanPool takes (named here so tail need not import match). */
export type MatcherImage = NonNullable<ConstructorParameters<typeof ScanPool>[0]>;

/** What one compile produced. */
export interface CompiledIndicators<C> {
  image: MatcherImage;
  context: C;
}

/** What the tailer needs from a scan engine. */
export interface TailEngine {
  /** Make sure the matcher covers the dates of these time texts (as logged) before the batch is scanned. */
  prepare(timeTexts: readonly string[]): Promise<void>;
  /** Scan one byte range through the worker path. */
  scan(req: ScanRangeRequest): Promise<ScanRangeResult>;
}

/** How the rolling pool compiles and runs. */
export interface RollingPoolOptions<C> {
  /** Build the indicator set for `range` (null: no log date known, so no DGA names). May throw DnshuntError. */
  compile: (range: DateRange | null) => CompiledIndicators<C>;
  threads: number;
  stripPrivateSuffixes: boolean;
  /** The readings of the log's dates: one order, or two when the log cannot tell day from month. */
  dateOrders: readonly DateOrder[];
  /** Told when the matcher is recompiled (or a recompile failed). */
  log?: (message: string) => void;
  /** Clock for the recompile retry, in ms. */
  now?: () => number;
}

/** A ScanPool recompiled as the log's dates move on; see the module comment. */
export class RollingPool<C> implements TailEngine {
  private readonly opts: RollingPoolOptions<C>;
  private readonly window = new DateWindow();
  private pool: ScanPool | null = null;
  private ctx: C | null = null;
  /** Times the matcher was compiled (1 after the first batch). */
  compiles = 0;
  /** Clock ms before which a failed recompile is not tried again; 0 when none failed. */
  private retryAt = 0;
  private readonly now: () => number;

  constructor(opts: RollingPoolOptions<C>) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
  }

  /**
   * The context of the compile the last scan ran with. The tailer never
   * recompiles between a scan and the handling of its hits, so this is the one
   * that explains them.
   */
  get context(): C {
    if (this.ctx === null) throw new Error('internal: RollingPool.context read before the first compile');
    return this.ctx;
  }

  /** The date range compiled for (null: none), undefined before the first compile. */
  get range(): DateRange | null | undefined {
    return this.window.current;
  }

  /**
   * Recompile (new indicator set, new pool) when the dates of `timeTexts` are
   * outside the compiled range. A failing first compile is thrown; a failing
   * recompile (a feed file briefly unreadable…) keeps the current matcher,
   * is told once, and is retried after {@link RECOMPILE_RETRY_MS}.
   */
  async prepare(timeTexts: readonly string[]): Promise<void> {
    const dates = [];
    for (const text of timeTexts) {
      for (const order of this.opts.dateOrders) {
        const t = parseTimestamp(text, order);
        if (t) dates.push(t.date);
      }
    }
    const range = this.window.plan(dates);
    if (range === undefined) return;
    if (this.pool !== null && this.now() < this.retryAt) return;
    let compiled: CompiledIndicators<C>;
    try {
      compiled = this.opts.compile(range);
    } catch (e) {
      if (this.pool === null) throw e;
      if (this.retryAt === 0) this.opts.log?.(`recompiling the indicators failed, keeping the current ones and retrying: ${(e as Error).message}`);
      this.retryAt = this.now() + RECOMPILE_RETRY_MS;
      return;
    }
    this.retryAt = 0;
    // The workers stay; the next scans carry the new image (nothing is in flight:
    // the tailer scans one batch at a time).
    if (this.pool === null) this.pool = new ScanPool(compiled.image, { threads: this.opts.threads, stripPrivateSuffixes: this.opts.stripPrivateSuffixes });
    else this.pool.setMatcher(compiled.image);
    this.ctx = compiled.context;
    this.window.compiledFor(range);
    if (this.compiles > 0) this.opts.log?.(`log dates moved on: indicators recompiled for ${range ? `${formatDate(range.from)} to ${formatDate(range.to)}` : 'no known date'}`);
    this.compiles++;
  }

  /** Scan one range on the current pool (after {@link RollingPool.prepare}). */
  scan(req: ScanRangeRequest): Promise<ScanRangeResult> {
    if (this.pool === null) return Promise.reject(new Error('internal: RollingPool.scan before prepare'));
    return this.pool.scan(req);
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    const p = this.pool;
    this.pool = null;
    if (p) await p.close();
  }
}
