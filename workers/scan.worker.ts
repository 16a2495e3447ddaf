/**
 * Thin piscina worker: bytes in, hits out. The compiled matcher arrives once,
 * as a SharedArrayBuffer in workerData; each task names a byte range to read.
 * Expected failures come back as data (custom errors do not survive postMessage).
 */
import { workerData } from 'piscina';
import { ErrorCode, type WorkerRequest, type WorkerResponse } from '../src/core/index.js';
import { CompiledMatcher, NameMatcher } from '../src/match/index.js';
import { scanFileRange } from '../src/scan/read-range.js';

/** What the pool puts in workerData. */
interface ScanWorkerData {
  matcher: SharedArrayBuffer;
  stripPrivateSuffixes: boolean;
}

const data = workerData as ScanWorkerData;
const matcher = new NameMatcher(new CompiledMatcher(data.matcher), data.stripPrivateSuffixes);

export default function handle(req: WorkerRequest): WorkerResponse {
  switch (req.kind) {
    case 'scan-range':
      try {
        return scanFileRange(req, matcher);
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
