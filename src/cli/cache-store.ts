/**
 * A small on-disk cache of binary entries, for work that is the same from run
 * to run (parsed feeds, compiled matcher images).
 *
 * An entry is named by its kind and a key that is a SHA-256 of everything that
 * decides its content, so an entry is never stale, only unused; the least
 * recently used go when the folder outgrows its bound. Every entry carries a
 * digest of each 16 KiB block of each section (SHA-256, its first 16 bytes)
 * and a SHA-256 of its metadata and those, checked on each read: a torn or
 * damaged file is a miss (and is removed), never a wrong answer. The header
 * checks out on its own, so a reader may take the metadata now and the
 * sections, or a few bytes of one, only when it needs them (`peek`).
 *
 * Entry file (`<kind>-<key>.bin`):
 *
 *   "DNSHCACH"        8 bytes
 *   u32 LE            header length H
 *   header            H bytes of JSON: { format, kind, key, meta (the metadata as JSON text),
 *                     sections: [byte lengths], digests: [each section's block digests, base64], sha256 (of meta and digests) }
 *   zeros             up to the next multiple of 8
 *   section 0 … n-1   each padded with zeros to a multiple of 8 (so Int32 views line up)
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, readdirSync, renameSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

const MAGIC = Buffer.from('DNSHCACH', 'latin1');
/** Layout version of the entry files. */
const FORMAT = 4;
/** Sections are padded to this many bytes. */
const ALIGN = 8;
/** A header longer than this is not one of ours. */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;
/** Default bound of the cache folder: a 1,000,000-name feed makes ~30 MB of parsed feed and ~50 MB of image. */
export const DEFAULT_CACHE_MAX_BYTES = 512 * 1024 * 1024;
/** A temporary file this old was left by a writer that died; it is removed when the folder is pruned. */
const STALE_TMP_MS = 60 * 60 * 1000;
const TMP_SUFFIX = '.tmp';
/** Entries are written this much at a time (a multiple of BLOCK_BYTES). */
const WRITE_SLICE_BYTES = 4 * 1024 * 1024;
/** Sections are checked in blocks of this many bytes, so a few bytes of one can be read alone (`PeekedEntry.read`). */
const BLOCK_BYTES = 16 * 1024;
/** Bytes of a block's SHA-256 kept (integrity against damage, not against an adversary: entries are the user's own). */
const BLOCK_DIGEST_BYTES = 16;
const ENTRY_SUFFIX = '.bin';

/** An entry as read back: its metadata and its sections (each in a buffer of its own, from offset 0). */
export interface CacheEntry {
  meta: unknown;
  sections: Uint8Array[];
}

/**
 * An entry whose header was read and checked; its sections are read when
 * asked for, from the file held open since (so another run's pruning or
 * rewriting does not take its bytes away), until `close`. A section that no
 * longer checks out is a null answer, and the entry is removed.
 */
export interface PeekedEntry {
  meta: unknown;
  /**
   * The sections, read and checked now (each in a buffer of its own: a
   * SharedArrayBuffer when `shared(i)`, else an ArrayBuffer); null when the
   * file no longer holds the bytes its header promised, or after `close`.
   */
  sections(shared?: (section: number) => boolean): Uint8Array[] | null;
  /** `length` bytes of section `section` from `offset`, read and checked now (the blocks that hold them); null as for `sections`, or out of range. */
  read(section: number, offset: number, length: number): Uint8Array | null;
  /** Let the entry file go (after this, `sections` and `read` give null). */
  close(): void;
}

/**
 * The cache folder used when none is given: `$DNSHUNT_CACHE_DIR`, else the
 * platform's per-user cache folder (`%LOCALAPPDATA%\dnshunt\Cache`,
 * `~/Library/Caches/dnshunt`, `$XDG_CACHE_HOME/dnshunt` or `~/.cache/dnshunt`).
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (env.DNSHUNT_CACHE_DIR) return env.DNSHUNT_CACHE_DIR;
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'dnshunt', 'Cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'dnshunt');
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.cache'), 'dnshunt');
}

function padded(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/** One cache folder. Reads are synchronous (they sit before the scan can start); writes may be deferred by the caller. */
export class CacheStore {
  readonly dir: string;
  private readonly maxBytes: number;

  constructor(dir: string, maxBytes = DEFAULT_CACHE_MAX_BYTES) {
    this.dir = dir;
    this.maxBytes = maxBytes;
  }

  private pathOf(kind: string, key: string): string {
    return join(this.dir, `${kind}-${key}${ENTRY_SUFFIX}`);
  }

  /**
   * The entry of `kind` and `key`, or null when there is none or it does not
   * check out (a bad one is removed). Section `i` is read into a
   * SharedArrayBuffer when `shared(i)`, else into an ArrayBuffer.
   */
  get(kind: string, key: string, shared: (section: number) => boolean = () => false): CacheEntry | null {
    const entry = this.peek(kind, key);
    if (entry === null) return null;
    try {
      const sections = entry.sections(shared);
      return sections === null ? null : { meta: entry.meta, sections };
    } finally {
      entry.close();
    }
  }

  /**
   * The entry of `kind` and `key` with only its header read and checked (see
   * `PeekedEntry`), or null when there is none or its header does not check
   * out (a bad one is removed). Marked as recently used.
   */
  peek(kind: string, key: string): PeekedEntry | null {
    const path = this.pathOf(kind, key);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return null;
    }
    let header: EntryHeader | null | typeof UNTRUSTED = null;
    let meta: unknown = null;
    try {
      header = readHeader(fd, kind, key);
      if (header !== null && header !== UNTRUSTED) meta = JSON.parse(header.metaText) as unknown;
    } catch {
      header = null;
    }
    if (header === null || header === UNTRUSTED) {
      closeSync(fd);
      if (header === null) unlinkQuietly(path); // not one of ours to keep (UNTRUSTED: not ours to remove)
      return null;
    }
    touch(path);
    const h = header;
    let open = true;
    // A section that no longer checks out: removed, so the next run computes it again.
    const checked = <T>(read: () => T | null): T | null => {
      if (!open) return null;
      let got: T | null = null;
      try {
        got = read();
      } catch {
        got = null;
      }
      if (got === null) unlinkQuietly(path);
      return got;
    };
    return {
      meta,
      sections: (shared = () => false) => checked(() => readSections(fd, h, shared)),
      read: (section, offset, length) => (rangeOk(h, section, offset, length) ? checked(() => readRange(fd, h, section, offset, length)) : null),
      close: () => {
        if (!open) return;
        open = false;
        closeSync(fd);
      },
    };
  }

  /**
   * Store an entry (replacing any of the same name), then prune the folder to
   * its bound. Written to a temporary file and renamed, so a reader sees the
   * old entry, the new one, or none. Throws the file system's error.
   */
  put(kind: string, key: string, meta: unknown, sections: readonly Uint8Array[]): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const plan = this.plan(kind, key, meta, sections);
    const fd = openSync(plan.tmp, 'wx', 0o600);
    try {
      for (const piece of plan.pieces()) writeAll(fd, piece);
      writeAll(fd, plan.lead(), 0);
    } catch (e) {
      closeSync(fd);
      unlinkQuietly(plan.tmp);
      throw e;
    }
    closeSync(fd);
    this.commit(plan);
  }

  /**
   * `put`, written a slice at a time with the event loop free in between (a
   * million-name set is ~80 MB: a scan's main thread must go on handing out
   * ranges meanwhile).
   */
  async putAsync(kind: string, key: string, meta: unknown, sections: readonly Uint8Array[]): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const plan = this.plan(kind, key, meta, sections);
    const fh = await open(plan.tmp, 'wx', 0o600);
    try {
      for (const piece of plan.pieces()) {
        for (let off = 0; off < piece.byteLength; ) off += (await fh.write(piece, off, Math.min(WRITE_SLICE_BYTES, piece.byteLength - off))).bytesWritten;
      }
      const lead = plan.lead();
      for (let off = 0; off < lead.byteLength; ) off += (await fh.write(lead, off, lead.byteLength - off, off)).bytesWritten;
    } catch (e) {
      await fh.close().catch(() => undefined);
      unlinkQuietly(plan.tmp);
      throw e;
    }
    await fh.close();
    this.commit(plan);
  }

  /**
   * How an entry is written: a blank lead (magic, header length, header) of
   * the final length, then the sections in slices, hashed as they go out;
   * `lead()` is the real lead once every piece was taken.
   */
  private plan(kind: string, key: string, meta: unknown, sections: readonly Uint8Array[]): { path: string; tmp: string; pieces: () => Generator<Uint8Array>; lead: () => Buffer } {
    const metaText = JSON.stringify(meta) ?? 'null';
    const blockDigests = sections.map((x) => Buffer.alloc(Math.ceil(x.byteLength / BLOCK_BYTES) * BLOCK_DIGEST_BYTES));
    const header = (digests: string[]): Buffer => Buffer.from(JSON.stringify({ format: FORMAT, kind, key, meta: metaText, sections: sections.map((x) => x.byteLength), digests, sha256: headerDigest(metaText, digests) }), 'utf8');
    const leadOf = (h: Buffer): Buffer => {
      const lead = Buffer.alloc(padded(MAGIC.length + 4 + h.length));
      MAGIC.copy(lead, 0);
      lead.writeUInt32LE(h.length, MAGIC.length);
      h.copy(lead, MAGIC.length + 4);
      return lead;
    };
    const blank = leadOf(header(blockDigests.map((d) => d.toString('base64')))); // the same length as the real digests
    const path = this.pathOf(kind, key);
    return {
      path,
      tmp: `${path}.${process.pid}.${Date.now().toString(36)}${TMP_SUFFIX}`,
      *pieces(): Generator<Uint8Array> {
        yield blank;
        const zeros = new Uint8Array(ALIGN);
        for (const [i, x] of sections.entries()) {
          for (let off = 0; off < x.byteLength; off += WRITE_SLICE_BYTES) {
            const slice = x.subarray(off, Math.min(x.byteLength, off + WRITE_SLICE_BYTES));
            for (let b = 0; b < slice.byteLength; b += BLOCK_BYTES) {
              blockDigest(slice.subarray(b, Math.min(slice.byteLength, b + BLOCK_BYTES))).copy(blockDigests[i]!, ((off + b) / BLOCK_BYTES) * BLOCK_DIGEST_BYTES);
            }
            yield slice;
          }
          const pad = padded(x.byteLength) - x.byteLength;
          if (pad > 0) yield zeros.subarray(0, pad);
        }
      },
      lead: () => leadOf(header(blockDigests.map((d) => d.toString('base64')))),
    };
  }

  /** Rename a written temporary file into place, then prune. */
  private commit(plan: { path: string; tmp: string }): void {
    try {
      renameSync(plan.tmp, plan.path);
    } catch (e) {
      unlinkQuietly(plan.tmp);
      throw e;
    }
    this.prune();
  }

  /** Remove the least recently used entries until the folder is within its bound, and stale temporary files. */
  prune(): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    const entries: { path: string; size: number; mtime: number }[] = [];
    let total = 0;
    const now = Date.now();
    for (const name of names) {
      const path = join(this.dir, name);
      try {
        const st = statSync(path);
        if (name.endsWith(TMP_SUFFIX)) {
          if (now - st.mtimeMs > STALE_TMP_MS) unlinkSync(path);
        } else if (name.endsWith(ENTRY_SUFFIX)) {
          entries.push({ path, size: st.size, mtime: st.mtimeMs });
          total += st.size;
        }
      } catch {
        // gone meanwhile, or not ours to remove
      }
    }
    entries.sort((a, b) => a.mtime - b.mtime);
    for (const e of entries) {
      if (total <= this.maxBytes) break;
      if (unlinkQuietly(e.path)) total -= e.size;
    }
  }
}

/** Mark an entry recently used (pruned last); best effort: another process may have replaced or removed it meanwhile. */
function touch(path: string): void {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // nothing to do
  }
}

function unlinkQuietly(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

function writeAll(fd: number, data: Uint8Array, position: number | null = null): void {
  let off = 0;
  while (off < data.byteLength) off += writeSync(fd, data, off, data.byteLength - off, position === null ? null : position + off);
}

function readExactly(fd: number, into: Uint8Array, position: number): boolean {
  let off = 0;
  while (off < into.byteLength) {
    const n = readSync(fd, into, off, into.byteLength - off, position + off);
    if (n === 0) return false;
    off += n;
  }
  return true;
}

/** What `readEntry` says of an entry it will not read: not ours to trust. */
const UNTRUSTED = Symbol('untrusted');

/** An entry's header, checked: where its sections start and what they must hash to. */
interface EntryHeader {
  metaText: string;
  lengths: number[];
  digests: string[];
  /** Each section's block digests, decoded. */
  blocks: Buffer[];
  sha256: string;
  /** Offset of section 0. */
  position: number;
}

/** The header's digest: of the metadata text and the sections' digests, so the header checks out alone. */
function headerDigest(metaText: string, digests: readonly string[]): string {
  return createHash('sha256').update(metaText, 'utf8').update(`\0${digests.join(',')}`, 'utf8').digest('hex');
}

/** Read and check an entry's header; null when anything is off, UNTRUSTED when it is not ours alone. */
function readHeader(fd: number, kind: string, key: string): EntryHeader | null | typeof UNTRUSTED {
  const st = fstatSync(fd);
  // An entry decides what a scan looks for: on a system with file owners, only
  // one of our own that nobody else may write is trusted (a cache folder in a
  // shared place must not let another user hide indicators). File systems
  // without owners or modes (FAT, some network shares) show every file as
  // writable by all: the cache does not work there, and says nothing.
  if (process.getuid && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0)) return UNTRUSTED;
  const size = st.size;
  const lead = Buffer.alloc(MAGIC.length + 4);
  if (!readExactly(fd, lead, 0) || !lead.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const headerLength = lead.readUInt32LE(MAGIC.length);
  if (headerLength > MAX_HEADER_BYTES || lead.length + headerLength > size) return null;
  const headerBytes = Buffer.alloc(headerLength);
  if (!readExactly(fd, headerBytes, lead.length)) return null;
  const header = JSON.parse(headerBytes.toString('utf8')) as { format?: unknown; kind?: unknown; key?: unknown; meta?: unknown; sections?: unknown; digests?: unknown; sha256?: unknown };
  if (header.format !== FORMAT || header.kind !== kind || header.key !== key || typeof header.sha256 !== 'string' || typeof header.meta !== 'string') return null;
  const lengths = header.sections;
  const digests = header.digests;
  if (!Array.isArray(lengths) || !lengths.every((n): n is number => Number.isSafeInteger(n) && (n as number) >= 0)) return null;
  if (!Array.isArray(digests) || digests.length !== lengths.length || !digests.every((d): d is string => typeof d === 'string')) return null;
  const position = padded(lead.length + headerLength);
  if (position + lengths.reduce((s, n) => s + padded(n), 0) !== size) return null;
  if (headerDigest(header.meta, digests) !== header.sha256) return null;
  const blocks = digests.map((d) => Buffer.from(d, 'base64'));
  if (blocks.some((b, i) => b.length !== Math.ceil(lengths[i]! / BLOCK_BYTES) * BLOCK_DIGEST_BYTES)) return null;
  return { metaText: header.meta, lengths, digests, blocks, sha256: header.sha256, position };
}

/** The digest a block is checked against: the first BLOCK_DIGEST_BYTES of its SHA-256. */
function blockDigest(block: Uint8Array): Buffer {
  return createHash('sha256').update(block).digest().subarray(0, BLOCK_DIGEST_BYTES);
}

/** Whether `bytes`, section `section`'s bytes from block `first` on, hold the blocks its header promised. */
function blocksCheck(header: EntryHeader, section: number, first: number, bytes: Uint8Array): boolean {
  const digests = header.blocks[section]!;
  for (let b = 0; b * BLOCK_BYTES < bytes.byteLength; b++) {
    const at = (first + b) * BLOCK_DIGEST_BYTES;
    if (!blockDigest(bytes.subarray(b * BLOCK_BYTES, Math.min(bytes.byteLength, (b + 1) * BLOCK_BYTES))).equals(digests.subarray(at, at + BLOCK_DIGEST_BYTES))) return false;
  }
  return true;
}

/** Offset in the file of section `i`. */
function sectionPosition(header: EntryHeader, i: number): number {
  let position = header.position;
  for (let j = 0; j < i; j++) position += padded(header.lengths[j]!);
  return position;
}

/** Read and check an entry's sections (section `i` into a SharedArrayBuffer when `shared(i)`); null when one does not check out. */
function readSections(fd: number, header: EntryHeader, shared: (section: number) => boolean): Uint8Array[] | null {
  const sections: Uint8Array[] = [];
  for (let i = 0; i < header.lengths.length; i++) {
    const n = header.lengths[i]!;
    const view = new Uint8Array(shared(i) ? new SharedArrayBuffer(n) : new ArrayBuffer(n));
    if (!readExactly(fd, view, sectionPosition(header, i)) || !blocksCheck(header, i, 0, view)) return null;
    sections.push(view);
  }
  return sections;
}

/** Whether section `section` holds `length` bytes from `offset`. */
function rangeOk(header: EntryHeader, section: number, offset: number, length: number): boolean {
  const size = header.lengths[section];
  return size !== undefined && Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 && offset + length <= size;
}

/** Read and check `length` bytes of section `section` from `offset` (`rangeOk`; the whole blocks that hold them are read and checked); null when damaged. */
function readRange(fd: number, header: EntryHeader, section: number, offset: number, length: number): Uint8Array | null {
  const size = header.lengths[section]!;
  if (length === 0) return new Uint8Array(0);
  const first = Math.floor(offset / BLOCK_BYTES);
  const end = Math.min(size, Math.ceil((offset + length) / BLOCK_BYTES) * BLOCK_BYTES);
  const bytes = new Uint8Array(end - first * BLOCK_BYTES);
  if (!readExactly(fd, bytes, sectionPosition(header, section) + first * BLOCK_BYTES) || !blocksCheck(header, section, first, bytes)) return null;
  return bytes.slice(offset - first * BLOCK_BYTES, offset - first * BLOCK_BYTES + length);
}
