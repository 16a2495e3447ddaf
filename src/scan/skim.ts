/**
 * The JavaScript side of the skim (`wasm/skim.ts`, compiled to WebAssembly by
 * `scripts/build-wasm.mjs`): the common lines of a Windows debug log counted
 * without leaving WebAssembly, everything else left to `RangeScanner`.
 *
 * A Skimmer owns one WebAssembly memory, laid out as the module expects:
 *
 *   0                                  64 KiB          + chunk   + 64 KiB     + filter bytes
 *   ├ counters, memo, labels, cleared names ┼─ read buffer ─┼─ slack ─┼─ pair filter ─┤
 *
 * The read buffer is the one `scanFileRange` reads the file into, so the
 * bytes are never copied; the slack is there because the module reads 16
 * bytes at a time. The pair filter is the matcher image's own
 * (`CompiledMatcher.filter`, built once with the image and kept in the
 * indicator cache with it), copied in by `useImage`; the memory grows when a
 * bigger one comes. A thread keeps one skimmer per read size (`skimmerFor`)
 * and makes it while it starts (`src/scan/prime.ts`), so its pages are
 * touched and its code warm before the first range.
 *
 * `DNSHUNT_SKIM=0` in the environment turns the skim off (everything then
 * takes the JavaScript path, as before it existed): for comparisons and as a
 * way out should a platform lack WebAssembly SIMD.
 */
import type { ScanCounters } from '../core/index.js';
import type { CompiledMatcher, NameMatcher } from '../match/index.js';
import { SKIM_WASM_BASE64 } from './skim-binary.js';

/**
 * The part of the WebAssembly JavaScript API used here. Node has it as a
 * global; TypeScript's ES libraries and @types/node 20 do not declare it.
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum: number });
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
}

const PAGE_BYTES = 64 * 1024;
/** The module's own first page: counters, the timestamp-prefix memo, labels being added to the filter (`fillByModule`), cleared names. */
const BUFFER_OFFSET = PAGE_BYTES;
const COUNTERS_OFFSET = 0;
const MEMO_LENGTH_OFFSET = 64;
const LABEL_OFFSET = 1024;
/** The module's cleared names (wasm/skim.ts): names one matcher found to match nothing (`clearName`). */
const CLEARED_OFFSET = 32768;
const CLEARED_BYTES = 32768;
/** Bytes after the read buffer that the module may read (it reads 16 bytes at a time). */
const SLACK_BYTES = PAGE_BYTES;
/** Memory pages the module may grow to (4 GiB: the address space of 32-bit WebAssembly). */
const MAX_PAGES = 65536;

interface SkimExports {
  skim(p: number, end: number, hint: number, filter: number, mask: number, singles: number, xid0: number, xid1: number, maxLines: number): number;
  filterAddPair(filter: number, mask: number, p1: number, len1: number, p2: number, len2: number): void;
  filterAddSingle(filter: number, mask: number, p: number, len: number): void;
  clearName(p: number, end: number): void;
}

let compiled: WebAssembly.Module | null = null;

/** The compiled module, made once per thread. */
function skimModule(): WebAssembly.Module {
  if (compiled === null) compiled = new WebAssembly.Module(Buffer.from(SKIM_WASM_BASE64, 'base64'));
  return compiled;
}

/** `DNSHUNT_SKIM` as the thread started (reading process.env is slow in a worker's first milliseconds). */
const SKIM_SETTING = process.env['DNSHUNT_SKIM'];

/** Whether the skim is on in this process (`DNSHUNT_SKIM=0` turns it off). */
export function skimEnabled(): boolean {
  return SKIM_SETTING !== '0';
}

/**
 * What the skim must leave to the caller while matched queries wait for their
 * responses: PACKET lines with the query id `xid0` or `xid1` (each the id's
 * four bytes as a little-endian word, `skimXidWord`; 0: none), and every line
 * after the next `maxLines`.
 */
export interface SkimWait {
  xid0: number;
  xid1: number;
  maxLines: number;
}

/** Nothing waits. */
export const NOT_WAITING: SkimWait = { xid0: 0, xid1: 0, maxLines: 0x7fffffff };

/**
 * A query id as the skim compares it (four bytes, ASCII letters folded: the
 * fold the pairing's own comparison implies), or -1 when it is not four bytes
 * long (the skim cannot stand in for the pairing then).
 */
export function skimXidWord(xid: string): number {
  if (xid.length !== 4) return -1;
  return (xid.charCodeAt(0) | (xid.charCodeAt(1) << 8) | (xid.charCodeAt(2) << 16) | (xid.charCodeAt(3) << 24) | 0x20202020) >>> 0;
}

/** Skims the common lines of buffers inside its own memory; one per thread and read size (`skimmerFor`). */
export class Skimmer {
  /** The read buffer, inside the module's memory: only bytes in it can be skimmed. */
  buffer: Buffer;
  /** Lines taken by the last `skim` call. */
  lastLines = 0;
  /** Lines taken by every call so far (for tests and benchmarks: how much of a log the skim takes). */
  linesTaken = 0;
  private readonly exports: SkimExports;
  private readonly memory: WebAssembly.Memory;
  private readonly chunkBytes: number;
  private readonly filterOffset: number;
  private memoryBuffer: ArrayBuffer;
  private counters: Int32Array;
  /** The image whose filter is in the memory (`useImage`), its mask and single-label flag. */
  private image: CompiledMatcher | null = null;
  private mask = 0;
  private singles = 0;
  /** Whose verdicts the cleared names are (a name's outcome depends on the image and on the matcher's settings). */
  private clearedFor: NameMatcher | null = null;

  /** A skimmer whose read buffer holds `chunkBytes`; call `useImage` before skimming. */
  constructor(chunkBytes: number) {
    this.chunkBytes = chunkBytes;
    this.filterOffset = Math.ceil((BUFFER_OFFSET + chunkBytes + SLACK_BYTES) / PAGE_BYTES) * PAGE_BYTES;
    // room for the smallest filter (one page); a bigger one grows the memory
    this.memory = new WebAssembly.Memory({ initial: this.filterOffset / PAGE_BYTES + 1, maximum: MAX_PAGES });
    this.exports = new WebAssembly.Instance(skimModule(), { env: { memory: this.memory } }).exports as unknown as SkimExports;
    this.memoryBuffer = this.memory.buffer;
    this.counters = new Int32Array(this.memoryBuffer, COUNTERS_OFFSET, 4);
    this.buffer = Buffer.from(this.memoryBuffer, BUFFER_OFFSET, chunkBytes);
    new Int32Array(this.memoryBuffer, MEMO_LENGTH_OFFSET, 1)[0] = -1;
  }

  /** Copy `image`'s pair filter into the memory (growing it if need be), unless it is there already. */
  useImage(image: CompiledMatcher): void {
    if (this.image === image) return;
    const need = this.filterOffset + image.filter.length;
    const have = this.memoryBuffer.byteLength;
    if (need > have) {
      this.memory.grow(Math.ceil((need - have) / PAGE_BYTES));
      // growing replaces the memory's ArrayBuffer: every view is made anew
      this.memoryBuffer = this.memory.buffer;
      this.counters = new Int32Array(this.memoryBuffer, COUNTERS_OFFSET, 4);
      this.buffer = Buffer.from(this.memoryBuffer, BUFFER_OFFSET, this.chunkBytes);
    }
    new Uint8Array(this.memoryBuffer, this.filterOffset, image.filter.length).set(image.filter);
    this.forgetCleared();
    this.mask = image.filterMask;
    this.singles = image.singleLabelIndicators ? 1 : 0;
    this.image = image;
  }

  /**
   * The filter the module itself builds (`filterAddPair`, `filterAddSingle`)
   * for `indicators` (normalised domains), sized like `image`'s: the tests
   * compare it with the image's own, which the compiler sets with a port of
   * the module's hash (`src/match/pair-filter.ts`). Leaves no image in use.
   */
  fillByModule(image: CompiledMatcher, indicators: readonly string[]): Uint8Array {
    this.useImage(image);
    this.image = null;
    const bytes = Buffer.from(this.memoryBuffer);
    const filter = new Uint8Array(this.memoryBuffer, this.filterOffset, image.filter.length);
    filter.fill(0);
    for (const d of indicators) {
      const [left = '', right] = d.split('.');
      const len = bytes.write(left, LABEL_OFFSET, 'latin1');
      if (right === undefined) {
        this.exports.filterAddSingle(this.filterOffset, this.mask, LABEL_OFFSET, len);
      } else {
        const rLen = bytes.write(right, LABEL_OFFSET + len, 'latin1');
        this.exports.filterAddPair(this.filterOffset, this.mask, LABEL_OFFSET, len, LABEL_OFFSET + len, rLen);
      }
    }
    return Uint8Array.from(filter);
  }

  /** Empty the cleared names (a new image or another matcher: names cleared before may match now). */
  private forgetCleared(): void {
    new Uint8Array(this.memoryBuffer, CLEARED_OFFSET, CLEARED_BYTES).fill(0);
    this.clearedFor = null;
  }

  /**
   * Tell the module that `matcher` (over the image in use) found that the
   * query name `buf[start, end)` (as logged, `owns(buf)`) matches nothing: the
   * skim then takes later client queries of the same name for that matcher
   * even when the filter lets them through. Ignored for another image.
   */
  clearName(matcher: NameMatcher, buf: Uint8Array, start: number, end: number): void {
    if (matcher.image !== this.image || !this.owns(buf)) return;
    if (this.clearedFor !== matcher) {
      this.forgetCleared();
      this.clearedFor = matcher;
    }
    this.exports.clearName(buf.byteOffset + start, buf.byteOffset + end);
  }

  /** Whether `buf` lies in this skimmer's memory (only such bytes can be skimmed). */
  owns(buf: Uint8Array): boolean {
    return buf.buffer === this.memoryBuffer;
  }

  /**
   * Skim the lines of `buf[start, end)` (`owns(buf)`; `end` right after an LF
   * or the end of the input) with the PACKET context expected `hint` bytes into
   * each line (≤ 0: unknown), against the filter of the image in use, leaving
   * to the caller the lines `waiting` says may answer a matched query, and
   * taking names `matcher` cleared (`clearName`; none for another). Adds
   * what it took to `counters` (lines, records, client queries, skipped) and
   * `lastLines`, and returns the offset of the first line it left to the
   * caller, or `end`.
   */
  skim(buf: Uint8Array, start: number, end: number, hint: number, counters: ScanCounters, waiting: SkimWait = NOT_WAITING, matcher: NameMatcher | null = null): number {
    // the cleared names are one matcher's verdicts: another's (say, without suffix stripping) may differ
    if (this.clearedFor !== null && this.clearedFor !== matcher) this.forgetCleared();
    const base = buf.byteOffset;
    // the module returns an unsigned offset; JavaScript sees an i32
    const next = (this.exports.skim(base + start, base + end, hint > 0 ? hint : 0, this.filterOffset, this.mask, this.singles, waiting.xid0, waiting.xid1, waiting.maxLines) >>> 0) - base;
    const c = this.counters;
    const lines = c[0]!;
    if (lines > 0) {
      counters.lines += lines;
      counters.records += c[1]!;
      counters.clientQueries += c[2]!;
      counters.skipped += c[3]!;
      c.fill(0);
    }
    this.lastLines = lines;
    this.linesTaken += lines;
    return next;
  }
}

const byChunk = new Map<number, Skimmer>();

/**
 * This thread's skimmer for reads of `chunkBytes` with `image`'s filter in
 * use, or null when the skim is off (`DNSHUNT_SKIM=0`).
 */
export function skimmerFor(image: CompiledMatcher, chunkBytes: number): Skimmer | null {
  if (!skimEnabled()) return null;
  let s = byChunk.get(chunkBytes);
  if (s === undefined) {
    s = new Skimmer(chunkBytes);
    byChunk.set(chunkBytes, s);
  }
  s.useImage(image);
  return s;
}
