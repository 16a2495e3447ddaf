/**
 * Drive a scan: split every input into ranges, keep a bounded number of ranges
 * in flight on the pool, and hand results back strictly in file order (so line
 * numbers can be made absolute by a running sum, and output order is stable).
 */
import { closeSync, openSync } from 'node:fs';
import { DnshuntError, ErrorCode, addCounters, emptyCounters, type ScanCounters, type ScanRangeResult } from '../core/index.js';
import type { ScanInput } from './inputs.js';
import type { ScanPool } from './pool.js';
import { DEFAULT_RANGE_BYTES, splitRanges, type ByteRange } from './split.js';

/** A range's result with the absolute line number of the range's first line minus one. */
export interface RangeOutcome {
  input: ScanInput;
  fileIndex: number;
  result: ScanRangeResult;
  /** Lines of the file before this range: hit line = lineOffset + rangeLine. */
  lineOffset: number;
}

/** How a scan is run. */
export interface RunScanOptions {
  rangeBytes?: number;
  /** Unparsed-line samples kept per range. */
  maxSamples?: number;
  /** Bytes a worker may read past its range to pair a matched query with its response. */
  lookahead?: number;
  /** Ranges in flight per thread (queue depth): bounds memory whatever the file size. */
  inFlightPerThread?: number;
  onResult: (o: RangeOutcome) => void;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

const DEFAULT_LOOKAHEAD = 4 * 1024 * 1024;
const DEFAULT_IN_FLIGHT_PER_THREAD = 2;
const DEFAULT_MAX_SAMPLES = 5;

interface Job {
  input: ScanInput;
  fileIndex: number;
  rangeIndex: number;
  range: ByteRange;
}

/** Scan all inputs; resolves with the summed counters after every result was handed to `onResult`. */
export async function runScan(inputs: readonly ScanInput[], pool: ScanPool, opts: RunScanOptions): Promise<ScanCounters> {
  const jobs: Job[] = [];
  inputs.forEach((input, fileIndex) => {
    let fd: number;
    try {
      fd = openSync(input.readPath, 'r');
    } catch (e) {
      // The file was there when the inputs were resolved: it vanished or changed mode since.
      const code = (e as NodeJS.ErrnoException).code;
      throw new DnshuntError(code === 'ENOENT' ? ErrorCode.NO_SUCH_PATH : ErrorCode.UNREADABLE, `cannot open ${input.name}${input.readPath === input.name ? '' : ` (read from ${input.readPath})`}: ${code ?? String(e)}`);
    }
    try {
      splitRanges(fd, input.size, opts.rangeBytes ?? DEFAULT_RANGE_BYTES).forEach((range, rangeIndex) => jobs.push({ input, fileIndex, rangeIndex, range }));
    } finally {
      closeSync(fd);
    }
  });
  const total = inputs.reduce((s, i) => s + i.size, 0);
  const counters = emptyCounters();
  const maxInFlight = pool.threads * (opts.inFlightPerThread ?? DEFAULT_IN_FLIGHT_PER_THREAD);
  const done = new Map<number, ScanRangeResult>();
  let next = 0; // next job to submit
  let emit = 0; // next job to hand out, in order
  let bytesDone = 0;
  let lineOffset = 0;
  let currentFile = -1;
  let failure: unknown = null;

  await new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      while (failure === null && next < jobs.length && next - emit < maxInFlight) {
        const idx = next++;
        const job = jobs[idx]!;
        pool
          .scan({
            kind: 'scan-range',
            path: job.input.readPath,
            fileIndex: job.fileIndex,
            rangeIndex: job.rangeIndex,
            start: job.range.start,
            end: job.range.end,
            lookahead: opts.lookahead ?? DEFAULT_LOOKAHEAD,
            maxSamples: opts.maxSamples ?? DEFAULT_MAX_SAMPLES,
          })
          .then((r) => {
            done.set(idx, r);
            drain();
          })
          .catch((e: unknown) => {
            if (failure === null) {
              failure = e;
              reject(e);
            }
          });
      }
      if (emit === jobs.length) resolve();
    };
    const drain = (): void => {
      if (failure !== null) return;
      for (let r = done.get(emit); r !== undefined; r = done.get(emit)) {
        done.delete(emit);
        const job = jobs[emit]!;
        if (job.fileIndex !== currentFile) {
          currentFile = job.fileIndex;
          lineOffset = 0;
        }
        try {
          opts.onResult({ input: job.input, fileIndex: job.fileIndex, result: r, lineOffset });
        } catch (e) {
          failure = e;
          reject(e);
          return;
        }
        lineOffset += r.counters.lines;
        addCounters(counters, r.counters);
        bytesDone += job.range.end - job.range.start;
        opts.onProgress?.(bytesDone, total);
        emit++;
      }
      pump();
    };
    pump();
  });
  return counters;
}
