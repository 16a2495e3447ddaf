/**
 * Worker messages: one discriminated union each way. A worker that receives an
 * unknown kind answers with a failure, never silently ignores it. Errors cross
 * the thread boundary as data (`WorkerFailure`), because custom error classes
 * do not survive structured cloning.
 */
import type { RawHit, ScanCounters } from './types.js';

/** Scan the byte range [start, end) of a file. `start` is a line start; the range ends after a line end or at EOF. */
export interface ScanRangeRequest {
  kind: 'scan-range';
  path: string;
  fileIndex: number;
  rangeIndex: number;
  start: number;
  end: number;
  /**
   * How many bytes past `end` the worker may read only to find the responses to
   * matched queries (rcode pairing); no record past `end` is counted or matched.
   */
  lookahead: number;
  /** How many unparsed lines to keep as samples. */
  maxSamples: number;
}

/** A line that did not parse, as seen by the worker (line relative to the range). */
export interface RangeSample {
  rangeLine: number;
  text: string;
}

/** The result of one range: counters, the hits (rare) and a bounded sample of unparsed lines. */
export interface ScanRangeResult {
  kind: 'range-result';
  fileIndex: number;
  rangeIndex: number;
  counters: ScanCounters;
  hits: RawHit[];
  samples: RangeSample[];
}

/** An expected failure (file vanished, unreadable…) reported as data. */
export interface WorkerFailure {
  kind: 'failure';
  code: string;
  message: string;
}

/**
 * What the pool actually posts: the caller's request plus the matcher image.
 * The image is a SharedArrayBuffer: posting it shares the memory, it is not
 * copied; a worker wraps it once per `matcherId` and keeps it.
 */
export interface WorkerScanRequest extends ScanRangeRequest {
  matcher: SharedArrayBuffer;
  matcherId: number;
  stripPrivateSuffixes: boolean;
}

export type WorkerRequest = WorkerScanRequest;
export type WorkerResponse = ScanRangeResult | WorkerFailure;

/**
 * Posted once by each scan worker on its own (outside any task) when its code
 * is loaded and primed. The pool waits for it before stopping the workers: a
 * worker stopped while Node is still loading its code can abort the process.
 */
export interface WorkerLoaded {
  kind: 'worker-loaded';
  /** The worker's `threadId` (a pool may replace a worker that died: each says so itself). */
  threadId: number;
}

/** True for a WorkerLoaded event (any other message is not one). */
export function isWorkerLoaded(m: unknown): m is WorkerLoaded {
  return typeof m === 'object' && m !== null && (m as { kind?: unknown }).kind === 'worker-loaded' && Number.isInteger((m as { threadId?: unknown }).threadId);
}
