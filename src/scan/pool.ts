/**
 * The piscina worker pool that scans byte ranges. The compiled matcher image
 * travels with each task as a SharedArrayBuffer: shared, never copied, and
 * wrapped once per image in each worker.
 */
import { Piscina } from 'piscina';
import { DnshuntError, ErrorCode, isWorkerLoaded, type ScanRangeRequest, type ScanRangeResult, type WorkerScanRequest } from '../core/index.js';
import type { CompiledMatcher } from '../match/index.js';

/** Set by the bundler (scripts/bundle.mjs): the bundled worker's file name. */
declare const __DNSHUNT_WORKER_FILE__: string | undefined;
/**
 * The worker file: CommonJS either way (piscina require()s it; see
 * workers/scan-worker-entry.cts): the bundled worker, or in dist/ the entry
 * that imports the compiled ES-module worker.
 */
const WORKER_URL = new URL(`../../workers/${typeof __DNSHUNT_WORKER_FILE__ === 'string' ? __DNSHUNT_WORKER_FILE__ : 'scan-worker-entry.cjs'}`, import.meta.url);
/**
 * How long `close` waits for live workers still loading their code before
 * stopping them anyway, in ms (a bound for a worker stuck in loading; one that
 * died is no longer waited for).
 */
const LOAD_WAIT_MS = 10_000;
/** Young-generation cap of each scan worker's heap, in MB (see the pool options). */
const WORKER_YOUNG_GENERATION_MB = 4;

/** A pool of scan workers sharing one matcher image. */
export class ScanPool {
  private readonly pool: Piscina;
  readonly threads: number;
  private image: CompiledMatcher | null = null;
  private matcherId = 0;
  private stripPrivateSuffixes = true;
  private closing = false;
  private destroyed: Promise<void> | null = null;
  /** The threadIds of the workers that said they loaded (WorkerLoaded), and who waits for the next change. */
  private readonly loaded = new Set<number>();
  private changed: (() => void) | null = null;
  /** A failure reported outside any task (a worker that could not load, an unknown message), thrown by the next scan. */
  private failure: DnshuntError | null = null;

  /**
   * Start the workers; with an image the pool is ready to scan, without one
   * `setMatcher` must come first (start the threads early, compile meanwhile).
   */
  constructor(image: CompiledMatcher | null, opts: { threads: number; stripPrivateSuffixes: boolean }) {
    this.threads = Math.max(1, opts.threads);
    this.pool = new Piscina({
      filename: WORKER_URL.href,
      minThreads: this.threads,
      maxThreads: this.threads,
      // Back-pressure lives in the caller (it never has more than a few ranges in flight);
      // this bound only turns a caller bug into an error instead of unbounded memory.
      maxQueue: this.threads * 64,
      idleTimeout: 60_000,
      // The hot loop allocates almost nothing, so a small young generation costs no
      // speed; left to grow, it made a 4 GB scan's peak RSS 11 % above a 1 GB one's.
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    this.pool.on('message', (m: unknown) => {
      if (isWorkerLoaded(m)) this.loaded.add(m.threadId);
      // the workers post nothing else: anything else is a bug, told at the next scan
      else this.failure ??= new DnshuntError(ErrorCode.INTERNAL, `scan worker posted an unknown message: ${JSON.stringify(m)?.slice(0, 200)}`);
      this.changed?.();
    });
    // A worker that fails outside a task (while loading): without a listener the
    // process would die of an unhandled 'error' event.
    this.pool.on('error', (e: unknown) => {
      this.failure ??= new DnshuntError(ErrorCode.WORKER, `scan worker failed: ${(e as Error)?.message ?? String(e)}`, e);
      this.changed?.();
    });
    this.pool.on('workerDestroy', () => this.changed?.());
    if (image) this.setMatcher(image, opts.stripPrivateSuffixes);
    else this.stripPrivateSuffixes = opts.stripPrivateSuffixes;
  }

  /** How many workers (replacements included) have said they loaded their code (for tests). */
  get loadedWorkers(): number {
    return this.loaded.size;
  }

  /** Use this compiled matcher for the scans that follow (shared with the workers, never copied). */
  setMatcher(image: CompiledMatcher, stripPrivateSuffixes = this.stripPrivateSuffixes): void {
    this.image = image;
    this.stripPrivateSuffixes = stripPrivateSuffixes;
    this.matcherId++;
  }

  /** Scan one range; an expected worker failure becomes a DnshuntError with its code. */
  async scan(req: ScanRangeRequest): Promise<ScanRangeResult> {
    if (this.image === null) throw new DnshuntError(ErrorCode.INTERNAL, 'ScanPool.scan before setMatcher');
    if (this.failure !== null) throw this.failure;
    const msg: WorkerScanRequest = { ...req, matcher: this.image.buffer, matcherId: this.matcherId, stripPrivateSuffixes: this.stripPrivateSuffixes };
    let res: unknown;
    try {
      res = await this.pool.run(msg);
    } catch (e) {
      throw new DnshuntError(ErrorCode.WORKER, `scan worker crashed: ${(e as Error).message}`, e);
    }
    const r = res as { kind?: string; code?: string; message?: string };
    if (r.kind === 'range-result') return res as ScanRangeResult;
    if (r.kind === 'failure') throw new DnshuntError((r.code ?? ErrorCode.WORKER) as typeof ErrorCode.WORKER, r.message ?? 'scan worker failed');
    throw new DnshuntError(ErrorCode.INTERNAL, `scan worker answered an unknown message kind ${String(r.kind)}`);
  }

  /** True once `close` was called. */
  get closed(): boolean {
    return this.closing;
  }

  /**
   * Stop the workers (once; later calls wait for the same stop). A worker
   * still loading its code is let finish first (up to LOAD_WAIT_MS): one
   * stopped in the middle of Node's module loading can abort the whole process
   * (seen here: 2 runs in 20 of the early-pool tests aborted in Node's
   * require()-of-ES-module loader before workers started from CommonJS).
   */
  async close(): Promise<void> {
    this.closing = true;
    this.destroyed ??= this.waitForLoad().then(() => this.pool.destroy());
    await this.destroyed;
  }

  /** Until every live worker has said it loaded (a dead one is not waited for), or LOAD_WAIT_MS. */
  private async waitForLoad(): Promise<void> {
    const deadline = Date.now() + LOAD_WAIT_MS;
    while (!this.pool.threads.every((w) => this.loaded.has(w.threadId))) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.changed = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
      this.changed = null;
    }
  }
}
