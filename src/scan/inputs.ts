/**
 * Turn the command line's paths into readable regular files: directories are
 * walked for log files, `.gz` files and stdin are spooled (streamed, never held
 * in memory) to a private temporary file so that they too can be split into
 * ranges for the worker pool and sampled for their dates.
 */
import { createReadStream, createWriteStream, mkdtempSync, openSync, closeSync, readSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DnshuntError, ErrorCode } from '../core/index.js';

/** One input ready to scan. */
export interface ScanInput {
  /** The name the user knows it by (shown in reports): the path given, a path inside a given directory, or `-`. */
  name: string;
  /** The regular file to read (the spool file for stdin and .gz). */
  readPath: string;
  /** Bytes to scan (the size when it was resolved; later appends are left for the next run). */
  size: number;
}

/** A log file name inside a directory: `*.log`, rotated `*.log.1`, `*.log.old`, `*.log.2026-01-01`, `*.log.gz`. */
const LOG_NAME_RE = /\.log(?:\.[\w.-]+)?$/i;
const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

function fail(e: unknown, path: string): never {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') throw new DnshuntError(ErrorCode.NO_SUCH_PATH, `no such file or directory: ${path}`);
  if (code === 'EACCES' || code === 'EPERM') throw new DnshuntError(ErrorCode.UNREADABLE, `permission denied: ${path}`);
  throw new DnshuntError(ErrorCode.UNREADABLE, `cannot read ${path}: ${code ?? String(e)}`);
}

function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === GZIP_MAGIC_0 && b[1] === GZIP_MAGIC_1;
  } finally {
    closeSync(fd);
  }
}

function walk(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    fail(e, dir);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && LOG_NAME_RE.test(e.name)) out.push(p);
    else if (e.isSymbolicLink() && LOG_NAME_RE.test(e.name)) {
      // A link to a log (current.log -> dns-2016.log) is scanned; links to
      // directories are not followed (no cycles), dangling links are skipped.
      try {
        if (statSync(p).isFile()) out.push(p);
      } catch {
        // dangling link: nothing to read
      }
    }
  }
}

/** Spools stdin and .gz inputs; `cleanup()` removes the spool files (call it in a finally). */
export class InputSet {
  readonly inputs: ScanInput[] = [];
  private spoolDir: string | null = null;

  /** Resolve `paths` (files, directories, `-`); throws DnshuntError with a precise code on bad input. */
  static async resolve(paths: readonly string[], stdin: NodeJS.ReadableStream = process.stdin): Promise<InputSet> {
    const set = new InputSet();
    try {
      for (const p of paths) await set.add(p, stdin);
    } catch (e) {
      set.cleanup();
      throw e;
    }
    return set;
  }

  private async add(path: string, stdin: NodeJS.ReadableStream): Promise<void> {
    if (path === '-') {
      await this.spool('-', stdin, false);
      return;
    }
    let st;
    try {
      st = statSync(path);
    } catch (e) {
      fail(e, path);
    }
    if (st.isDirectory()) {
      const found: string[] = [];
      walk(path, found);
      if (found.length === 0) throw new DnshuntError(ErrorCode.NO_LOGS, `no log files (*.log, *.log.N, *.log.gz) in directory ${path}`);
      for (const f of found) await this.addFile(f);
      return;
    }
    if (!st.isFile()) throw new DnshuntError(ErrorCode.UNREADABLE, `not a regular file: ${path}`);
    await this.addFile(path);
  }

  private async addFile(path: string): Promise<void> {
    let gz: boolean;
    let size: number;
    try {
      gz = isGzip(path);
      size = statSync(path).size;
    } catch (e) {
      fail(e, path);
    }
    if (gz) await this.spool(path, createReadStream(path), true);
    else this.inputs.push({ name: path, readPath: path, size });
  }

  private async spool(name: string, source: NodeJS.ReadableStream, gunzip: boolean): Promise<void> {
    this.spoolDir ??= mkdtempSync(join(tmpdir(), 'dnshunt-spool-'));
    const target = join(this.spoolDir, `input-${this.inputs.length}.log`);
    try {
      // zlib is loaded only for a gzip input (~4 ms of every start otherwise)
      if (gunzip) await pipeline(source, (await import('node:zlib')).createGunzip(), createWriteStream(target));
      else await pipeline(source, createWriteStream(target));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (gunzip && code.startsWith('Z_')) throw new DnshuntError(ErrorCode.BAD_GZIP, `corrupt gzip file ${name}: ${(e as Error).message}`);
      throw new DnshuntError(ErrorCode.UNREADABLE, `cannot read ${name === '-' ? 'standard input' : name}: ${(e as Error).message}`);
    }
    this.inputs.push({ name, readPath: target, size: statSync(target).size });
  }

  /** Remove spool files. Safe to call twice. */
  cleanup(): void {
    if (this.spoolDir) rmSync(this.spoolDir, { recursive: true, force: true });
    this.spoolDir = null;
  }
}
