/**
 * The JavaScript side of the skim (`wasm/skim.ts`, compiled to WebAssembly by
 * `scripts/build-wasm.mjs`): the common lines of a Windows debug log counted
 * without leaving WebAssembly, everything else left to `RangeScanner`.
 *
 * A Skimmer owns one WebAssembly memory, laid out as the module expects:
 *
 *   0        64 KiB            64 KiB + filter          + chunk        + 64 KiB
 *   ├ counters, memo, label ┼─ Bloom filter ─────────┼─ read buffer ─┼─ slack (SIMD reads past the end)
 *
 * The read buffer is the one `scanFileRange` reads the file into, so the
 * bytes are never copied. The filter is built once per matcher image from
 * the image's indicators (`CompiledMatcher.forEachIndicatorHead`).
 *
 * `DNSHUNT_SKIM=0` in the environment turns the skim off (everything then
 * takes the JavaScript path, as before it existed): for comparisons and as a
 * way out should a platform lack WebAssembly SIMD.
 */
import type { ScanCounters } from '../core/index.js';
import { SUFFIX_ROOT, type CompiledMatcher } from '../match/index.js';
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
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
}

const PAGE_BYTES = 64 * 1024;
/** The module's own first page: counters, the timestamp-prefix memo, labels being added to the filter (`fillByModule`). */
const FILTER_OFFSET = PAGE_BYTES;
const COUNTERS_OFFSET = 0;
const MEMO_LENGTH_OFFSET = 64;
const LABEL_OFFSET = 1024;
/** Bytes after the read buffer that the module may read (it reads 16 bytes at a time). */
const SLACK_BYTES = PAGE_BYTES;
/** Filter bits per trie node (a node or more per indicator; two bits are set for each indicator): at most about 2 % false positives. */
const FILTER_BITS_PER_NODE = 12;
const MIN_FILTER_BITS = 1 << 16;

interface SkimExports {
  skim(p: number, end: number, hint: number, filter: number, mask: number, singles: number): number;
  filterAddPair(filter: number, mask: number, p1: number, len1: number, p2: number, len2: number): void;
  filterAddSingle(filter: number, mask: number, p: number, len: number): void;
}

let compiled: WebAssembly.Module | null = null;

/** The compiled module, made once per thread. */
function skimModule(): WebAssembly.Module {
  if (compiled === null) compiled = new WebAssembly.Module(Buffer.from(SKIM_WASM_BASE64, 'base64'));
  return compiled;
}

/** Whether the skim is on in this process (`DNSHUNT_SKIM=0` turns it off). */
export function skimEnabled(): boolean {
  return process.env['DNSHUNT_SKIM'] !== '0';
}

// The module's filter hash (wasm/skim.ts: labelKey, pairKey, secondBit), on 32-bit words.
const SINGLE_SEED = 0x5bd1e995;
const FOLD_WORD = 0x20202020;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function word(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

/** The module's `labelKey` of `b[p, p + len)`. */
function labelKey(b: Uint8Array, p: number, len: number): number {
  let first = 0;
  let last = 0;
  if (len >= 4) {
    first = word(b, p);
    last = word(b, p + len - 4);
  } else {
    for (let i = 0; i < len; i++) first |= b[p + i]! << (i * 8);
    last = first;
  }
  first |= FOLD_WORD;
  last |= FOLD_WORD;
  let h = Math.imul(first, 0x9e3779b1) ^ rotl(Math.imul(last, 0x85ebca77), 15) ^ Math.imul(len, 0xc2b2ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/** The module's `pairKey`. */
function pairKey(left: number, right: number): number {
  let h = left ^ rotl(Math.imul(right, 0xcc9e2d51), 13);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** The module's `setBits`: the key's two bits. */
function setBits(filter: Uint8Array, mask: number, h: number): void {
  const a = h & mask;
  const b = Math.imul(rotl(h, 16), 0x297a2d39) & mask;
  filter[a >>> 3]! |= 1 << (a & 7);
  filter[b >>> 3]! |= 1 << (b & 7);
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Skims the common lines of buffers inside its own memory; one per thread and matcher image. */
export class Skimmer {
  /** The read buffer, inside the module's memory: only bytes in it can be skimmed. */
  readonly buffer: Buffer;
  private readonly exports: SkimExports;
  private readonly memoryBuffer: ArrayBuffer;
  private readonly counters: Int32Array;
  private readonly mask: number;
  private readonly singles: number;
  /** Lines taken by the last `skim` call. */
  lastLines = 0;
  /** Lines taken by every call so far (for tests and benchmarks: how much of a log the skim takes). */
  linesTaken = 0;

  /** A skimmer whose read buffer holds `chunkBytes`, with the filter of `image`'s indicators, sized for `keys` of them (see `create`). */
  private constructor(image: CompiledMatcher, chunkBytes: number, keys: number) {
    const bits = nextPowerOfTwo(Math.max(MIN_FILTER_BITS, keys * FILTER_BITS_PER_NODE));
    const bufferOffset = FILTER_OFFSET + bits / 8;
    const pages = Math.ceil((bufferOffset + chunkBytes + SLACK_BYTES) / PAGE_BYTES);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const instance = new WebAssembly.Instance(skimModule(), { env: { memory } });
    this.exports = instance.exports as unknown as SkimExports;
    this.memoryBuffer = memory.buffer;
    this.counters = new Int32Array(memory.buffer, COUNTERS_OFFSET, 4);
    new Int32Array(memory.buffer, MEMO_LENGTH_OFFSET, 1)[0] = -1;
    this.mask = bits - 1;
    this.buffer = Buffer.from(memory.buffer, bufferOffset, chunkBytes);
    this.singles = this.fill(image, new Uint8Array(memory.buffer, FILTER_OFFSET, bits / 8)) ? 1 : 0;
  }

  /**
   * Put every indicator's two leftmost labels (or its one label) in the
   * filter; true when some indicator is one label. The keys are computed here
   * with the module's own hash (`labelKey`, `pairKey` below; the tests hold
   * the two to the same bits through `fillByModule`), straight from the
   * image's label pool: 1,000,000 indicators take a few tens of milliseconds.
   */
  private fill(image: CompiledMatcher, filter: Uint8Array): boolean {
    const pool = image.pool;
    const mask = this.mask;
    let singles = false;
    for (let n = image.nextIndicatorNode(0); n >= 0; n = image.nextIndicatorNode(n + 1)) {
      const key = labelKey(pool, image.labelOffset(n), image.labelLength(n));
      const right = image.parentOf(n);
      if (right <= SUFFIX_ROOT) {
        setBits(filter, mask, (key ^ SINGLE_SEED) >>> 0);
        singles = true;
      } else {
        setBits(filter, mask, pairKey(key, labelKey(pool, image.labelOffset(right), image.labelLength(right))));
      }
    }
    return singles;
  }

  /**
   * The filter of `image` as the module itself builds it (`filterAddPair`,
   * `filterAddSingle`), for the tests that compare it with `filterBytes`.
   */
  fillByModule(image: CompiledMatcher): Uint8Array {
    const bytes = new Uint8Array(this.memoryBuffer);
    const filter = new Uint8Array(this.memoryBuffer, FILTER_OFFSET, (this.mask + 1) / 8);
    filter.fill(0);
    const pool = image.pool;
    for (let n = image.nextIndicatorNode(0); n >= 0; n = image.nextIndicatorNode(n + 1)) {
      const off = image.labelOffset(n);
      const len = image.labelLength(n);
      bytes.set(pool.subarray(off, off + len), LABEL_OFFSET);
      const right = image.parentOf(n);
      if (right <= SUFFIX_ROOT) {
        this.exports.filterAddSingle(FILTER_OFFSET, this.mask, LABEL_OFFSET, len);
      } else {
        const rOff = image.labelOffset(right);
        const rLen = image.labelLength(right);
        bytes.set(pool.subarray(rOff, rOff + rLen), LABEL_OFFSET + len);
        this.exports.filterAddPair(FILTER_OFFSET, this.mask, LABEL_OFFSET, len, LABEL_OFFSET + len, rLen);
      }
    }
    return Uint8Array.from(filter);
  }

  /** A copy of the filter's bytes. */
  filterBytes(): Uint8Array {
    return Uint8Array.from(new Uint8Array(this.memoryBuffer, FILTER_OFFSET, (this.mask + 1) / 8));
  }

  /** A skimmer for `image`, or null when the skim is off. */
  static create(image: CompiledMatcher, chunkBytes: number): Skimmer | null {
    if (!skimEnabled()) return null;
    // Sized by the trie's nodes, at least one per indicator: no pass to count the indicators.
    return new Skimmer(image, chunkBytes, image.usedNodes);
  }

  /** Whether `buf` lies in this skimmer's memory (only such bytes can be skimmed). */
  owns(buf: Uint8Array): boolean {
    return buf.buffer === this.memoryBuffer;
  }

  /**
   * Skim the lines of `buf[start, end)` (`owns(buf)`; `end` right after an LF
   * or the end of the input) with the PACKET context expected `hint` bytes into
   * each line (≤ 0: unknown). Adds what it took to `counters` (lines, records,
   * client queries, skipped) and `lastLines`, and returns the offset of the
   * first line it left to the caller, or `end`.
   */
  skim(buf: Uint8Array, start: number, end: number, hint: number, counters: ScanCounters): number {
    const base = buf.byteOffset;
    const next = this.exports.skim(base + start, base + end, hint > 0 ? hint : 0, FILTER_OFFSET, this.mask, this.singles) - base;
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
