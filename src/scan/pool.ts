/**
 * The piscina worker pool that scans byte ranges. Created once per run with the
 * compiled matcher image; the image's SharedArrayBuffer is shared, not copied.
 */
import { Piscina } from 'piscina';
import { DnshuntError, ErrorCode, type ScanRangeRequest, type ScanRangeResult } from '../core/index.js';
import type { CompiledMatcher } from '../match/index.js';

const WORKER_URL = new URL('../../workers/scan.worker.js', import.meta.url);

/** A pool of scan workers sharing one matcher image. */
export class ScanPool {
  private readonly pool: Piscina;
  readonly threads: number;

  constructor(image: CompiledMatcher, opts: { threads: number; stripPrivateSuffixes: boolean }) {
    this.threads = Math.max(1, opts.threads);
    this.pool = new Piscina({
      filename: WORKER_URL.href,
      minThreads: this.threads,
      maxThreads: this.threads,
      // Back-pressure lives in the caller (it never has more than a few ranges in flight);
      // this bound only turns a caller bug into an error instead of unbounded memory.
      maxQueue: this.threads * 64,
      idleTimeout: 60_000,
      workerData: { matcher: image.buffer, stripPrivateSuffixes: opts.stripPrivateSuffixes },
    });
  }

  /** Scan one range; an expected worker failure becomes a DnshuntError with its code. */
  async scan(req: ScanRangeRequest): Promise<ScanRangeResult> {
    let res: unknown;
    try {
      res = await this.pool.run(req);
    } catch (e) {
      throw new DnshuntError(ErrorCode.WORKER, `scan worker crashed: ${(e as Error).message}`, e);
    }
    const r = res as { kind?: string; code?: string; message?: string };
    if (r.kind === 'range-result') return res as ScanRangeResult;
    if (r.kind === 'failure') throw new DnshuntError((r.code ?? ErrorCode.WORKER) as typeof ErrorCode.WORKER, r.message ?? 'scan worker failed');
    throw new DnshuntError(ErrorCode.INTERNAL, `scan worker answered an unknown message kind ${String(r.kind)}`);
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
