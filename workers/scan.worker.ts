/**
 * Thin piscina worker: bytes in, hits out. Each task names a byte range to
 * read and carries the run's compiled matcher, a SharedArrayBuffer (shared,
 * not copied), which the worker wraps once and reuses. The workers start
 * before the matcher exists, so their start-up overlaps the main thread's
 * sampling and compiling.
 * Expected failures come back as data (custom errors do not survive postMessage).
 */
import { parentPort, threadId } from 'node:worker_threads';
import { ErrorCode, type WorkerLoaded, type WorkerRequest, type WorkerResponse } from '../src/core/index.js';
import { CompiledMatcher, NameMatcher } from '../src/match/index.js';
import { scanFileRange } from '../src/scan/read-range.js';
import { primeScanner } from '../src/scan/prime.js';

// Before the first task, while the main thread still prepares the run: feedback for the rare paths.
primeScanner();
// Loaded: the pool may stop this thread from now on (see WorkerLoaded).
const loaded: WorkerLoaded = { kind: 'worker-loaded', threadId };
parentPort?.postMessage(loaded);

/** The matcher of the run, wrapped once per image (a tail recompiles as the days pass). */
let current: { id: number; matcher: NameMatcher } | null = null;

function matcherFor(req: WorkerRequest): NameMatcher {
  if (current === null || current.id !== req.matcherId) {
    current = { id: req.matcherId, matcher: new NameMatcher(new CompiledMatcher(req.matcher), req.stripPrivateSuffixes) };
  }
  return current.matcher;
}

export default function handle(req: WorkerRequest): WorkerResponse {
  switch (req.kind) {
    case 'scan-range':
      try {
        return scanFileRange(req, matcherFor(req));
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const code = err.code === 'ENOENT' ? ErrorCode.NO_SUCH_PATH : err.code === 'EACCES' || err.code === 'EISDIR' ? ErrorCode.UNREADABLE : ErrorCode.WORKER;
        return { kind: 'failure', code, message: `${req.path}: ${err.message}` };
      }
    default: {
      const unknown: never = req.kind;
      return { kind: 'failure', code: ErrorCode.INTERNAL, message: `scan worker: unknown request kind ${String(unknown)}` };
    }
  }
}
