/**
 * Short looks at the followed log: open, fstat, read a few small windows,
 * close. The tailer never keeps the file open between polls, so the DNS server
 * can truncate, rename, delete and recreate it at any time (docs §10). On
 * Windows libuv opens with FILE_SHARE_READ|WRITE|DELETE, so even during a look
 * the server may keep writing.
 *
 * ```
 *  file:  [first line ⏎]···········[offset ······ batch ······ LF][partial…]
 *          └ fingerprint ┘          │ head window │   │ tail window │
 *                                   └ first record time   └ last LF, last record time
 * ```
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { LF } from '../core/index.js';
import { LineKind, PacketFields, parseWindowsLine } from '../parse/index.js';

/** Bytes of the first line that make up the fingerprint: a header line is ~55 bytes, so this holds all of it. */
export const FINGERPRINT_BYTES = 1024;
/** Window read at each end of a batch (line ends, record times); real lines are well under 1 KiB. */
export const PROBE_WINDOW_BYTES = 64 * 1024;
/** Read size when counting lines of a whole file. */
const COUNT_CHUNK_BYTES = 1024 * 1024;
/** Hex digits kept of the fingerprint's SHA-256. */
const FINGERPRINT_HEX = 32;
/** Longest timestamp text kept from a header line. */
const MAX_TIME_TEXT = 40;

const HEADER_PREFIX = 'DNS Server log file creation at ';
const WRAP_PREFIX = 'Log file wrap at ';

/** What identifies one incarnation of the log file, and how big it is now. */
export interface FileIdentity {
  dev: string;
  ino: string;
  /** Creation time in ns on Windows and macOS; "0" elsewhere (Linux may report ctime or nothing). */
  birthtime: string;
  size: number;
  /** See {@link fingerprintOf}; null while the file has no complete first line. */
  firstLineHash: string | null;
}

/** Platforms whose birth time is a real, stable creation time. */
const RELIABLE_BIRTHTIME = process.platform === 'win32' || process.platform === 'darwin';

/**
 * Fingerprint of a file's head: SHA-256 of the first line including its LF,
 * or of the first FINGERPRINT_BYTES when the line is longer. Null when the
 * head is shorter than that and has no LF yet (still being written).
 */
export function fingerprintOf(head: Buffer, n: number): string | null {
  const nl = head.indexOf(LF);
  let end: number;
  if (nl >= 0 && nl < n) end = nl + 1;
  else if (n >= FINGERPRINT_BYTES) end = FINGERPRINT_BYTES;
  else return null;
  return createHash('sha256').update(head.subarray(0, Math.min(end, FINGERPRINT_BYTES))).digest('hex').slice(0, FINGERPRINT_HEX);
}

/** The time texts of the first and last record (or header line) in a batch; empty when none parsed. */
export interface BatchTimes {
  first: string | null;
  last: string | null;
}

/**
 * One short open of the log. Create with {@link LogHandle.open}, always
 * {@link LogHandle.close} in a finally block. Reads are synchronous and small
 * (a few 64 KiB windows), so the file is open for microseconds per poll.
 */
export class LogHandle {
  readonly identity: FileIdentity;
  private readonly fd: number;
  private readonly buf: Buffer;
  private readonly fields = new PacketFields();

  private constructor(fd: number, identity: FileIdentity, buf: Buffer) {
    this.fd = fd;
    this.identity = identity;
    this.buf = buf;
  }

  /**
   * Open `path` read-only, stat it and fingerprint its head. Null when the file
   * does not exist (ENOENT, or ENOTDIR for a vanished directory); other errors
   * (EACCES, EBUSY, EISDIR…) are thrown as node's own.
   */
  static open(path: string, buf: Buffer): LogHandle | null {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw e;
    }
    try {
      const st = fstatSync(fd, { bigint: true });
      if (!st.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'EISDIR' });
      const size = Number(st.size);
      const n = size === 0 ? 0 : readSync(fd, buf, 0, Math.min(FINGERPRINT_BYTES, size), 0);
      const identity: FileIdentity = {
        dev: st.dev.toString(),
        ino: st.ino.toString(),
        birthtime: RELIABLE_BIRTHTIME ? st.birthtimeNs.toString() : '0',
        size,
        firstLineHash: fingerprintOf(buf, n),
      };
      return new LogHandle(fd, identity, buf);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Release the file. */
  close(): void {
    closeSync(this.fd);
  }

  /**
   * End of the next batch starting at `offset` (a line start): right after the
   * last LF in [offset, offset + maxBytes) within the size seen at open. Null
   * when there is no complete line yet (a partial last line waits for its LF).
   * A single line longer than `maxBytes` ends the batch at its own LF (the
   * worker counts it as one overlong line).
   */
  batchEnd(offset: number, maxBytes: number): number | null {
    const size = this.identity.size;
    const limit = Math.min(size, offset + maxBytes);
    let pos = limit;
    while (pos > offset) {
      const from = Math.max(offset, pos - this.buf.length);
      const n = this.read(from, pos - from);
      if (n < pos - from) return null; // shrank since fstat: the next poll sees the truncation
      const i = this.buf.lastIndexOf(LF, n - 1);
      if (i >= 0) return from + i + 1;
      pos = from;
    }
    pos = limit;
    while (pos < size) {
      const n = this.read(pos, Math.min(this.buf.length, size - pos));
      if (n === 0) return null;
      const i = this.buf.indexOf(LF);
      if (i >= 0 && i < n) return pos + i + 1;
      pos += n;
    }
    return null;
  }

  /** Time texts of the first and of the last record in [start, end), from one window at each end. */
  batchTimes(start: number, end: number): BatchTimes {
    const headLen = Math.min(end - start, this.buf.length);
    const head = this.times(start, headLen, false);
    if (end - start <= this.buf.length) return head;
    const tail = this.times(end - this.buf.length, this.buf.length, true);
    return { first: head.first ?? tail.first, last: tail.last ?? head.last };
  }

  /** Lines in [0, end): LF bytes counted in bounded chunks (for a first run that starts at the end). */
  countLines(end: number): number {
    let lines = 0;
    let pos = 0;
    const chunk = this.buf.length >= COUNT_CHUNK_BYTES ? this.buf : Buffer.allocUnsafe(COUNT_CHUNK_BYTES);
    while (pos < end) {
      const n = readSync(this.fd, chunk, 0, Math.min(chunk.length, end - pos), pos);
      if (n === 0) break;
      for (let i = chunk.indexOf(LF, 0); i >= 0 && i < n; i = chunk.indexOf(LF, i + 1)) lines++;
      pos += n;
    }
    return lines;
  }

  private read(pos: number, len: number): number {
    return len <= 0 ? 0 : readSync(this.fd, this.buf, 0, len, pos);
  }

  private times(start: number, len: number, skipFirstPartial: boolean): BatchTimes {
    const n = this.read(start, len);
    const buf = this.buf;
    const f = this.fields;
    let first: string | null = null;
    let last: string | null = null;
    let p = 0;
    if (skipFirstPartial) {
      const nl = buf.indexOf(LF);
      if (nl < 0 || nl >= n) return { first, last };
      p = nl + 1;
    }
    while (p < n) {
      let nl = buf.indexOf(LF, p);
      if (nl < 0 || nl >= n) nl = n;
      let text: string | null = null;
      const kind = parseWindowsLine(buf, p, nl, f);
      if (kind === LineKind.PACKET || kind === LineKind.EVENT) {
        text = buf.toString('latin1', f.timeStart, f.timeEnd);
      } else if (kind === LineKind.SKIPPED) {
        // A new header carries the date of a file that has no record yet.
        const line = buf.toString('latin1', p, Math.min(nl, p + HEADER_PREFIX.length + MAX_TIME_TEXT));
        if (line.startsWith(HEADER_PREFIX)) text = line.slice(HEADER_PREFIX.length).trim();
        else if (line.startsWith(WRAP_PREFIX)) text = line.slice(WRAP_PREFIX.length).trim();
      }
      if (text !== null) {
        first ??= text;
        last = text;
      }
      p = nl + 1;
    }
    return { first, last };
  }
}
