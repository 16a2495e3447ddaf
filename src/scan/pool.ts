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
 * How long `close` waits for workers still loading their code before stopping
 * them anyway, in ms (a worker that failed to load never says it loaded).
 */
const LOAD_WAIT_MS = 3000;
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
  /** Workers that said they loaded (WorkerLoaded), and who waits for all of them. */
  private loaded = 0;
  private allLoaded: (() => void) | null = null;

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
      if (!isWorkerLoaded(m)) return;
      this.loaded++;
      if (this.loaded >= this.threads) this.allLoaded?.();
    });
    if (image) this.setMatcher(image, opts.stripPrivateSuffixes);
    else this.stripPrivateSuffixes = opts.stripPrivateSuffixes;
  }

  /** Workers that have loaded their code (for tests). */
  get loadedWorkers(): number {
    return this.loaded;
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
   * (seen once here, with a V8 "FATAL ERROR" in the loader).
   */
  async close(): Promise<void> {
    this.closing = true;
    this.destroyed ??= this.waitForLoad().then(() => this.pool.destroy());
    await this.destroyed;
  }

  private async waitForLoad(): Promise<void> {
    if (this.loaded >= this.threads) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        this.allLoaded = resolve;
      }),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, LOAD_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }
}
