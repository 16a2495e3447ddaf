/**
 * The reversed-label matcher in its compiled, shareable form.
 *
 * A domain set is a trie whose edges are whole labels read right to left
 * (`pw` → `fnarsipfqe`). The compiled image is one SharedArrayBuffer, built once
 * per run and shared with every worker (it travels with each task as a
 * SharedArrayBuffer: shared memory, never copied); workers never rebuild it.
 *
 *   Int32 header[9]            magic | version | nodeCount | slotCount | poolBytes | suffixRoot | usedNodes | flags | filterBits
 *   Int32 slots[slotCount]     child node id, 0 = empty          (open addressing on hash(parent, label))
 *   Int32 node[nodeCount * 2]  parent | poolOffset
 *   Int32 terminal[nodeCount]  indicator id ending at this node, or -1
 *   Uint8 pool[poolBytes]      per node: its label's length, then the label's lower-cased bytes
 *   Uint8 filter[bits / 8]     the pair filter of the indicators (pair-filter.ts), bits = header[8]
 *
 * Node 0 is the indicator root; `suffixRoot` (node 1) is the root of a second
 * trie of search suffixes (`corp.local`) that may be stripped from a query's
 * end. The slot table is kept at most 3/4 full, so a miss costs about one
 * probe; a hit compares the parent, the length and then the bytes. A node is
 * two words (the hash is not stored: the image is read from the indicator
 * cache on every run, and each megabyte of it cost ~6 ms there on the
 * benchmark VM; a 100,000-name image is 1 MB smaller for it).
 */
import { LOWER } from '../core/index.js';
import { labelHash } from './label-hash.js';
import { pairKey, setBits, singleKey } from './pair-filter.js';

export const MATCHER_MAGIC = 0x444e5348; // "DNSH"
export const MATCHER_VERSION = 4;
const HEADER_INTS = 9;
/** Longest label the pool's length byte holds (DNS labels are at most 63 bytes). */
const MAX_LABEL_BYTES = 255;
/** Int32 words per node record: parent, pool offset. */
const NODE_INTS = 2;
const H_MAGIC = 0, H_VERSION = 1, H_NODES = 2, H_SLOTS = 3, H_POOL = 4, H_SUFFIX_ROOT = 5, H_USED = 6, H_FLAGS = 7, H_FILTER_BITS = 8;
/** `H_FLAGS` bit: some indicator is a single label (its key is in the pair filter alone). */
const FLAG_SINGLE_LABELS = 1;

/** Node id of the indicator trie's root. */
export const INDICATOR_ROOT = 0;
/** Node id of the search-suffix trie's root. */
export const SUFFIX_ROOT = 1;

/** Capacities of an image. */
export interface ImageLayout {
  nodeCount: number;
  slotCount: number;
  poolBytes: number;
  /** Bits of the pair filter: a power of two (`filterBitsFor`). */
  filterBits: number;
}

/** Typed-array views over one compiled image; cheap to construct in each worker from the shared buffer. */
export class CompiledMatcher {
  readonly buffer: SharedArrayBuffer;
  readonly header: Int32Array;
  readonly slots: Int32Array;
  readonly nodes: Int32Array;
  readonly terminal: Int32Array;
  readonly pool: Uint8Array;
  readonly mask: number;
  /** The pair filter (pair-filter.ts; set by `addIndicatorKeys`), `filterMask + 1` bits. */
  readonly filter: Uint8Array;
  readonly filterMask: number;

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.header = new Int32Array(buffer, 0, HEADER_INTS);
    if (this.header[H_MAGIC] !== MATCHER_MAGIC || this.header[H_VERSION] !== MATCHER_VERSION) {
      throw new Error('not a dnshunt matcher image (bad magic or version)');
    }
    const nodeCount = this.header[H_NODES]!;
    const slotCount = this.header[H_SLOTS]!;
    const poolBytes = this.header[H_POOL]!;
    let off = HEADER_INTS * 4;
    this.slots = new Int32Array(buffer, off, slotCount);
    off += slotCount * 4;
    this.nodes = new Int32Array(buffer, off, nodeCount * NODE_INTS);
    off += nodeCount * NODE_INTS * 4;
    this.terminal = new Int32Array(buffer, off, nodeCount);
    off += nodeCount * 4;
    this.pool = new Uint8Array(buffer, off, poolBytes);
    off += poolBytes;
    const filterBits = this.header[H_FILTER_BITS]!;
    this.filter = new Uint8Array(buffer, off, filterBits / 8);
    this.filterMask = filterBits - 1;
    this.mask = slotCount - 1;
  }

  /** Byte size of an image with this layout. */
  static bytesFor(layout: ImageLayout): number {
    return HEADER_INTS * 4 + layout.slotCount * 4 + layout.nodeCount * (NODE_INTS + 1) * 4 + layout.poolBytes + layout.filterBits / 8;
  }

  /** Allocate an empty image (both roots present, no edges). `slotCount` must be a power of two. */
  static allocate(layout: ImageLayout): CompiledMatcher {
    const buffer = new SharedArrayBuffer(CompiledMatcher.bytesFor(layout));
    const header = new Int32Array(buffer, 0, HEADER_INTS);
    header[H_MAGIC] = MATCHER_MAGIC;
    header[H_VERSION] = MATCHER_VERSION;
    header[H_NODES] = layout.nodeCount;
    header[H_SLOTS] = layout.slotCount;
    header[H_POOL] = layout.poolBytes;
    header[H_FILTER_BITS] = layout.filterBits;
    header[H_SUFFIX_ROOT] = SUFFIX_ROOT;
    header[H_USED] = 2;
    const m = new CompiledMatcher(buffer);
    m.terminal.fill(-1);
    return m;
  }

  /**
   * A copy sized to what this image uses: `usedNodes` nodes, the first
   * `poolBytes` label bytes, and a slot table of `slotCount` slots rebuilt from
   * the nodes' stored hashes. The compiler allocates for the worst case (every
   * label a new node) and hands the workers this copy.
   */
  compacted(poolBytes: number, slotCount: number): CompiledMatcher {
    const used = this.usedNodes;
    const m = CompiledMatcher.allocate({ nodeCount: used, slotCount, poolBytes: Math.max(poolBytes, 1), filterBits: this.filterMask + 1 });
    m.nodes.set(this.nodes.subarray(0, used * NODE_INTS));
    m.filter.set(this.filter);
    m.header[H_FLAGS] = this.header[H_FLAGS]!;
    m.terminal.set(this.terminal.subarray(0, used));
    m.pool.set(this.pool.subarray(0, poolBytes));
    m.header[H_USED] = used;
    const slots = m.slots;
    const nodes = m.nodes;
    const pool = m.pool;
    const mask = m.mask;
    for (let c = SUFFIX_ROOT + 1; c < used; c++) {
      const off = nodes[c * NODE_INTS + 1]!;
      let i = labelHash(nodes[c * NODE_INTS]!, pool, off + 1, off + 1 + pool[off]!) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = c;
    }
    return m;
  }

  /** Nodes in use (both roots included). */
  get usedNodes(): number {
    return this.header[H_USED]!;
  }

  /**
   * Put one indicator in the pair filter, by the keys (pair-filter.ts
   * `labelKey`) of its leftmost label and of the label right of it, or of its
   * one label (`rightKey` null). Build-time only: the compiler calls it as it
   * inserts each indicator.
   */
  addIndicatorKeys(leftKey: number, rightKey: number | null): void {
    if (rightKey === null) {
      setBits(this.filter, this.filterMask, singleKey(leftKey));
      this.header[H_FLAGS] = this.header[H_FLAGS]! | FLAG_SINGLE_LABELS;
    } else {
      setBits(this.filter, this.filterMask, pairKey(leftKey, rightKey));
    }
  }

  /** Some indicator is a single label: its key is in the pair filter alone (`addIndicatorKeys`). */
  get singleLabelIndicators(): boolean {
    return (this.header[H_FLAGS]! & FLAG_SINGLE_LABELS) !== 0;
  }

  /** Byte size of the image. */
  get byteLength(): number {
    return this.buffer.byteLength;
  }

  /**
   * The child of `parent` along the label `buf[start, end)` (compared without
   * case), or -1. This is the whole inner loop of matching.
   */
  child(parent: number, buf: Uint8Array, start: number, end: number): number {
    const found = this.probe(labelHash(parent, buf, start, end) | 0, parent, buf, start, end);
    return found > 0 ? found : -1;
  }

  /**
   * Look the edge up under its hash `h`: the child node id (always > 1: the
   * roots are nobody's child), or `-1 - slot` where `slot` is the empty slot
   * where it would go.
   */
  private probe(h: number, parent: number, buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    const slots = this.slots;
    const nodes = this.nodes;
    const pool = this.pool;
    const mask = this.mask;
    let i = h & mask;
    for (;;) {
      const c = slots[i]!;
      if (c === 0) return -1 - i;
      const n = c * NODE_INTS;
      if (nodes[n] === parent) {
        const off = nodes[n + 1]!;
        if (pool[off] === len) {
          let j = 0;
          while (j < len && pool[off + 1 + j] === LOWER[buf[start + j]!]) j++;
          if (j === len) return c;
        }
      }
      i = (i + 1) & mask;
    }
  }

  /**
   * Add the edge (parent, label `buf[start, end)`, stored lower-cased) if missing; returns the child.
   * Build-time only: workers never call it.
   */
  addChild(parent: number, buf: Uint8Array, start: number, end: number, poolUsed: { bytes: number }): number {
    const h = labelHash(parent, buf, start, end) | 0;
    const found = this.probe(h, parent, buf, start, end);
    if (found > 0) return found;
    const len = end - start;
    const used = this.header[H_USED]!;
    if (used >= this.terminal.length) throw new Error('matcher image node capacity exceeded');
    if (poolUsed.bytes + 1 + len > this.pool.length) throw new Error('matcher image pool capacity exceeded');
    if (len > MAX_LABEL_BYTES) throw new Error(`a label of ${len} bytes (at most ${MAX_LABEL_BYTES})`);
    const n = used * NODE_INTS;
    const off = poolUsed.bytes;
    this.nodes[n] = parent;
    this.nodes[n + 1] = off;
    this.pool[off] = len;
    for (let j = 0; j < len; j++) this.pool[off + 1 + j] = LOWER[buf[start + j]!]!;
    poolUsed.bytes += 1 + len;
    this.slots[-1 - found] = used;
    this.header[H_USED] = used + 1;
    return used;
  }

  /**
   * Walk the labels `last, last-1, …, 0` (label i is `labels[2i] .. labels[2i+1]`
   * in `buf`) from the indicator root. Returns the id of the deepest indicator
   * on the path, or -1: an indicator matches itself and every subdomain, and
   * the most specific one wins.
   */
  matchLabels(buf: Uint8Array, labels: Int32Array, last: number): number {
    return this.matchBelow(INDICATOR_ROOT, -1, buf, labels, last);
  }

  /**
   * `matchLabels` continued from `node`, already reached by the labels after
   * `last`, with `found` the deepest indicator id seen on the way (or -1).
   */
  matchBelow(node: number, found: number, buf: Uint8Array, labels: Int32Array, last: number): number {
    const terminal = this.terminal;
    for (let i = last; i >= 0; i--) {
      node = this.child(node, buf, labels[i * 2]!, labels[i * 2 + 1]!);
      if (node < 0) break;
      const t = terminal[node]!;
      if (t >= 0) found = t;
    }
    return found;
  }

  /**
   * How many trailing labels (ending at label `last`) form a configured search
   * suffix — the longest one — or 0 when none does.
   */
  suffixLabels(buf: Uint8Array, labels: Int32Array, last: number): number {
    const node = this.child(SUFFIX_ROOT, buf, labels[last * 2]!, labels[last * 2 + 1]!);
    return node < 0 ? 0 : this.suffixLabelsBelow(node, buf, labels, last);
  }

  /** `suffixLabels` when label `last` already led from the suffix root to `node`. */
  suffixLabelsBelow(node: number, buf: Uint8Array, labels: Int32Array, last: number): number {
    const terminal = this.terminal;
    let found = terminal[node]! >= 0 ? 1 : 0;
    for (let i = last - 1; i >= 0; i--) {
      node = this.child(node, buf, labels[i * 2]!, labels[i * 2 + 1]!);
      if (node < 0) break;
      if (terminal[node]! >= 0) found = last - i + 1;
    }
    return found;
  }
}
