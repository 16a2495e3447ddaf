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
import type { CompiledMatcher } from '../match/index.js';
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
/** The module's own first page: counters, the timestamp-prefix memo, a label being added to the filter. */
const FILTER_OFFSET = PAGE_BYTES;
const COUNTERS_OFFSET = 0;
const MEMO_LENGTH_OFFSET = 64;
const LABEL_OFFSET = 1024;
const LABEL_MAX_BYTES = PAGE_BYTES - LABEL_OFFSET;
/** Bytes after the read buffer that the module may read (it reads 16 bytes at a time). */
const SLACK_BYTES = PAGE_BYTES;
/** Filter bits per indicator (two bits are set for each): about 1 % false positives at the worst. */
const FILTER_BITS_PER_INDICATOR = 16;
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

  /** A skimmer whose read buffer holds `chunkBytes`, with the filter of `image`'s indicators. */
  constructor(image: CompiledMatcher, chunkBytes: number) {
    let indicators = 0;
    image.forEachIndicatorHead(() => indicators++);
    const bits = nextPowerOfTwo(Math.max(MIN_FILTER_BITS, indicators * FILTER_BITS_PER_INDICATOR));
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
    const bytes = new Uint8Array(memory.buffer);
    let singles = 0;
    const pool = image.pool;
    const { filterAddPair, filterAddSingle } = this.exports;
    image.forEachIndicatorHead((node, right) => {
      const off = image.labelOffset(node);
      const len = image.labelLength(node);
      if (right < 0) {
        bytes.set(pool.subarray(off, off + len), LABEL_OFFSET);
        filterAddSingle(FILTER_OFFSET, this.mask, LABEL_OFFSET, len);
        singles = 1;
        return;
      }
      const rOff = image.labelOffset(right);
      const rLen = image.labelLength(right);
      bytes.set(pool.subarray(off, off + len), LABEL_OFFSET);
      bytes.set(pool.subarray(rOff, rOff + rLen), LABEL_OFFSET + len);
      filterAddPair(FILTER_OFFSET, this.mask, LABEL_OFFSET, len, LABEL_OFFSET + len, rLen);
    });
    this.singles = singles;
  }

  /**
   * A skimmer for `image`, or null when the skim is off or the image holds a
   * label too long for the module's label slot (no DNS label is: 63 bytes).
   */
  static create(image: CompiledMatcher, chunkBytes: number): Skimmer | null {
    if (!skimEnabled()) return null;
    let fits = true;
    image.forEachIndicatorHead((node, right) => {
      if (image.labelLength(node) + (right < 0 ? 0 : image.labelLength(right)) > LABEL_MAX_BYTES) fits = false;
    });
    return fits ? new Skimmer(image, chunkBytes) : null;
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
