/**
 * Compile a domain set and a search-suffix set into one shared matcher image.
 */
import { DOT } from '../core/index.js';
import { filterBitsFor, labelKey } from './pair-filter.js';
import { CompiledMatcher, INDICATOR_ROOT, SUFFIX_ROOT } from './compiled-matcher.js';
import { LabelTable } from './label-table.js';

/** Slot table load factor ceiling: at most 3 slots in 4 used. */
const MAX_LOAD_NUM = 4;
const MAX_LOAD_DEN = 3;
const MIN_SLOTS = 16;

function nextPow2(n: number): number {
  let p = MIN_SLOTS;
  while (p < n) p *= 2;
  return p;
}

/** Slot table size for `nodes` nodes at the load ceiling. */
function slotsFor(nodes: number): number {
  return nextPow2(Math.ceil((nodes * MAX_LOAD_NUM) / MAX_LOAD_DEN));
}

/**
 * Domains to compile, by position (position = indicator id): anything that can
 * copy a domain's bytes out, so a million-name feed need not be a million strings.
 */
export interface DomainList {
  readonly count: number;
  /** Sum of the domains' lengths in bytes. */
  readonly bytes: number;
  /** Sum of the domains' label counts. */
  readonly labels: number;
  /** Write domain `i` (lower case, dotted, ASCII) into `into` from offset 0; returns its length (at most `into.length`). */
  copyTo(i: number, into: Uint8Array): number;
  /**
   * Told once the domains are compiled: `pairs` holds (position, first
   * position) for every domain that repeats an earlier one, flat. A repeat
   * compiles to its first position's id, so whoever explains a hit needs them.
   */
  compiledRepeats?(pairs: readonly number[]): void;
}

/** A DomainList over strings. */
export function domainListOf(names: readonly string[]): DomainList {
  let bytes = 0;
  let labels = 0;
  for (const d of names) {
    bytes += d.length;
    labels++;
    for (let i = 0; i < d.length; i++) if (d.charCodeAt(i) === DOT) labels++;
  }
  return {
    count: names.length,
    bytes,
    labels,
    copyTo(i: number, into: Uint8Array): number {
      const d = names[i]!;
      const len = Math.min(d.length, into.length);
      for (let j = 0; j < len; j++) into[j] = d.charCodeAt(j) & 0xff;
      return len;
    },
  };
}

/**
 * Build the image. Domain `i` of `domains` must already be normalised (lower
 * case, dotted, no trailing dot, labels 1–63 bytes); indicator id `i` is
 * stored at its node (a repeated domain keeps its first id). `suffixes` are
 * search suffixes in the same form (`corp.local`). Throws only on a broken invariant.
 */
export function buildMatcher(domains: readonly string[] | DomainList, suffixes: readonly string[] = []): CompiledMatcher {
  const list = isDomainList(domains) ? domains : domainListOf(domains);
  const suffixList = domainListOf(suffixes);
  // Upper bounds, so the image is filled in place: every label a new node, except
  // that domains ending in the same label share its node (a million names under
  // ten TLDs make a million nodes, not two). Whatever is left over is cut by a
  // right-sized copy.
  const nodeCount = list.labels - sharedLastLabels(list) + suffixList.labels + 2;
  // a label's bytes and its length byte: a domain's dots and one byte more
  const poolBytes = list.bytes + list.count + suffixList.bytes + suffixList.count;
  const filterBits = filterBitsFor(list.count);
  const m = CompiledMatcher.allocate({ nodeCount, slotCount: slotsFor(nodeCount), poolBytes: Math.max(poolBytes, 1), filterBits });
  const pool = { bytes: 0 };
  const repeats: number[] = [];
  insertAll(m, list, INDICATOR_ROOT, pool, repeats);
  insertAll(m, suffixList, SUFFIX_ROOT, pool, null);
  list.compiledRepeats?.(repeats);
  // Deeper shared labels made fewer nodes than the bound: worth a right-sized copy when it saves an eighth.
  const tight = CompiledMatcher.bytesFor({ nodeCount: m.usedNodes, slotCount: slotsFor(m.usedNodes), poolBytes: Math.max(pool.bytes, 1), filterBits });
  return tight < m.byteLength - (m.byteLength >>> 3) ? m.compacted(pool.bytes, slotsFor(m.usedNodes)) : m;
}

/** Distinct last labels the table counts before giving up (then nothing is counted as shared). */
const LAST_LABEL_SLOTS = 8192;

/** How many domains end in a last label an earlier domain already ended in (their last nodes are shared). */
function sharedLastLabels(list: DomainList): number {
  const table = new LabelTable(LAST_LABEL_SLOTS, 64 * 1024);
  const scratch = new Uint8Array(MAX_DOMAIN_CHARS);
  let shared = 0;
  for (let i = 0; i < list.count; i++) {
    const len = list.copyTo(i, scratch);
    let s = len;
    while (s > 0 && scratch[s - 1] !== DOT) s--;
    if (s === len) continue;
    const slot = table.find(scratch, s, len);
    if (slot >= 0) shared++;
    else if (table.insert(scratch, s, len, slot) < 0) return 0;
  }
  return shared;
}

function isDomainList(d: readonly string[] | DomainList): d is DomainList {
  return !Array.isArray(d);
}

/** Longest domain text we accept (RFC 1035 names are at most 253 characters). */
const MAX_DOMAIN_CHARS = 1024;

/** Insert every domain of `list` under `root`; with `repeats` (the indicator trie) ids are stored and repeats collected, else a plain mark. */
function insertAll(m: CompiledMatcher, list: DomainList, root: number, pool: { bytes: number }, repeats: number[] | null): void {
  // One scratch buffer for every domain: no string split or Buffer per label.
  const scratch = new Uint8Array(MAX_DOMAIN_CHARS);
  for (let id = 0; id < list.count; id++) {
    const len = list.copyTo(id, scratch);
    let node = root;
    let end = len;
    // the two leftmost labels, for the pair filter: [leftStart, leftEnd) and [rightStart, rightEnd)
    let leftStart = -1, leftEnd = -1, rightStart = -1, rightEnd = -1;
    for (let i = len - 1; i >= -1; i--) {
      if (i === -1 || scratch[i] === DOT) {
        if (end > i + 1) {
          node = m.addChild(node, scratch, i + 1, end, pool);
          rightStart = leftStart;
          rightEnd = leftEnd;
          leftStart = i + 1;
          leftEnd = end;
        }
        end = i;
      }
    }
    if (node === root) continue;
    if (repeats !== null) {
      const left = labelKey(scratch, leftStart, leftEnd - leftStart);
      m.addIndicatorKeys(left, rightStart < 0 ? null : labelKey(scratch, rightStart, rightEnd - rightStart));
    }
    const first = m.terminal[node]!;
    if (first < 0) m.terminal[node] = repeats === null ? 0 : id;
    else if (repeats !== null) repeats.push(id, first);
  }
}
