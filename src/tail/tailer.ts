/**
 * Follow one growing log file: each poll takes the complete lines appended
 * since the checkpoint, scans them through the worker path, hands the hits to
 * the sink, and only then moves the checkpoint. Alerts are therefore durable
 * before the checkpoint passes them (at-least-once; the alert outbox and
 * suppression de-duplicate), and a restart resumes exactly at the checkpoint.
 *
 * ```
 *   poll:  open ─ fstat ─ fingerprint ─ find batch end ─ close      (LogHandle, microseconds)
 *          engine.prepare(dates) ─ engine.scan([offset, end))        (worker reads the range itself)
 *          re-open ─ same file, still ≥ end? ─ close                 (else discard: it changed under us)
 *          sink.onBatch(hits) ─ checkpoint { offset: end, lineNo += lines } (atomic write)
 * ```
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { DnshuntError, ErrorCode, addCounters, emptyCounters, isDnshuntError, type ScanCounters, type ScanRangeResult } from '../core/index.js';
import { checkpointPathFor, loadCheckpoint, saveCheckpoint, type Checkpoint } from './checkpoint.js';
import { LogHandle, PROBE_WINDOW_BYTES, type FileIdentity } from './file-probe.js';
import { describeRestart, restartReason } from './identity.js';
import { TailLock } from './tail-lock.js';
import type { TailEngine } from './rolling-pool.js';

/** Largest batch handed to one worker request, in bytes (bounds memory and checkpoint lag). */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;
/**
 * Bytes past a batch a worker may read only to find the response (rcode) of a
 * matched query: as much as `scan` allows, so that a backlog cut into batches
 * pairs a response as far away as a scan does (the pairing window, 5,000
 * lines, is the limit; 256 KB was not enough for it). It is read only while a
 * matched query waits, and a live log's batch usually ends at its end.
 */
export const TAIL_LOOKAHEAD_BYTES = 4 * 1024 * 1024;
/** Unparsed-line samples kept per batch. */
const BATCH_SAMPLES = 5;
/** Open errors that usually pass (Windows sharing violations, a permission change being made, fd exhaustion). */
const TRANSIENT_OPEN_ERRORS: ReadonlySet<string> = new Set(['EACCES', 'EPERM', 'EBUSY', 'EAGAIN', 'EMFILE', 'ENFILE']);

/** Where a first run (no checkpoint) begins: the start of the log or its end. */
export type StartAt = 'start' | 'end';

/** Where the tailer says what happened to the file (missing, back, wrapped…). */
export interface TailLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** One scanned batch: [start, end) of `path`, whose first line is line `startLine + 1`. */
export interface TailBatch {
  path: string;
  start: number;
  end: number;
  /** Lines before the batch: a hit's absolute line is `startLine + hit.rangeLine`. */
  startLine: number;
  result: ScanRangeResult;
}

/** Receives every scanned batch; the checkpoint moves past the batch only after `onBatch` resolved. */
export interface TailSink {
  onBatch(batch: TailBatch): Promise<void>;
}

/** How a tailer follows its file. */
export interface TailerOptions {
  path: string;
  stateDir: string;
  startAt: StartAt;
  engine: TailEngine;
  sink: TailSink;
  log: TailLogger;
  /** Largest batch per worker request; default {@link MAX_BATCH_BYTES}. */
  maxBatchBytes?: number;
  /** Batches scanned side by side per poll when catching up (the pool's thread count); default 1. */
  batchesPerPoll?: number;
  lookaheadBytes?: number;
  maxSamples?: number;
  /** Clock for the checkpoint's savedAt, in ms. */
  now?: () => number;
}

/** What one poll did. */
export interface PollOutcome {
  /** missing: no file; unreadable: could not open it (retrying); idle: no complete new line; batch: one scanned; raced: the file changed during the scan, result discarded. */
  status: 'missing' | 'unreadable' | 'idle' | 'batch' | 'raced';
  /** True when more complete lines may already be waiting (poll again at once). */
  more: boolean;
}

/** Running totals of a tailer. */
export interface TailStats {
  batches: number;
  counters: ScanCounters;
  hits: number;
  restarts: number;
  raced: number;
}

/** How {@link Tailer.run} waits between polls. */
export interface RunOptions {
  signal: AbortSignal;
  pollMs: number;
  /** Called after every poll (send what is due). */
  tick?: () => Promise<void>;
  /** Injected for tests; default: a timer that the signal cuts short. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

async function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleepFor(ms, undefined, { signal });
  } catch {
    // Aborted: the loop condition sees the signal.
  }
}

/** Follows one log file; see the module comment. Create with {@link Tailer.open}. */
export class Tailer {
  readonly path: string;
  readonly checkpointFile: string;
  readonly stats: TailStats = { batches: 0, counters: emptyCounters(), hits: 0, restarts: 0, raced: 0 };
  private readonly o: TailerOptions;
  private readonly buf = Buffer.allocUnsafeSlow(PROBE_WINDOW_BYTES);
  private cp: Checkpoint | null;
  private readonly hadCheckpoint: boolean;
  private missingSaid = false;
  /** The file was absent at some poll (a first run then reads it from its start when it appears). */
  private sawMissing = false;
  private unreadableSaid = false;
  private rangeIndex = 0;
  private readonly lock: TailLock;

  private constructor(o: TailerOptions, checkpointFile: string, cp: Checkpoint | null, lock: TailLock) {
    this.o = o;
    this.lock = lock;
    this.path = resolve(o.path);
    this.checkpointFile = checkpointFile;
    this.cp = cp;
    this.hadCheckpoint = cp !== null;
  }

  /**
   * Lock `o.path`'s checkpoint in the state directory and load it (none on a first run).
   * @throws DnshuntError STATE when another live process follows the same file with the
   *   same state directory, or the checkpoint is unreadable.
   */
  static async open(o: TailerOptions): Promise<Tailer> {
    const file = checkpointPathFor(o.stateDir, o.path);
    await mkdir(o.stateDir, { recursive: true, mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
      throw new DnshuntError(ErrorCode.STATE, `state directory ${o.stateDir}: cannot create it (${e.code ?? e.message})`, e);
    });
    const lock = await TailLock.acquire(file.replace(/\.json$/, '.lock'), resolve(o.path));
    try {
      return new Tailer(o, file, await loadCheckpoint(file), lock);
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  /** Save the checkpoint and release the lock. The tailer is not used afterwards. */
  async close(): Promise<void> {
    try {
      await this.save();
    } finally {
      await this.lock.release();
    }
  }

  /** The current checkpoint (null until the file was first seen on a first run). */
  get checkpoint(): Readonly<Checkpoint> | null {
    return this.cp;
  }

  /** True when a checkpoint existed when the tailer was opened. */
  get resumed(): boolean {
    return this.hadCheckpoint;
  }

  /** Look at the file once and process at most one batch of complete new lines. */
  async poll(): Promise<PollOutcome> {
    let h: LogHandle | null;
    try {
      h = LogHandle.open(this.path, this.buf);
    } catch (e) {
      return this.openFailed(e as NodeJS.ErrnoException);
    }
    this.unreadableSaid = false;
    if (h === null) {
      this.sawMissing = true;
      if (!this.missingSaid) {
        this.o.log.warn(`${this.path} does not exist; waiting for the DNS server to create it again${this.cp ? ' (checkpoint kept)' : ''}`);
        this.missingSaid = true;
      }
      return { status: 'missing', more: false };
    }
    const ends: number[] = [];
    let times: string[] = [];
    let dirty = false;
    let cp: Checkpoint;
    try {
      if (this.missingSaid) {
        this.o.log.info(`${this.path} is back`);
        this.missingSaid = false;
      }
      const id = h.identity;
      if (this.cp === null) {
        // A file created while this first run watched is new content from its first byte.
        cp = this.firstCheckpoint(h, this.sawMissing);
        dirty = true;
      } else {
        cp = this.cp;
        const reason = restartReason(cp, id);
        if (reason !== null) {
          this.o.log.info(`${this.path} ${describeRestart(reason)}; reading it from the start`);
          cp = fresh(this.path, id, 0, 0);
          this.stats.restarts++;
          dirty = true;
        } else if (cp.size !== id.size || cp.firstLineHash !== id.firstLineHash) {
          cp = { ...cp, size: id.size, firstLineHash: id.firstLineHash };
        }
      }
      this.cp = cp;
      // Consecutive line-aligned batches, one per worker, so a backlog is caught up in parallel.
      const width = Math.max(1, this.o.batchesPerPoll ?? 1);
      for (let from = cp.offset; ends.length < width; ) {
        const end = h.batchEnd(from, this.o.maxBatchBytes ?? MAX_BATCH_BYTES);
        if (end === null) break;
        ends.push(end);
        from = end;
      }
      if (ends.length > 0) {
        const t = h.batchTimes(cp.offset, ends[ends.length - 1]!);
        times = [t.first, t.last].filter((x): x is string => x !== null);
      }
    } finally {
      h.close();
    }
    if (dirty) await this.save();
    if (ends.length === 0) return { status: 'idle', more: false };
    return this.scanBatches(cp, ends, times);
  }

  /**
   * Process every complete line there is now, then return (the `--once` mode).
   * Stops early when `signal` is aborted; the checkpoint is saved after each batch.
   */
  async drain(signal?: AbortSignal): Promise<PollOutcome> {
    for (;;) {
      const out = await this.poll();
      if (!out.more || signal?.aborted === true) return out;
    }
  }

  /** Poll until `signal` is aborted; a poll in progress finishes first. Fatal errors (state dir, sink) are thrown. */
  async run(r: RunOptions): Promise<void> {
    const sleep = r.sleep ?? defaultSleep;
    while (!r.signal.aborted) {
      const out = await this.poll();
      if (r.tick) await r.tick();
      if (out.more || r.signal.aborted) continue;
      await sleep(r.pollMs, r.signal);
    }
  }

  /** Write the checkpoint now (also done after every batch and restart); a no-op before the file was first seen. */
  async save(): Promise<void> {
    if (this.cp !== null) await saveCheckpoint(this.checkpointFile, this.cp, (this.o.now ?? Date.now)());
  }

  private async scanBatches(cp: Checkpoint, ends: readonly number[], times: string[]): Promise<PollOutcome> {
    await this.o.engine.prepare(times);
    const last = ends[ends.length - 1]!;
    let results: ScanRangeResult[];
    try {
      results = await Promise.all(
        ends.map((end, i) =>
          this.o.engine.scan({
            kind: 'scan-range',
            path: this.path,
            fileIndex: 0,
            rangeIndex: this.rangeIndex++,
            start: i === 0 ? cp.offset : ends[i - 1]!,
            end,
            lookahead: this.o.lookaheadBytes ?? TAIL_LOOKAHEAD_BYTES,
            maxSamples: this.o.maxSamples ?? BATCH_SAMPLES,
          }),
        ),
      );
    } catch (e) {
      // Deleted between the look and the worker's read: the next poll sees what happened.
      if (isDnshuntError(e) && e.code === ErrorCode.NO_SUCH_PATH) return this.raced();
      throw e;
    }
    if (!this.stillSameFile(cp, last)) return this.raced();
    let at = cp;
    for (let i = 0; i < results.length; i++) {
      const result = results[i]!;
      const end = ends[i]!;
      await this.o.sink.onBatch({ path: this.path, start: at.offset, end, startLine: at.lineNo, result });
      // The checkpoint passes the batch only now that its hits are with the sink.
      at = { ...at, offset: end, lineNo: at.lineNo + result.counters.lines };
      this.cp = at;
      this.stats.batches++;
      this.stats.hits += result.hits.length;
      addCounters(this.stats.counters, result.counters);
      await this.save();
    }
    return { status: 'batch', more: last < cp.size };
  }

  /**
   * After the worker read [offset, end): is the path still the same file, at
   * least `end` bytes long, with the same head? If the DNS server truncated or
   * replaced it meanwhile, the worker may have read some of the new file at
   * old offsets, so the result is thrown away.
   */
  private stillSameFile(cp: Checkpoint, end: number): boolean {
    let h: LogHandle | null;
    try {
      h = LogHandle.open(this.path, this.buf);
    } catch {
      return false;
    }
    if (h === null) return false;
    try {
      return restartReason({ ...cp, offset: end }, h.identity) === null;
    } finally {
      h.close();
    }
  }

  private raced(): PollOutcome {
    this.stats.raced++;
    return { status: 'raced', more: true };
  }

  private firstCheckpoint(h: LogHandle, appeared: boolean): Checkpoint {
    const id = h.identity;
    if (this.o.startAt === 'start' || appeared) {
      this.o.log.info(`first run: reading ${this.path} from its start${appeared && this.o.startAt === 'end' ? ' (it was created after tail started)' : ''}`);
      return fresh(this.path, id, 0, 0);
    }
    // Only complete lines count as read: a partial last line is processed once its LF arrives.
    // Lines are counted as LFs; a scan would also split on stray lone CRs, which real logs
    // (CRLF throughout) do not have, so line numbers agree with `scan` on real logs.
    const offset = h.batchEnd(0, id.size) ?? 0;
    const lineNo = h.countLines(offset);
    this.o.log.info(`first run: following ${this.path} from its end (${lineNo} existing lines not read; --from-start reads them)`);
    return fresh(this.path, id, offset, lineNo);
  }

  private openFailed(e: NodeJS.ErrnoException): PollOutcome {
    const code = e.code ?? '';
    if (!TRANSIENT_OPEN_ERRORS.has(code)) {
      throw new DnshuntError(ErrorCode.UNREADABLE, `${this.path}: cannot read it (${code || e.message})`, e);
    }
    if (!this.unreadableSaid) {
      this.o.log.warn(`${this.path}: cannot open it (${code}); retrying every poll`);
      this.unreadableSaid = true;
    }
    return { status: 'unreadable', more: false };
  }
}

function fresh(path: string, id: FileIdentity, offset: number, lineNo: number): Checkpoint {
  return { path, dev: id.dev, ino: id.ino, birthtime: id.birthtime, size: id.size, offset, firstLineHash: id.firstLineHash, lineNo };
}
